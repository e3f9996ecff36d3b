package dev.latch;

import dev.latch.DeliveryChain.Outbox;
import dev.latch.StaticKeySpec.Rotation;
import dev.latch.Verdict.DenialReason;
import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;
import dev.latch.testing.ManualScheduler;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyRotationTest {
    private static final Pepper PEPPER = Pepper.of("key-rotation-test-pepper-0123456789".getBytes(StandardCharsets.US_ASCII));
    private final MutableClock clock = MutableClock.monday10am();
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final Rotation weekly = new Rotation(Duration.ofDays(7), Duration.ofDays(1), Duration.ofHours(12), true, "ops");

    private Latches latches(DeliveryChannel channel) {
        Latches.Builder b = Latches.builder().pepper(PEPPER).clock(clock).auditSink(audit).pollDueWork(Duration.ZERO)
                .scheduler(new ManualScheduler(clock));
        if (channel != null) {
            b.delivery(DeliveryChain.builder().then(channel).build());
        }
        return b.build();
    }

    private static AccessContext as(String s) {
        return AccessContext.of(s);
    }

    @Test
    void aScheduleNeedsADeliveryChainAndNothingIsIssuedWithoutOne() {
        Latches latches = latches(null);
        assertThrows(IllegalStateException.class, () -> latches.issueStaticKey(StaticKeySpec.builder("svc").rotation(weekly).build()));
        assertEquals(0, audit.ofType(AuditEvent.Type.ISSUED).size(), "no key left behind");
    }

    @Test
    void whenNoChannelDeliversTheSuccessorTheOldKeyStaysAndTheSuccessorIsRevoked() {
        Outbox outbox = new Outbox();
        boolean[] down = {false};
        DeliveryChannel flaky = new DeliveryChannel() {
            @Override
            public String name() {
                return "mail";
            }

            @Override
            public void deliver(Delivery d) throws IOException {
                if (down[0]) {
                    throw new IOException("smtp down");
                }
                outbox.deliver(d);
            }
        };
        Latches latches = latches(flaky);
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").rotation(weekly).build());
        down[0] = true;
        clock.advance(Duration.ofDays(7));
        assertEquals(2, latches.runDueWork(), "the warning and the rotation ran");
        assertEquals(1, audit.count(AuditEvent.Type.ALERT, "KEY_ROTATION_FAILED"));
        assertEquals(StaticKeyInfo.State.ACTIVE, latches.keyInfo(key.keyId()).orElseThrow().state());
        assertTrue(latches.authenticate(key.key(), as("svc")).isOpen(), "no outage: the old key keeps working");
        String successorId = audit.ofType(AuditEvent.Type.ALERT).stream().filter(e -> "KEY_ROTATION_FAILED".equals(e.reason()))
                .findFirst().orElseThrow().details().get("SUCCESSOR");
        assertEquals(StaticKeyInfo.State.REVOKED, latches.keyInfo(successorId).orElseThrow().state());
        assertTrue(outbox.deliveries().isEmpty());
    }

    @Test
    void aRotationOnRequestCarriesTheScheduleToTheSuccessor() {
        Outbox outbox = new Outbox();
        Latches latches = latches(outbox);
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").rotation(weekly).build());
        clock.advance(Duration.ofDays(2));
        IssuedStaticKey next = latches.rotate(key.keyId(), Duration.ofHours(1));
        clock.advance(Duration.ofDays(5));
        assertEquals(0, latches.runDueWork(), "the old key's schedule was cancelled");
        clock.advance(Duration.ofDays(1)); // six days after the rotation: the successor's warning
        assertEquals(1, latches.runDueWork());
        Delivery warning = outbox.deliveries().get(0);
        assertEquals(Delivery.Kind.KEY_ROTATION_DUE, warning.kind());
        assertEquals(next.keyId(), warning.codeId());
        assertFalse(warning.toString().contains(next.key()));
    }

    @Test
    void aStoreFailureNeverLeavesAKeyNobodyHolds() {
        dev.latch.testing.FailingStore failing = new dev.latch.testing.FailingStore(Latches.inMemoryStore());
        Outbox outbox = new Outbox();
        Latches latches = Latches.builder().pepper(PEPPER).clock(clock).auditSink(audit).pollDueWork(Duration.ZERO)
                .scheduler(new ManualScheduler(clock)).store(failing).delivery(DeliveryChain.builder().then(outbox).build())
                .build();
        failing.failMarkers = true;
        assertThrows(LatchStoreException.class,
                () -> latches.issueStaticKey(StaticKeySpec.builder("svc").rotation(weekly).build()));
        String orphan = audit.ofType(AuditEvent.Type.ISSUED).get(0).codeId();
        failing.failMarkers = false;
        assertEquals(StaticKeyInfo.State.REVOKED, latches.keyInfo(orphan).orElseThrow().state(),
                "a key whose schedule could not be stored is revoked, not left live");
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").rotation(weekly).build());
        // a rotation on request whose schedule cannot be carried over still hands out the new key
        failing.failMarkers = true;
        IssuedStaticKey next = latches.rotate(key.keyId(), Duration.ofHours(1));
        failing.failMarkers = false;
        assertTrue(latches.authenticate(next.key(), as("svc")).isOpen());
        assertEquals(1, audit.count(AuditEvent.Type.ALERT, "ROTATION_SCHEDULE_NOT_CARRIED"));
    }

    @Test
    void aRevokedKeyIsNotRotated() {
        Outbox outbox = new Outbox();
        Latches latches = latches(outbox);
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").rotation(weekly).build());
        latches.revokeKey(key.keyId());
        clock.advance(Duration.ofDays(8));
        latches.runDueWork();
        assertTrue(outbox.deliveries().isEmpty());
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), latches.authenticate(key.key(), as("svc")));
    }

    @Test
    void warningOnlySchedulesNeverRotate() {
        Outbox outbox = new Outbox();
        Latches latches = latches(outbox);
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc")
                .rotation(new Rotation(Duration.ofDays(7), Duration.ofDays(1), Duration.ZERO, false, "ops")).build());
        clock.advance(Duration.ofDays(30));
        assertEquals(1, latches.runDueWork());
        assertEquals(List.of(Delivery.Kind.KEY_ROTATION_DUE), outbox.deliveries().stream().map(Delivery::kind).toList());
        assertEquals(StaticKeyInfo.State.ACTIVE, latches.keyInfo(key.keyId()).orElseThrow().state());
    }

    @Test
    void schedulesBelowTheRulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Rotation(Duration.ofDays(7), Duration.ofDays(1),
                Latches.MAX_OVERLAP.plusDays(1), true, "ops"), "an overlap longer than the maximum");
        assertThrows(IllegalArgumentException.class, () -> new Rotation(Duration.ofDays(7), Duration.ofDays(7),
                Duration.ZERO, true, "ops"), "a warning no earlier than the rotation");
        assertThrows(IllegalArgumentException.class, () -> new Rotation(Duration.ofMinutes(5), Duration.ZERO,
                Duration.ZERO, true, "ops"));
        assertThrows(IllegalArgumentException.class, () -> new Rotation(Duration.ofDays(7), Duration.ZERO,
                Duration.ZERO, false, "ops"), "neither warns nor rotates");
        assertThrows(IllegalArgumentException.class, () -> new Rotation(Duration.ofDays(7), Duration.ofDays(1),
                Duration.ZERO, true, "x\nFORGED"));
        assertThrows(IllegalArgumentException.class, () -> new Rotation(null, Duration.ZERO, Duration.ZERO, true, "ops"));
        assertThrows(IllegalStateException.class, () -> StaticKeySpec.builder("svc").rotation(weekly).rotation(weekly));
    }
}
