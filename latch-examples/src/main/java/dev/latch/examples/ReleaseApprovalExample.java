package dev.latch.examples;

import dev.latch.ApprovalGate.Approval;
import dev.latch.ApprovalGate;
import dev.latch.DeliveryChain;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.RequestDigest;

import java.time.Duration;
import java.time.Instant;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Release approval gate: a pipeline stage waits until two of three approvers have approved the
 * exact release with their own one-time codes. The requester cannot approve; a code for one
 * release never approves another; approvers who have not answered get a reminder five minutes
 * before the codes expire; an unanswered gate expires after 15 minutes (the HIGH tier).
 */
public final class ReleaseApprovalExample {
    private ReleaseApprovalExample() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        title("Release approval gate (2 of 3)");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-03-02T10:00:00Z"));
        Scenario.Inbox chat = new Scenario.Inbox("chat");
        Latches latches = Scenario.latches(clock, DeliveryChain.builder().then(chat).build(), Scenario.printAudit());
        LatchPolicy approvals = LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).build();

        RequestDigest release42 = RequestDigest.of("deploy prod release-42 sha=9f1c2e7");
        step("dave's pipeline reaches the prod gate for release-42; alice, bob and carol each get a code");
        ApprovalGate gate = latches.approvalGate("deploy:prod", release42)
                .requester("dave").approvers("alice", "bob", "carol").quorum(2).policy(approvals).request();
        result("gate " + gate.id() + " needs " + gate.quorum() + " of " + gate.approvers().size()
                + ", expires " + gate.expiresAt());

        step("mallory, who is not an approver, and dave, who asked, try to approve");
        result("mallory: " + gate.approve("mallory", chat.codeOf("alice"), release42).outcome());
        result("dave: " + gate.approve("dave", chat.codeOf("alice"), release42).outcome());

        step("alice's code is presented for a different release (release-43)");
        result(gate.approve("alice", chat.codeOf("alice"), RequestDigest.of("deploy prod release-43 sha=0badc0d"))
                .outcome().toString());

        step("alice approves release-42");
        Approval a = gate.approve("alice", chat.codeOf("alice"), release42);
        result(a.outcome() + " (" + a.approvals() + " of " + a.quorum() + "), gate " + a.status());
        result("alice again: " + gate.approve("alice", chat.codeOf("alice"), release42).outcome());

        clock.advance(Duration.ofMinutes(10));
        step("bob mistypes, then approves");
        String bobs = chat.codeOf("bob");
        String typo = (bobs.charAt(0) == '9' ? "0" : String.valueOf((char) (bobs.charAt(0) + 1))) + bobs.substring(1);
        result(gate.approve("bob", typo, release42).outcome().toString());
        Approval b = gate.approve("bob", bobs, release42);
        result(b.outcome() + " (" + b.approvals() + " of " + b.quorum() + "), gate " + b.status());
        result(gate.isOpen() ? "gate OPEN: deploying release-42" : "gate stays closed");

        step("Audit trail of the gate");
        gate.trail().forEach(e -> result(e.time() + " " + e.approver() + " " + e.outcome()));

        step("Next week release-44 waits for approval, but nobody answers");
        RequestDigest release44 = RequestDigest.of("deploy prod release-44 sha=77aa01b");
        ApprovalGate late = latches.approvalGate("deploy:prod", release44)
                .requester("dave").approvers("alice", "bob", "carol").quorum(2).policy(approvals).request();
        clock.advance(Duration.ofMinutes(15));
        result("carol answers late: " + late.approve("carol", chat.codeOf("carol"), release44).outcome()
                + "; gate " + late.status() + ": the release must be requested again");
    }
}
