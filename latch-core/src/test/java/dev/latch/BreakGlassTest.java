package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.DeliveryChain.Outbox;

import dev.latch.DeliveryChain.DeliveryReceipt;

import dev.latch.ApprovalGate.Approval;

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
    private final FailingStore store = new FailingStore(dev.latch.Latches.inMemoryStore());
    private final Pepper pepper = Pepper.generate(new java.security.SecureRandom());
    private final Latches latches = Latches.builder().clock(clock).pepper(pepper)
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
        assertEquals(Review.Outcome.SELF_REVIEW, latches.acknowledgeReview(opened.codeId(), "carol", "fine").outcome());
        Review.Acknowledgement ack = latches.acknowledgeReview(opened.codeId(), "dave", "restart was justified");
        assertEquals(Review.Outcome.ACKNOWLEDGED, ack.outcome());
        Review done = ack.review();
        assertEquals(Review.State.ACKNOWLEDGED, done.state());
        assertEquals("dave", done.reviewer());
        Review.Acknowledgement again = latches.acknowledgeReview(opened.codeId(), "erin", "again");
        assertEquals(Review.Outcome.ALREADY_ACKNOWLEDGED, again.outcome());
        assertEquals("dave", again.review().reviewer(), "the first acknowledgement stands");
        scheduler.advance(Duration.ofHours(25));
        assertTrue(audit.ofType(AuditEvent.Type.ESCALATION).isEmpty());
        assertEquals(Review.Outcome.NO_REVIEW, latches.acknowledgeReview("c_unknown", "dave", "x").outcome());
        assertEquals(1, audit.count(AuditEvent.Type.REVIEWED, "SELF_REVIEW"));
        assertEquals(1, audit.count(AuditEvent.Type.REVIEWED, "ALREADY_ACKNOWLEDGED"));
        assertEquals(1, audit.count(AuditEvent.Type.REVIEWED, "NO_REVIEW"));
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
        Review.Acknowledgement late = latches.acknowledgeReview(opened.codeId(), "dave", "late but done");
        assertEquals(Review.Outcome.ACKNOWLEDGED_LATE, late.outcome());
        assertEquals(Review.State.ACKNOWLEDGED, late.review().state());
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

    @Test
    void policyReviewers_onlyTheyMayAcknowledge() {
        LatchPolicy named = LatchPolicy.from(LatchPolicy.EMERGENCY).reviewers("dave", "erin").build();
        BreakGlass.builder(latches).policy(named).build().request("prod-db", "carol", "INC-13").release();
        Verdict.Opened opened = (Verdict.Opened) latches.open("prod-db", outbox.lastCodeFor("carol").orElseThrow(),
                AccessContext.of("carol"));
        assertEquals(java.util.Set.of("dave", "erin"), latches.review(opened.codeId()).orElseThrow().reviewers());
        Review.Acknowledgement mallory = latches.acknowledgeReview(opened.codeId(), "mallory", "looks fine");
        assertEquals(Review.Outcome.NOT_A_REVIEWER, mallory.outcome());
        assertEquals(Review.State.PENDING, latches.review(opened.codeId()).orElseThrow().state(), "nothing changed");
        assertEquals(Review.Outcome.ACKNOWLEDGED, latches.acknowledgeReview(opened.codeId(), "erin", "ok").outcome());
        assertThrows(IllegalArgumentException.class, () -> LatchPolicy.from(LatchPolicy.EMERGENCY).reviewers());
        assertThrows(IllegalArgumentException.class, () -> LatchPolicy.from(LatchPolicy.EMERGENCY).reviewers("a", "a"));
        assertThrows(IllegalArgumentException.class, () -> LatchPolicy.from(LatchPolicy.EMERGENCY).reviewers("a,b"));
    }

    @Test
    void badInputToAcknowledge_isATypedDenial_neverEchoed_andChangesNothing() {
        Verdict.Opened opened = useEmergencyCode();
        String[] badIds = {null, "", "x\nFORGED", "\u001b[31m", "a\u0000b", "c".repeat(1 << 20)};
        for (String bad : badIds) {
            assertEquals(Review.Outcome.NO_REVIEW, latches.acknowledgeReview(bad, "dave", "ok").outcome());
        }
        String[] badText = {null, "", "x\nFORGED", "\u001b[31m", "a\u0000b", "c".repeat(1 << 20)};
        for (String bad : badText) {
            assertEquals(Review.Outcome.MALFORMED, latches.acknowledgeReview(opened.codeId(), bad, "ok").outcome());
            if (bad != null && bad.isEmpty()) {
                continue; // an empty note is allowed
            }
            assertEquals(Review.Outcome.MALFORMED, latches.acknowledgeReview(opened.codeId(), "dave", bad).outcome());
        }
        assertEquals(Review.State.PENDING, latches.review(opened.codeId()).orElseThrow().state());
        for (AuditEvent e : audit.events()) {
            String line = e.describe();
            assertFalse(line.contains("FORGED") || line.contains("\u001b") || line.contains("ccccccccccccccccccc"), line);
        }
        assertEquals(badIds.length, audit.count(AuditEvent.Type.REVIEWED, "MALFORMED_ID"));
    }

    @Test
    void racingReviewers_exactlyOneAcknowledges_onTwoInstances() throws Exception {
        Latches other = Latches.builder().clock(clock).pepper(pepper)
                .store(store).auditSink(audit).scheduler(scheduler).build();
        for (int round = 0; round < 20; round++) {
            clock.advance(Duration.ofMinutes(4)); // within the issue rate limit of carol's emergency codes
            Verdict.Opened opened = useEmergencyCode();
            int threads = 64;
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            java.util.List<java.util.concurrent.Future<Review.Outcome>> outcomes = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Latches instance = t % 2 == 0 ? latches : other;
                String reviewer = "reviewer-" + t;
                outcomes.add(pool.submit(() -> {
                    barrier.await();
                    return instance.acknowledgeReview(opened.codeId(), reviewer, "checked").outcome();
                }));
            }
            int won = 0;
            for (java.util.concurrent.Future<Review.Outcome> f : outcomes) {
                Review.Outcome o = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (o == Review.Outcome.ACKNOWLEDGED) {
                    won++;
                } else {
                    assertEquals(Review.Outcome.ALREADY_ACKNOWLEDGED, o);
                }
            }
            pool.shutdownNow();
            assertEquals(1, won, "round " + round);
        }
    }

    @Test
    void anotherInstanceFindsTheRequestAndReleasesItOnce() {
        Latches other = Latches.builder().clock(clock).pepper(pepper)
                .store(store).auditSink(audit).scheduler(scheduler).delivery(DeliveryChain.builder().then(outbox).build())
                .build();
        BreakGlass glass = BreakGlass.builder(latches).approvers(1, "alice", "bob").build();
        BreakGlass.Request req = glass.request("prod-db", "carol", "INC-14");
        BreakGlass.Request there = BreakGlass.builder(other).approvers(1, "alice", "bob").build().find(req.id()).orElseThrow();
        assertEquals(req.digest(), there.digest());
        assertThrows(IllegalStateException.class, there::release, "not approved yet");
        ApprovalGate gate = other.gate(req.gate().orElseThrow().id()).orElseThrow();
        assertEquals(Approval.Outcome.OPENED, gate.approve("bob", outbox.lastCodeFor("bob").orElseThrow(), req.digest())
                .outcome());
        assertTrue(req.gate().orElseThrow().isOpen(), "the first instance sees the decision");
        there.release();
        assertThrows(IllegalStateException.class, req::release, "released once, across instances");
        assertTrue(glass.find("bg_unknown").isEmpty());
        assertTrue(glass.find("x\nFORGED").isEmpty());
        assertTrue(glass.find(null).isEmpty());
    }
}
