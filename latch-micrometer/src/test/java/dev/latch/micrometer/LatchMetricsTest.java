package dev.latch.micrometer;

import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.LatchStoreException;
import dev.latch.Latches;
import dev.latch.LockoutPolicy;
import dev.latch.Pepper;
import dev.latch.Verdict;
import dev.latch.testing.FailingStore;
import dev.latch.testing.MutableClock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatchMetricsTest {
    private static final Pepper PEPPER = Pepper.of("abcdefghijklmnopqrstuvwxyz012345".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LatchMetrics metrics = LatchMetrics.of(registry);
    private final MutableClock clock = MutableClock.monday10am();

    private Latches latches() {
        return Latches.builder().pepper(PEPPER).clock(clock).store(metrics.timed(Latches.inMemoryStore()))
                .auditSink(metrics).lockout(LockoutPolicy.of(3, Duration.ofMinutes(5), Duration.ofMinutes(30))).pollDueWork(Duration.ZERO)
                .build();
    }

    private double events(String type, String outcome) {
        return registry.get(LatchMetrics.EVENTS).tags("type", type, "outcome", outcome).counter().count();
    }

    private double denials(String reason) {
        return registry.get(LatchMetrics.DENIALS).tag("reason", reason).counter().count();
    }

    @Test
    void countsIssuesOpensDenialsAndLockouts() {
        Latches latches = latches();
        IssuedCode a = latches.issue(LatchPolicy.HIGH, "deploy", "alice");
        assertTrue(latches.open("deploy", a.code(), AccessContext.of("alice")).isOpen());
        latches.issue(LatchPolicy.HIGH, "deploy", "bob");
        for (int i = 0; i < 3; i++) {
            latches.open("deploy", "00000000", AccessContext.of("bob"));
        }
        assertEquals(2, events("ISSUED", "SUCCESS"));
        assertEquals(1, events("OPENED", "SUCCESS"));
        assertTrue(denials("WRONG_CODE") >= 2, "wrong codes are counted by reason");
        assertEquals(1, registry.get(LatchMetrics.LOCKOUTS).counter().count());
        assertEquals(1, events("LOCKED_OUT", "ALERT") + events("LOCKED_OUT", "FAILURE"));
    }

    @Test
    void timesStoreCallsByOperation() {
        Latches latches = latches();
        IssuedCode a = latches.issue(LatchPolicy.HIGH, "deploy", "alice");
        latches.open("deploy", a.code(), AccessContext.of("alice"));
        Timer open = registry.get(LatchMetrics.STORE).tags("operation", "open", "outcome", "ok").timer();
        Timer issue = registry.get(LatchMetrics.STORE).tags("operation", "issue", "outcome", "ok").timer();
        assertEquals(1, open.count());
        assertEquals(1, issue.count());
        assertTrue(open.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
    }

    @Test
    void aFailingStoreIsTimedAsAnErrorAndStillFailsClosed() {
        FailingStore failing = new FailingStore(Latches.inMemoryStore());
        Latches latches = Latches.builder().pepper(PEPPER).clock(clock).store(metrics.timed(failing)).auditSink(metrics)
                .pollDueWork(Duration.ZERO).build();
        IssuedCode a = latches.issue(LatchPolicy.HIGH, "deploy", "alice");
        failing.fail = true;
        assertThrows(LatchStoreException.class, () -> latches.open("deploy", a.code(), AccessContext.of("alice")));
        assertEquals(1, registry.get(LatchMetrics.STORE).tags("operation", "open", "outcome", "error").timer().count());
        assertEquals(1, events("STORE_FAILURE", "FAILURE"));
    }

    @Test
    void tagsAreBoundedAndCarryNoSubjectLatchOrCodeId() {
        Latches latches = latches();
        Set<String> secrets = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String subject = "user-" + i;
            String latch = "latch-" + i;
            IssuedCode c = latches.issue(LatchPolicy.HIGH, latch, subject);
            secrets.add(subject);
            secrets.add(latch);
            secrets.add(c.codeId());
            secrets.add(c.code());
            latches.open(latch, c.code(), AccessContext.of(subject));
            // events with made-up reasons, as a custom signer might send
            metrics.accept(new AuditEvent(AuditEvent.Type.DENIED, Instant.EPOCH, latch, c.codeId(), subject, null,
                    AuditEvent.Outcome.FAILURE, "CUSTOM_" + i));
            metrics.accept(new AuditEvent(AuditEvent.Type.DENIED, Instant.EPOCH, latch, c.codeId(), subject, null,
                    AuditEvent.Outcome.FAILURE, subject));
        }
        int meters = registry.getMeters().size();
        int bound = AuditEvent.Type.values().length * AuditEvent.Outcome.values().length
                + dev.latch.Verdict.DenialReason.values().length + LatchMetrics.MAX_REASONS + 1 + 1
                + 2 * 25;
        assertTrue(meters <= bound, meters + " meters, bound " + bound);
        for (Meter m : registry.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                assertFalse(secrets.contains(t.getValue()), "tag " + t);
            }
        }
        assertEquals(300 - LatchMetrics.MAX_REASONS + 300, denials(LatchMetrics.OTHER));
    }

    @Test
    void reasonTokens() {
        assertTrue(LatchMetrics.token("WRONG_CODE"));
        assertTrue(LatchMetrics.token("HEADER_JWK"));
        assertFalse(LatchMetrics.token(""));
        assertFalse(LatchMetrics.token("wrong"));
        assertFalse(LatchMetrics.token("_X"));
        assertFalse(LatchMetrics.token("A B"));
        assertFalse(LatchMetrics.token("A".repeat(49)));
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> LatchMetrics.of(null));
        assertThrows(IllegalArgumentException.class, () -> metrics.timed(null));
        metrics.accept(null);
        Verdict v = latches().open("deploy", null, AccessContext.of("x"));
        assertFalse(v.isOpen());
        assertEquals(1, denials("MALFORMED"));
    }
}
