package dev.latch;

import dev.latch.testing.FailingStore;
import dev.latch.testing.ManualScheduler;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BreakGlassTest {
    private final MutableClock clock = MutableClock.monday10am();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final Outbox outbox = new Outbox();
    private final FailingStore store = new FailingStore(dev.latch.spi.LatchStore.inMemory());
    private final Latches latches = Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
            .store(store).auditSink(audit).scheduler(scheduler).delivery(DeliveryChain.builder().then(outbox).build())
            .build();

    private Verdict.Opened useEmergencyCode() {
        BreakGlass glass = BreakGlass.builder(latches).build();
        BreakGlass.Request req = glass.request("prod-db", "carol", "INC-7: primary down");
        DeliveryReceipt r = req.release();
        assertEquals("outbox", r.channel());
        String code = outbox.lastCodeFor("carol").orElseThrow();
        assertEquals(8, code.length(), "EMERGENCY codes have eight digits");
        Verdict v = latches.open("prod-db", code, AccessContext.of("carol"));
        Verdict.Opened opened = assertInstanceOf(Verdict.Opened.class, v);
        assertTrue(opened.reviewDue());
        assertFalse(latches.open("prod-db", code, AccessContext.of("carol")).isOpen(), "single use");
        return opened;
    }

    @Test
    void emergencyCodeOpensOnceAndLeavesAPendingReview() {
        Verdict.Opened opened = useEmergencyCode();
        Review review = latches.review(opened.codeId()).orElseThrow();
        assertEquals(Review.State.PENDING, review.state());
        assertEquals("carol", review.subject());
        assertEquals("prod-db", review.latchId());
        assertEquals(clock.instant().plus(LatchPolicy.DEFAULT_REVIEW_WITHIN), review.deadline());
        assertEquals(1, audit.ofType(AuditEvent.Type.REVIEWED).size());
    }

    @Test
    void emergencyCodeExpiresAfterTenMinutes() {
        BreakGlass.Request req = BreakGlass.builder(latches).build().request("prod-db", "carol", "INC-8");
        req.release();
        clock.advance(Duration.ofMinutes(10));
        Verdict v = latches.open("prod-db", outbox.lastCodeFor("carol").orElseThrow(), AccessContext.of("carol"));
        assertEquals(DenialReason.EXPIRED, ((Verdict.Denied) v).reason());
    }

    @Test
    void acknowledgedReviewNeverEscalates_selfReviewIsRefused() {
        Verdict.Opened opened = useEmergencyCode();
        assertThrows(IllegalArgumentException.class, () -> latches.acknowledgeReview(opened.codeId(), "carol", "fine"));
        Review done = latches.acknowledgeReview(opened.codeId(), "dave", "restart was justified");
        assertEquals(Review.State.ACKNOWLEDGED, done.state());
        assertEquals("dave", done.reviewer());
        assertThrows(IllegalStateException.class, () -> latches.acknowledgeReview(opened.codeId(), "erin", "again"));
        scheduler.advance(Duration.ofHours(25));
        assertTrue(audit.ofType(AuditEvent.Type.ESCALATION).isEmpty());
        assertThrows(IllegalStateException.class, () -> latches.acknowledgeReview("c_unknown", "dave", "x"));
    }

    @Test
    void overdueReviewEscalatesOnceAtTheDeadline() {
        Verdict.Opened opened = useEmergencyCode();
        scheduler.advance(Duration.ofHours(23));
        assertTrue(audit.ofType(AuditEvent.Type.ESCALATION).isEmpty());
        scheduler.advance(Duration.ofHours(1));
        assertEquals(1, audit.ofType(AuditEvent.Type.ESCALATION).size());
        AuditEvent e = audit.ofType(AuditEvent.Type.ESCALATION).get(0);
        assertEquals(AuditEvent.Outcome.ALERT, e.outcome());
        assertEquals("carol", e.subject());
        assertEquals(Review.State.ESCALATED, latches.checkReview(opened.codeId()).orElseThrow().state());
        assertEquals(1, audit.ofType(AuditEvent.Type.ESCALATION).size(), "checking again does not escalate twice");
        Review late = latches.acknowledgeReview(opened.codeId(), "dave", "late but done");
        assertEquals(Review.State.ACKNOWLEDGED, late.state());
        assertEquals(1, audit.count(AuditEvent.Type.REVIEWED, "ACKNOWLEDGED_LATE", "NOTE", "late but done"));
    }

    @Test
    void reviewWithinComesFromThePolicy() {
        LatchPolicy quick = LatchPolicy.from(LatchPolicy.EMERGENCY).reviewWithin(Duration.ofHours(2)).build();
        BreakGlass glass = BreakGlass.builder(latches).policy(quick).build();
        glass.request("prod-db", "carol", "INC-9").release();
        Verdict.Opened opened = (Verdict.Opened) latches.open("prod-db", outbox.lastCodeFor("carol").orElseThrow(),
                AccessContext.of("carol"));
        assertEquals(clock.instant().plus(Duration.ofHours(2)), latches.review(opened.codeId()).orElseThrow().deadline());
        assertThrows(IllegalArgumentException.class, () -> BreakGlass.builder(latches).policy(LatchPolicy.HIGH));
        assertThrows(IllegalArgumentException.class, () -> BreakGlass.builder(latches).approvers(3, "alice", "bob"));
        assertThrows(IllegalArgumentException.class, () -> BreakGlass.builder(latches).approvers(1));
        BreakGlass selfApproving = BreakGlass.builder(latches).approvers(1, "carol", "bob").build();
        assertThrows(IllegalArgumentException.class, () -> selfApproving.request("prod-db", "carol", "INC-12"),
                "the requester is one of the approvers");
    }

    @Test
    void quorumMustApproveBeforeTheCodeIsReleased_andOnlyOnce() {
        BreakGlass glass = BreakGlass.builder(latches).approvers(1, "alice", "bob").build();
        BreakGlass.Request req = glass.request("prod-db", "carol", "INC-10: disk full");
        ApprovalGate gate = req.gate().orElseThrow();
        assertThrows(IllegalStateException.class, req::release, "not approved yet");
        assertTrue(outbox.lastCodeFor("carol").isEmpty());
        assertEquals(Approval.Outcome.SELF_APPROVAL, gate.approve("carol", "123456", req.digest()).outcome());
        Approval ok = gate.approve("alice", outbox.lastCodeFor("alice").orElseThrow(), req.digest());
        assertEquals(Approval.Outcome.OPENED, ok.outcome());
        req.release();
        assertThrows(IllegalStateException.class, req::release, "released once");
        String code = outbox.lastCodeFor("carol").orElseThrow();
        assertTrue(latches.open("prod-db", code, AccessContext.of("carol")).isOpen());
    }

    @Test
    void aStoreThatFailsWhileRecordingTheReviewFailsClosed() {
        BreakGlass.Request req = BreakGlass.builder(latches).build().request("prod-db", "carol", "INC-11");
        req.release();
        String code = outbox.lastCodeFor("carol").orElseThrow();
        store.fail = true;
        assertThrows(LatchStoreException.class, () -> latches.open("prod-db", code, AccessContext.of("carol")));
        store.fail = false;
        assertEquals(1, audit.ofType(AuditEvent.Type.STORE_FAILURE).size());
    }
}
