package dev.latch.examples;

import dev.latch.AccessContext;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.RequestDigest;
import dev.latch.Verdict;

import java.time.Duration;
import java.time.Instant;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Release approval gate: a pipeline stage waits for an approver's one-time code before it
 * deploys {@code release-42} to production. The code is bound to the exact request, so it can
 * never approve another release; a wrong code is denied; an unused code expires after 15
 * minutes (the HIGH tier).
 */
public final class ReleaseApprovalExample {
    private ReleaseApprovalExample() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        title("Release approval gate");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-03-02T10:00:00Z"));
        Latches latches = Scenario.latches(clock, Scenario.printAudit());

        String latch = "deploy:prod";
        RequestDigest release42 = RequestDigest.of("deploy prod release-42 sha=9f1c2e7");
        step("The pipeline reaches the prod gate for release-42 and asks alice to approve");
        IssuedCode code = latches.issue(LatchPolicy.HIGH, latch, "alice", release42);
        result("issued " + code);
        result("[delivery to alice] your approval code for release-42 is " + code.code());

        step("Someone tries to use alice's code to approve release-43");
        Verdict wrongRelease = latches.open(latch, code.code(),
                AccessContext.builder("alice").request(RequestDigest.of("deploy prod release-43 sha=0badc0d")).build());
        result(wrongRelease.toString());

        step("alice mistypes her code");
        String typo = (code.code().charAt(0) == '9' ? "0" : String.valueOf((char) (code.code().charAt(0) + 1)))
                + code.code().substring(1);
        result(latches.open(latch, typo, AccessContext.builder("alice").request(release42).build()).toString());

        step("alice enters the right code for release-42");
        Verdict approved = latches.open(latch, code.code(), AccessContext.builder("alice").request(release42).build());
        result(approved.toString());
        result(approved.isOpen() ? "gate OPEN: deploying release-42" : "gate stays closed");

        step("The same code is replayed");
        result(latches.open(latch, code.code(), AccessContext.builder("alice").request(release42).build()).toString());

        step("Next week release-44 waits for approval, but nobody answers");
        RequestDigest release44 = RequestDigest.of("deploy prod release-44 sha=77aa01b");
        IssuedCode late = latches.issue(LatchPolicy.HIGH, latch, "alice", release44);
        result("issued " + late + ", expires " + late.expiresAt());
        clock.advance(Duration.ofMinutes(15));
        Verdict expired = latches.open(latch, late.code(), AccessContext.builder("alice").request(release44).build());
        result(expired + ": the release must be requested again");
    }
}
