package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.DeliveryChain.Outbox;

import dev.latch.ApprovalGate.Approval;

import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;
import dev.latch.testing.ManualScheduler;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApprovalGateTest {
    private final MutableClock clock = MutableClock.monday10am();
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final Outbox outbox = new Outbox();
    private final Pepper pepper = Pepper.generate(new java.security.SecureRandom());
    private final dev.latch.spi.LatchStore store = dev.latch.Latches.inMemoryStore();
    private final Latches latches = Latches.builder().clock(clock).pepper(pepper).store(store)
            .auditSink(audit).scheduler(new ManualScheduler(clock)).issueRateLimit(RateLimit.of(100, Duration.ofMinutes(15)))
            .delivery(DeliveryChain.builder().then(outbox).build()).build();
    private final RequestDigest release42 = RequestDigest.of("deploy prod release-42 sha256:aa11");
    private final RequestDigest release43 = RequestDigest.of("deploy prod release-43 sha256:bb22");

    private ApprovalGate gate(RequestDigest digest) {
        return latches.approvalGate("deploy:prod", digest).requester("dave")
                .approvers("alice", "bob", "carol").quorum(2).request();
    }

    private String code(String approver) {
        return outbox.lastCodeFor(approver).orElseThrow();
    }

    @Test
    void opensOnlyWhenTwoDistinctApproversApprove() {
        ApprovalGate gate = gate(release42);
        assertEquals(ApprovalGate.Status.PENDING, gate.status());
        Approval a = gate.approve("alice", code("alice"), release42);
        assertEquals(Approval.Outcome.APPROVED, a.outcome());
        assertEquals(1, a.approvals());
        assertFalse(gate.isOpen());
        Approval again = gate.approve("alice", code("alice"), release42);
        assertEquals(Approval.Outcome.ALREADY_DECIDED, again.outcome(), "a second approval by the same approver");
        assertEquals(1, again.approvals());
        Approval b = gate.approve("bob", code("bob"), release42);
        assertEquals(Approval.Outcome.OPENED, b.outcome());
        assertTrue(gate.isOpen());
        assertEquals(Approval.Outcome.GATE_DECIDED, gate.approve("carol", code("carol"), release42).outcome());

        List<ApprovalGate.Entry> trail = gate.trail();
        assertEquals(List.of("alice", "bob"), trail.stream().map(ApprovalGate.Entry::approver).toList(),
                "the trail holds the votes recorded; refusals are audit events");
        assertEquals(List.of(Approval.Outcome.APPROVED, Approval.Outcome.OPENED),
                trail.stream().map(ApprovalGate.Entry::outcome).toList());
        assertEquals(1, audit.count(AuditEvent.Type.APPROVAL, "GATE_OPEN"));
        assertTrue(audit.ofType(AuditEvent.Type.APPROVAL).stream()
                .anyMatch(e -> "bob".equals(e.subject()) && "OPENED".equals(e.reason()) && gate.id().equals(e.details().get("GATE"))));
    }

    @Test
    void requesterCanNeverApprove() {
        assertThrows(IllegalArgumentException.class, () -> latches.approvalGate("deploy:prod", release42)
                .requester("alice").approvers("alice", "bob").quorum(1).request());
        ApprovalGate gate = gate(release42);
        assertEquals(Approval.Outcome.SELF_APPROVAL, gate.approve("dave", code("alice"), release42).outcome());
        assertEquals(0, gate.approve("mallory", code("alice"), release42).approvals());
        assertEquals(Approval.Outcome.NOT_AN_APPROVER, gate.approve("mallory", code("alice"), release42).outcome());
        assertEquals(Approval.Outcome.MALFORMED, gate.approve(null, code("alice"), release42).outcome());
        // An approver name that could forge an audit log line is refused as malformed, not audited.
        assertEquals(Approval.Outcome.MALFORMED,
                gate.approve("mallory\nAPPROVAL outcome=SUCCESS subject=bob", code("alice"), release42).outcome());
        assertEquals(Approval.Outcome.MALFORMED, gate.approve("mallory\uD800", code("alice"), release42).outcome());
        assertTrue(audit.events().stream().allMatch(e -> e.subject() == null
                || e.subject().chars().noneMatch(c -> Character.isISOControl(c) || Character.isSurrogate((char) c))));
        assertEquals(Approval.Outcome.MALFORMED, gate.approve("alice", code("alice"), null).outcome());
        assertEquals(Approval.Outcome.MALFORMED, gate.approve("alice", null, release42).outcome());
        assertEquals(Approval.Outcome.APPROVED, gate.approve("alice", code("alice"), release42).outcome(),
                "refusals did not consume alice's code or corrupt the gate");
    }

    @Test
    void approvalsAreBoundToTheRequestDigest() {
        ApprovalGate gate42 = gate(release42);
        String alice42 = code("alice");
        ApprovalGate gate43 = gate(release43);
        assertEquals(Approval.Outcome.WRONG_CODE, gate43.approve("alice", alice42, release43).outcome(),
                "a code for release-42 never approves release-43");
        assertEquals(Approval.Outcome.REQUEST_MISMATCH, gate42.approve("alice", alice42, release43).outcome());
        assertEquals(Approval.Outcome.APPROVED, gate42.approve("alice", alice42, release42).outcome());
        assertEquals(Approval.Outcome.WRONG_CODE, gate42.approve("bob", code("alice"), release42).outcome(),
                "each approver has their own code");
    }

    @Test
    void anyDenyClosesTheGate() {
        ApprovalGate gate = gate(release42);
        gate.approve("alice", code("alice"), release42);
        Approval no = gate.deny("carol", code("carol"), release42);
        assertEquals(Approval.Outcome.DENIED, no.outcome());
        assertEquals(ApprovalGate.Status.DENIED, gate.status());
        assertEquals(Approval.Outcome.GATE_DECIDED, gate.approve("bob", code("bob"), release42).outcome());
        assertFalse(gate.isOpen());
        ApprovalGate other = gate(release42);
        String bobs = code("bob");
        assertEquals(Approval.Outcome.WRONG_CODE, other.deny("bob", "000000".equals(bobs) ? "000001" : "000000",
                release42).outcome(),
                "a deny needs a valid code too");
    }

    @Test
    void theGateExpires() {
        ApprovalGate gate = gate(release42);
        gate.approve("alice", code("alice"), release42);
        clock.advance(Duration.ofMinutes(15));
        Approval late = gate.approve("bob", code("bob"), release42);
        assertEquals(Approval.Outcome.EXPIRED, late.outcome());
        assertEquals(ApprovalGate.Status.EXPIRED, gate.status());
    }

    @Test
    void racingApprovalsDecideTheGateOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            outbox.clear();
            ApprovalGate gate = latches.approvalGate("deploy:prod", release42).requester("dave")
                    .approvers("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8").quorum(3).request();
            CyclicBarrier barrier = new CyclicBarrier(8);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Approval>> fs = new java.util.ArrayList<>();
                for (String a : gate.approvers()) {
                    String c = code(a);
                    fs.add(pool.submit(() -> {
                        barrier.await();
                        return gate.approve(a, c, release42);
                    }));
                }
                int recorded = 0;
                for (Future<Approval> f : fs) {
                    recorded += f.get().recorded() ? 1 : 0;
                }
                assertTrue(recorded >= 3, "round " + round);
                assertTrue(gate.isOpen());
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(10, audit.count(AuditEvent.Type.APPROVAL, "GATE_OPEN"), "each gate decided exactly once");
    }

    @Test
    void fewerReachableApproversThanTheQuorum_failsAndRevokesEveryCode() {
        DeliveryChannel onlyAlice = new DeliveryChannel() {
            @Override
            public String name() {
                return "picky";
            }

            @Override
            public void deliver(Delivery d) throws IOException {
                if (!d.recipient().equals("alice")) {
                    throw new IOException("unknown");
                }
                outbox.deliver(d);
            }
        };
        Latches l = Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .auditSink(audit).delivery(DeliveryChain.builder().then(onlyAlice).build()).build();
        assertThrows(DeliveryFailedException.class, () -> l.approvalGate("deploy:prod", release42).requester("dave")
                .approvers("alice", "bob", "carol").quorum(2).request());
        assertEquals(1, audit.count(AuditEvent.Type.APPROVAL, "GATE_DENIED"), "the gate is recorded as denied");
        assertThrows(IllegalArgumentException.class, () -> latches.approvalGate("deploy:prod", release42)
                .requester("dave").approvers("alice", "bob").quorum(3).request());
        assertThrows(IllegalArgumentException.class, () -> latches.approvalGate("deploy:prod", release42)
                .requester("dave").approvers("alice", "alice"));
        assertThrows(IllegalArgumentException.class, () -> latches.approvalGate("~gate/x", release42));
    }

    @Test
    void anotherInstanceFindsTheGate_andVotesThere_afterTheFirstIsGone() {
        ApprovalGate gate = gate(release42);
        assertEquals(Approval.Outcome.APPROVED, gate.approve("alice", code("alice"), release42).outcome());
        // a second instance on the same store and pepper, as after a restart or behind a load balancer
        Latches other = Latches.builder().clock(clock).pepper(pepper).store(store).auditSink(audit)
                .delivery(DeliveryChain.builder().then(outbox).build()).build();
        ApprovalGate there = other.gate(gate.id()).orElseThrow();
        assertEquals(gate.approvers(), there.approvers());
        assertEquals(2, there.quorum());
        assertEquals(gate.expiresAt(), there.expiresAt());
        assertEquals(gate.codeIdOf("bob"), there.codeIdOf("bob"));
        assertEquals(Approval.Outcome.ALREADY_DECIDED, there.approve("alice", code("alice"), release42).outcome());
        assertEquals(Approval.Outcome.OPENED, there.approve("bob", code("bob"), release42).outcome());
        assertTrue(gate.isOpen(), "the first instance's handle reads the store");
        assertEquals(List.of("alice", "bob"), gate.trail().stream().map(ApprovalGate.Entry::approver).toList());
        assertTrue(other.gate("g_unknown").isEmpty());
        assertTrue(other.gate("x\nFORGED").isEmpty());
        assertTrue(other.gate(null).isEmpty());
        assertTrue(other.gate("g".repeat(1 << 20)).isEmpty());
        assertEquals(1, audit.count(AuditEvent.Type.APPROVAL, "NO_GATE"));
        assertEquals(3, audit.count(AuditEvent.Type.APPROVAL, "MALFORMED_ID"), "audited without the id");
        assertTrue(audit.events().stream().noneMatch(e -> e.describe().contains("FORGED")));
    }

    @Test
    void wrongCodesBurnOnlyThatApproversCode() {
        ApprovalGate gate = gate(release42);
        String wrong = code("alice").equals("000000") ? "111111" : "000000";
        for (int i = 0; i < LatchPolicy.HIGH.maxAttempts(); i++) {
            assertEquals(Approval.Outcome.WRONG_CODE, gate.approve("alice", wrong, release42).outcome());
        }
        assertEquals(Approval.Outcome.LOCKED, gate.approve("alice", code("alice"), release42).outcome(),
                "burned after the policy's attempts");
        assertEquals(Approval.Outcome.MALFORMED, gate.approve("bob", "not a code!", release42).outcome());
        assertEquals(Approval.Outcome.APPROVED, gate.approve("bob", code("bob"), release42).outcome());
        assertEquals(Approval.Outcome.OPENED, gate.approve("carol", code("carol"), release42).outcome());
    }

    @Test
    void racingVotes_onTwoInstances_eachApproverOnce_firstDecisionWins() throws Exception {
        Latches other = Latches.builder().clock(clock).pepper(pepper).store(store).auditSink(audit)
                .delivery(DeliveryChain.builder().then(outbox).build()).build();
        String[] names = new String[ApprovalGate.MAX_APPROVERS];
        for (int i = 0; i < names.length; i++) {
            names[i] = "approver-" + i;
        }
        for (int round = 0; round < 10; round++) {
            RequestDigest digest = RequestDigest.of("release " + round);
            ApprovalGate gate = latches.approvalGate("deploy:prod", digest).requester("dave").approvers(names).quorum(8)
                    .request();
            ApprovalGate there = other.gate(gate.id()).orElseThrow();
            int threads = 64; // 32 per instance: each approver votes from both instances, and one in four denies
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            List<java.util.concurrent.Future<Approval>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ApprovalGate g = t % 2 == 0 ? gate : there;
                String name = names[(t / 2) % names.length];
                boolean deny = t % 8 == 7;
                String c = code(name);
                results.add(pool.submit(() -> {
                    barrier.await();
                    return deny ? g.deny(name, c, digest) : g.approve(name, c, digest);
                }));
            }
            java.util.Map<String, Integer> recorded = new java.util.HashMap<>();
            int decisions = 0;
            for (java.util.concurrent.Future<Approval> f : results) {
                Approval a = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (a.recorded()) {
                    recorded.merge(a.approver(), 1, Integer::sum);
                }
                if (a.outcome() == Approval.Outcome.OPENED || a.outcome() == Approval.Outcome.DENIED) {
                    decisions++;
                }
                assertTrue(a.recorded() || a.outcome() == Approval.Outcome.ALREADY_DECIDED
                        || a.outcome() == Approval.Outcome.GATE_DECIDED, a.toString());
            }
            pool.shutdownNow();
            assertTrue(recorded.values().stream().allMatch(n -> n == 1), "one vote per approver: " + recorded);
            assertEquals(1, decisions, "the first decision wins, once");
            List<ApprovalGate.Entry> trail = gate.trail();
            assertEquals(recorded.size(), trail.size(), "every vote told 'recorded' is in the store");
            ApprovalGate.Status status = gate.status();
            assertTrue(status == ApprovalGate.Status.OPEN || status == ApprovalGate.Status.DENIED);
            if (status == ApprovalGate.Status.OPEN) {
                assertEquals(8, trail.stream().filter(e -> e.outcome() != Approval.Outcome.DENIED).count());
            }
        }
    }

    @Test
    void gateCodesCannotBeOpenedDirectly() {
        ApprovalGate gate = gate(release42);
        Verdict v = latches.open("~gate/" + gate.id(), code("alice"),
                AccessContext.builder("alice").request(release42).build());
        assertEquals(DenialReason.MALFORMED, ((Verdict.Denied) v).reason());
        assertEquals(Approval.Outcome.APPROVED, gate.approve("alice", code("alice"), release42).outcome());
    }
}
