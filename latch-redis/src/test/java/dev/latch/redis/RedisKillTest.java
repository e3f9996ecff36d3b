package dev.latch.redis;

import dev.latch.ApprovalGate.Approval;
import dev.latch.ApprovalGate;
import dev.latch.AuditEvent;
import dev.latch.DeliveryChain;
import dev.latch.Latches;
import dev.latch.DeliveryChain.Outbox;
import dev.latch.Pepper;
import dev.latch.RequestDigest;
import dev.latch.Review;
import dev.latch.spi.Delivery;
import dev.latch.test.redis.LocalRedis;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable state across a killed process, on a real Redis: instance A runs in its own JVM
 * ({@link KilledInstance}) and is killed with {@code destroyForcibly}; instance B, in this JVM,
 * carries on from what the store holds.
 */
class RedisKillTest {
    static final String PEPPER = "c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=";
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    static LocalRedis server;

    @BeforeAll
    static void startRedis() throws Exception {
        server = LocalRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    /** A's output, line by line, as it prints it. */
    static final class Child implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final List<String> lines = new ArrayList<>();

        Child(String mode) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", KilledInstance.class.getName(),
                    server.uri().toString(), T0.toString(), mode).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("LATCH_PEPPER", PEPPER);
            process = pb.start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Reads until a line starts with {@code prefix}; fails with what it read when A exits first. */
        String until(String prefix) throws Exception {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new AssertionError("instance A exited (" + process.waitFor() + ") before '" + prefix + "': " + lines);
        }

        Map<String, String> codes() {
            Map<String, String> codes = new HashMap<>();
            for (String l : lines) {
                if (l.startsWith("CODE ")) {
                    String[] f = l.split(" ");
                    codes.put(f[1], f[2]);
                }
            }
            return codes;
        }

        void kill() throws Exception {
            process.destroyForcibly();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "instance A did not die");
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private Latches instanceB(MutableClock clock, RecordingAuditSink audit, Outbox outbox) {
        RedisLatchStore store = RedisLatchStore.builder(server.uri()).prefix("kill").timeout(Duration.ofSeconds(20)).build();
        return Latches.builder().store(store).clock(clock).pepper(Pepper.fromBase64(PEPPER)).auditSink(audit)
                .pollDueWork(Duration.ZERO).delivery(DeliveryChain.builder().then(outbox).build()).build();
    }

    @Test
    void aKilledInstancesGateReminderAndEscalation_areCompletedAndFireOnceOnAnother() throws Exception {
        String[] ready;
        Map<String, String> codes;
        try (Child a = new Child("setup")) {
            ready = a.until("READY").split(" ");
            codes = a.codes();
            a.kill();
        }
        String gateId = ready[1];
        String reviewed = ready[2];
        MutableClock clock = MutableClock.at(T0);
        RecordingAuditSink audit = new RecordingAuditSink();
        Outbox outbox = new Outbox();
        Latches b = instanceB(clock, audit, outbox);
        Latches c = instanceB(clock, audit, outbox);
        RequestDigest release = RequestDigest.of("release-44");
        ApprovalGate gate = b.gate(gateId).orElseThrow(() -> new AssertionError("B cannot find A's gate"));
        assertEquals(Approval.Outcome.APPROVED, gate.approve("alice", codes.get("alice"), release).outcome());
        assertEquals(Approval.Outcome.APPROVED, gate.approve("bob", codes.get("bob"), release).outcome());

        clock.advance(Duration.ofMinutes(12)); // the reminders were due at 10:10; A is gone
        int ran = b.runDueWork() + c.runDueWork() + b.runDueWork();
        assertEquals(3, ran, "three reminders (one per approver) ran once, on B or C");
        List<Delivery> reminders = outbox.deliveries().stream().filter(d -> d.kind() == Delivery.Kind.REMINDER).toList();
        assertEquals(List.of("carol"), reminders.stream().map(Delivery::recipient).toList(),
                "only the approver who has not voted is reminded, once");
        assertEquals(1, audit.count(AuditEvent.Type.DELIVERED, "REMINDER", "LATE", "PT2M"));

        assertEquals(Approval.Outcome.OPENED, c.gate(gateId).orElseThrow().approve("carol", codes.get("carol"), release)
                .outcome(), "B's side completes the approval A started");
        assertTrue(gate.isOpen());

        clock.advance(Duration.ofHours(24));
        assertEquals(1, b.runDueWork() + c.runDueWork(), "the escalation of A's review runs once");
        List<AuditEvent> escalations = audit.ofType(AuditEvent.Type.ESCALATION);
        assertEquals(1, escalations.size());
        assertEquals(reviewed, escalations.get(0).codeId());
        assertTrue(escalations.get(0).details().containsKey("LATE"));
        assertEquals(Review.State.ESCALATED, c.review(reviewed).orElseThrow().state());
        clock.advance(Duration.ofHours(1));
        assertEquals(0, b.runDueWork() + c.runDueWork());
    }

    @Test
    void aKillDuringVoting_losesAndDuplicatesNoVote() throws Exception {
        for (int round = 0; round < 3; round++) {
            String gateId;
            Set<String> recorded = new HashSet<>();
            Map<String, String> codes;
            try (Child a = new Child("voting")) {
                gateId = a.until("GATE").split(" ")[1];
                int stopAfter = 3 + 5 * round; // kill at a different point each round, while A keeps voting
                for (int i = 0; i < stopAfter; i++) {
                    recorded.add(a.until("RECORDED").split(" ")[1]);
                }
                a.kill();
                codes = a.codes();
            }
            MutableClock clock = MutableClock.at(T0);
            Latches b = instanceB(clock, new RecordingAuditSink(), new Outbox());
            ApprovalGate gate = b.gate(gateId).orElseThrow();
            List<ApprovalGate.Entry> trail = gate.trail();
            Set<String> stored = new HashSet<>();
            for (ApprovalGate.Entry e : trail) {
                assertTrue(stored.add(e.approver()), "a vote is stored twice: " + e.approver());
            }
            assertTrue(stored.containsAll(recorded), "a vote A reported recorded is lost: " + recorded + " vs " + stored);
            RequestDigest release = RequestDigest.of("release-44");
            int opened = 0;
            for (String name : gate.approvers()) {
                Approval v = gate.approve(name, codes.get(name), release);
                if (stored.contains(name)) {
                    assertEquals(Approval.Outcome.ALREADY_DECIDED, v.outcome(), name);
                } else {
                    assertTrue(v.recorded(), name + " could not vote after the kill: " + v.outcome());
                    opened += v.outcome() == Approval.Outcome.OPENED ? 1 : 0;
                }
            }
            assertEquals(ApprovalGate.MAX_APPROVERS, gate.trail().size(), "every approver's vote, once");
            assertTrue(gate.isOpen());
            assertTrue(opened <= 1);
        }
    }
}
