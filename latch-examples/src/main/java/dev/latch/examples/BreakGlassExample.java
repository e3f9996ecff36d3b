package dev.latch.examples;

import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.BreakGlass;
import dev.latch.DeliveryChain;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.Review;
import dev.latch.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Break-glass access: during an incident the on-call engineer asks for emergency access; one of
 * two approvers agrees; an EMERGENCY code (ten minutes, single use) opens production access
 * once and leaves a post-use review due. Nobody reviews it within the deadline, so an
 * ESCALATION alert goes out; then a reviewer (not the engineer) acknowledges it.
 */
public final class BreakGlassExample {
    private BreakGlassExample() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        title("Break-glass access");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-03-07T03:12:00Z"));
        List<AuditEvent> trail = new ArrayList<>();
        Scenario.Inbox pager = new Scenario.Inbox("pager");
        Latches latches = Scenario.latches(clock, DeliveryChain.builder().then(pager).build(), Scenario.printAudit(),
                trail::add);
        LatchPolicy emergency = LatchPolicy.from(LatchPolicy.EMERGENCY).reviewWithin(Duration.ofHours(8)).build();
        BreakGlass glass = BreakGlass.builder(latches).policy(emergency).approvers(1, "alice", "dave").build();

        step("03:12 Saturday: the database is down; bob (on call) requests break-glass access");
        BreakGlass.Request request = glass.request("prod-db:admin", "bob", "INC-7: primary down, failover stuck");
        result("request " + request.id() + ", approval needed from 1 of alice, dave");
        try {
            request.release();
        } catch (IllegalStateException e) {
            result("release before approval: refused (" + e.getMessage() + ")");
        }

        clock.advance(Duration.ofMinutes(1));
        step("alice approves the request with her code");
        result(request.gate().orElseThrow().approve("alice", pager.codeOf("alice"), request.digest()).outcome().toString());
        request.release();

        clock.advance(Duration.ofMinutes(2));
        step("bob opens production access with the emergency code");
        Verdict v = latches.open("prod-db:admin", pager.codeOf("bob"), AccessContext.builder("bob").source("10.0.8.14").build());
        result(v.toString());
        Verdict.Opened opened = (Verdict.Opened) v;
        if (opened.reviewDue()) {
            result("access granted for this session; a post-use review is now due by "
                    + latches.review(opened.codeId()).orElseThrow().deadline());
        }

        step("The code is tried again");
        result(latches.open("prod-db:admin", pager.codeOf("bob"), AccessContext.of("bob")).toString());

        step("bob tries to sign off his own review");
        result("refused: " + latches.acknowledgeReview(opened.codeId(), "bob", "all good").outcome());

        step("Nobody reviews it during the weekend");
        clock.advance(Duration.ofHours(8));
        result("review is " + latches.review(opened.codeId()).map(Review::state).orElseThrow());

        step("Monday: dave reviews the session");
        Review.Acknowledgement ack = latches.acknowledgeReview(opened.codeId(), "dave",
                "failover fixed by hand; runbook updated");
        result(ack.outcome() + ": review " + ack.review().state() + " by " + ack.review().reviewer());

        step("erin reviews it too, a moment later");
        result(latches.acknowledgeReview(opened.codeId(), "erin", "looks fine").outcome()
                + " (the first acknowledgement stands)");

        step("Audit trail for the review board");
        trail.stream().filter(e -> e.type() == AuditEvent.Type.OPENED || e.type() == AuditEvent.Type.ESCALATION
                        || e.type() == AuditEvent.Type.REVIEWED || e.type() == AuditEvent.Type.APPROVAL)
                .forEach(e -> result(e.time() + " " + e.type() + " " + e.subject() + " " + e.latchId() + " [" + e.reason() + "]"));
    }
}
