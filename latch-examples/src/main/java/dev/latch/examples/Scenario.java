package dev.latch.examples;

import dev.latch.AuditEvent;
import dev.latch.DeliveryChain;
import dev.latch.DeliveryChain.Outbox;
import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;
import dev.latch.spi.Scheduler;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.spi.AuditSink;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the examples share: a clock the story can move forward (so "15 minutes later" takes no
 * time), latches built the way a service would build them, and an audit sink that prints.
 */
final class Scenario {
    private Scenario() {
    }

    /**
     * A clock the scenario moves by hand, which also runs scheduled reminders and escalations when
     * it passes their time. In a service you pass {@code Clock.systemUTC()} (or nothing) and
     * latch's default scheduler runs them.
     */
    static final class StoryClock extends Clock implements Scheduler {
        private volatile Instant now;
        private final List<Map.Entry<Instant, Runnable>> tasks = new ArrayList<>();

        StoryClock(Instant start) {
            this.now = start;
        }

        /**
         * Moves the clock forward by {@code d}, stopping at each scheduled task on the way so that
         * the story prints the time at which it runs.
         */
        void advance(Duration d) {
            Instant end = now.plus(d);
            while (true) {
                Map.Entry<Instant, Runnable> next;
                synchronized (this) {
                    next = tasks.stream().filter(t -> !t.getKey().isAfter(end)).min(Map.Entry.comparingByKey())
                            .orElse(null);
                    if (next == null) {
                        break;
                    }
                    tasks.remove(next);
                }
                if (next.getKey().isAfter(now)) {
                    moveTo(next.getKey());
                }
                next.getValue().run();
            }
            if (end.isAfter(now)) {
                moveTo(end);
            }
        }

        private void moveTo(Instant t) {
            System.out.println("  … " + describe(Duration.between(now, t)) + " later (" + t + ")");
            now = t;
        }

        @Override
        public synchronized Scheduled schedule(Instant at, Runnable task) {
            Map.Entry<Instant, Runnable> entry = new java.util.AbstractMap.SimpleImmutableEntry<>(at, task);
            tasks.add(entry);
            return () -> {
                synchronized (StoryClock.this) {
                    return tasks.remove(entry);
                }
            };
        }

        private static String describe(Duration d) {
            long m = d.toMinutes();
            long sec = d.toSeconds();
            return m > 0 ? (m == 1 ? "1 minute" : m + " minutes") + (sec % 60 == 0 ? "" : " " + sec % 60 + " s")
                    : sec == 1 ? "1 second" : sec + " seconds";
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

    /**
     * Latches that deliver codes through {@code chain} and run reminders on the story clock.
     */
    static Latches latches(StoryClock clock, DeliveryChain chain, AuditSink... sinks) {
        String pepper = System.getenv("LATCH_PEPPER");
        Latches.Builder builder = Latches.builder().clock(clock).scheduler(clock).delivery(chain).auditSink(sinks);
        if (pepper == null || pepper.isBlank()) {
            return Latches.forDevelopment(builder);
        }
        return builder.pepper(Pepper.fromBase64(pepper)).build();
    }

    /**
     * Everyone's inbox in the story: a delivery channel that prints each message as the
     * recipient would see it, and keeps the codes so the story can "type" them. A real service
     * sends mail or chat messages instead.
     */
    static final class Inbox implements DeliveryChannel {
        private final String name;
        private final Outbox kept = new Outbox();

        Inbox(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void deliver(Delivery d) {
            if (d.kind() == Delivery.Kind.CODE) {
                result("[" + name + " to " + d.recipient() + "] your code for " + d.latchId() + " is " + d.code()
                        + " (expires " + d.expiresAt() + ")");
            } else {
                result("[" + name + " to " + d.recipient() + "] reminder: your code for " + d.latchId()
                        + " expires at " + d.expiresAt());
            }
            kept.deliver(d);
        }

        String codeOf(String recipient) {
            return kept.lastCodeFor(recipient).orElseThrow();
        }
    }

    /** A channel whose gateway is down: every delivery fails. */
    static DeliveryChannel down(String name) {
        return new DeliveryChannel() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void deliver(Delivery d) throws java.io.IOException {
                throw new java.io.IOException(name + " gateway unreachable");
            }
        };
    }

    /** Prints audit events, one line each; they never hold a code or key. */
    static AuditSink printAudit() {
        return Scenario::print;
    }

    private static void print(AuditEvent e) {
        System.out.println("    audit: " + e.describe());
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
