package dev.latch.examples;

import dev.latch.AuditEvent;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.spi.AuditSink;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * What the examples share: a clock the story can move forward (so "15 minutes later" takes no
 * time), latches built the way a service would build them, and an audit sink that prints.
 */
final class Scenario {
    private Scenario() {
    }

    /** A clock the scenario moves by hand. In a service you pass {@code Clock.systemUTC()} or nothing. */
    static final class StoryClock extends Clock {
        private volatile Instant now;

        StoryClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
            System.out.println("  … " + describe(d) + " later (" + now + ")");
        }

        private static String describe(Duration d) {
            return d.toMinutes() > 0 ? d.toMinutes() + " minutes" : d.toSeconds() + " seconds";
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /**
     * Latches as a service builds them: the pepper from the environment, and a throw-away
     * development pepper only when none is configured.
     */
    static Latches latches(Clock clock, AuditSink... sinks) {
        String pepper = System.getenv("LATCH_PEPPER");
        Latches.Builder builder = Latches.builder().clock(clock).auditSink(sinks);
        if (pepper == null || pepper.isBlank()) {
            return Latches.forDevelopment(builder);
        }
        return builder.pepper(Pepper.fromBase64(pepper)).build();
    }

    /** Prints audit events, one line each; they never hold a code or key. */
    static AuditSink printAudit() {
        return Scenario::print;
    }

    private static void print(AuditEvent e) {
        System.out.printf("    audit: %-13s %-7s latch=%s code=%s subject=%s%s reason=%s%n", e.type(), e.outcome(),
                e.latchId(), e.codeId(), e.subject(), e.source() == null ? "" : " source=" + e.source(), e.reason());
    }

    static void title(String text) {
        System.out.println();
        System.out.println("=== " + text + " ===");
    }

    static void step(String text) {
        System.out.println("• " + text);
    }

    static void result(String text) {
        System.out.println("  → " + text);
    }
}
