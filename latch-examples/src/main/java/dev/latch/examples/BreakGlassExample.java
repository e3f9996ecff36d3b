package dev.latch.examples;

import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Break-glass access: during an incident the on-call engineer gets an EMERGENCY code that opens
 * production access once, within ten minutes, and leaves a post-use review due in the audit
 * trail.
 */
public final class BreakGlassExample {
    private BreakGlassExample() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        title("Break-glass access");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-03-07T03:12:00Z"));
        List<AuditEvent> trail = new ArrayList<>();
        Latches latches = Scenario.latches(clock, Scenario.printAudit(), trail::add);

        step("03:12 Saturday: the database is down; bob (on call) requests break-glass access");
        IssuedCode code = latches.issue(LatchPolicy.EMERGENCY, "prod-db:admin", "bob");
        result("issued " + code + " (" + LatchPolicy.EMERGENCY + ")");
        result("[delivery to bob] emergency code " + code.code());

        clock.advance(Duration.ofMinutes(2));
        step("bob opens production access");
        Verdict v = latches.open("prod-db:admin", code.code(), AccessContext.builder("bob").source("10.0.8.14").build());
        result(v.toString());
        if (v instanceof Verdict.Opened opened && opened.reviewDue()) {
            result("access granted for this session; a post-use review is now due");
        }

        step("The code is tried again");
        result(latches.open("prod-db:admin", code.code(), AccessContext.of("bob")).toString());

        step("A second code is requested but left unused for ten minutes");
        IssuedCode unused = latches.issue(LatchPolicy.EMERGENCY, "prod-db:admin", "bob");
        clock.advance(Duration.ofMinutes(10));
        result(latches.open("prod-db:admin", unused.code(), AccessContext.of("bob")).toString());

        step("Audit trail for the review board");
        trail.stream().filter(e -> e.type() == AuditEvent.Type.OPENED)
                .forEach(e -> result(e.time() + " " + e.subject() + " opened " + e.latchId() + " from " + e.source()
                        + " [" + e.reason() + "]"));
    }
}
