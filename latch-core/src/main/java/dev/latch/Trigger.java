package dev.latch;

import dev.latch.Triggers.LatchEvent;
import dev.latch.spi.Names;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A rule that turns events into a challenge: when {@code threshold} matching events for one key
 * arrive within {@code window}, a code is issued under a policy for a latch derived from the
 * event, delivered to the event's recipient, and optionally the latch is held locked until the
 * challenge is answered. A cooldown after each challenge makes one burst issue one challenge.
 * Counts live in the {@link dev.latch.spi.LatchStore}, so a shared store counts across instances.
 *
 * <pre>{@code
 * Trigger failedLogins = Trigger.on("login.failed")
 *         .threshold(3, Duration.ofMinutes(10))          // 3 failures for one subject in 10 minutes
 *         .cooldown(Duration.ofMinutes(15))
 *         .challenge(LatchPolicy.HIGH, event -> "login:" + event.subject())
 *         .holdLatch(Duration.ofHours(1))                // login stays held until answered (at most 1 h)
 *         .build();
 * }</pre>
 *
 * <p>Defaults: named after the event type; counted per subject; cooldown equal to the window;
 * delivered to the subject; no hold. The key and latch functions must be pure and fast; they run
 * on the publishing thread. Thread-safe: immutable (when the functions are).
 */
public final class Trigger {
    private final String name;
    private final String type;
    private final Map<String, String> match;
    private final int threshold;
    private final Duration window;
    private final Duration cooldown;
    private final Function<LatchEvent, String> key;
    private final LatchPolicy policy;
    private final Function<LatchEvent, String> latch;
    private final Function<LatchEvent, String> recipient;
    private final Duration hold;

    private Trigger(Builder b) {
        this.name = b.name == null ? b.type : b.name;
        this.type = b.type;
        this.match = Map.copyOf(b.match);
        this.threshold = b.threshold;
        this.window = b.window;
        this.cooldown = b.cooldown == null ? b.window : b.cooldown;
        this.key = b.key == null ? LatchEvent::subject : b.key;
        this.policy = b.policy;
        this.latch = b.latch;
        this.recipient = b.recipient == null ? LatchEvent::subject : b.recipient;
        this.hold = b.hold;
    }

    /**
     * @param type the event type the trigger counts
     * @return a builder
     */
    public static Builder on(String type) {
        return new Builder(LatchEvent.checkType(type));
    }

    /** @return the name, unique within one {@link Triggers} */
    public String name() {
        return name;
    }

    /** @return the event type */
    public String type() {
        return type;
    }

    /** @return events that fire the trigger */
    public int threshold() {
        return threshold;
    }

    /** @return the sliding window */
    public Duration window() {
        return window;
    }

    /** @return the quiet time after a challenge */
    public Duration cooldown() {
        return cooldown;
    }

    /** @return the policy of challenge codes */
    public LatchPolicy policy() {
        return policy;
    }

    /** @return how long a latch is held at most, or null when the trigger does not hold */
    public Duration hold() {
        return hold;
    }

    boolean matches(LatchEvent event) {
        if (!type.equals(event.type())) {
            return false;
        }
        for (Map.Entry<String, String> m : match.entrySet()) {
            if (!m.getValue().equals(event.attributes().get(m.getKey()))) {
                return false;
            }
        }
        return true;
    }

    String keyFor(LatchEvent event) {
        return AccessContext.checkText("trigger key", key.apply(event));
    }

    String latchFor(LatchEvent event) {
        return latch.apply(event);
    }

    String recipientFor(LatchEvent event) {
        return AccessContext.checkText("recipient", recipient.apply(event));
    }

    @Override
    public String toString() {
        return "Trigger[" + name + ": " + threshold + " " + type + (match.isEmpty() ? "" : " " + match.keySet())
                + " within " + window + ", cooldown " + cooldown + ", policy " + policy.name()
                + (hold == null ? "" : ", hold " + hold) + "]";
    }

    /** Builds a {@link Trigger}. Not thread-safe. */
    public static final class Builder {
        private final String type;
        private final Map<String, String> match = new LinkedHashMap<>();
        private String name;
        private int threshold;
        private Duration window;
        private Duration cooldown;
        private Function<LatchEvent, String> key;
        private LatchPolicy policy;
        private Function<LatchEvent, String> latch;
        private Function<LatchEvent, String> recipient;
        private Duration hold;

        private Builder(String type) {
            this.type = type;
        }

        private static void once(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        /**
         * @param name a name for audit events (default: the event type), same charset as event types
         * @return this
         */
        public Builder name(String name) {
            once(this.name, "name");
            this.name = LatchEvent.checkType(name);
            return this;
        }

        /**
         * @param attribute an attribute name
         * @param value     the value it must have
         * @return this
         */
        public Builder when(String attribute, String value) {
            AccessContext.checkText("attribute name", attribute);
            AccessContext.checkText("attribute value", value);
            if (match.putIfAbsent(attribute, value) != null) {
                throw new IllegalStateException("that attribute is already matched");
            }
            return this;
        }

        /**
         * @param count  events that fire, 1 to {@value dev.latch.spi.LatchStore#MAX_EVENT_THRESHOLD}
         * @param window within how long, 1 second to 30 days
         * @return this
         */
        public Builder threshold(int count, Duration window) {
            once(this.window, "threshold");
            Names.required(window, "window");
            if (count < 1 || count > dev.latch.spi.LatchStore.MAX_EVENT_THRESHOLD) {
                throw new IllegalArgumentException("threshold must be 1 to "
                        + dev.latch.spi.LatchStore.MAX_EVENT_THRESHOLD + ", got " + count);
            }
            if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(30)) > 0) {
                throw new IllegalArgumentException("window must be 1 second to 30 days, got " + window);
            }
            this.threshold = count;
            this.window = window;
            return this;
        }

        /**
         * @param cooldown quiet time after a challenge, 0 to 30 days (default: the window)
         * @return this
         */
        public Builder cooldown(Duration cooldown) {
            once(this.cooldown, "cooldown");
            Names.required(cooldown, "cooldown");
            if (cooldown.isNegative() || cooldown.compareTo(Duration.ofDays(30)) > 0) {
                throw new IllegalArgumentException("cooldown must be 0 to 30 days, got " + cooldown);
            }
            this.cooldown = cooldown;
            return this;
        }

        /**
         * @param key what events are counted per (default: the subject)
         * @return this
         */
        public Builder per(Function<LatchEvent, String> key) {
            once(this.key, "per");
            this.key = Names.required(key, "key");
            return this;
        }

        /**
         * @param policy the policy of the challenge code
         * @param latch  the latch the challenge opens, derived from the event
         * @return this
         */
        public Builder challenge(LatchPolicy policy, Function<LatchEvent, String> latch) {
            once(this.policy, "challenge");
            this.policy = Names.required(policy, "policy");
            this.latch = Names.required(latch, "latch");
            return this;
        }

        /**
         * @param recipient where the challenge is delivered (default: the subject)
         * @return this
         */
        public Builder recipient(Function<LatchEvent, String> recipient) {
            once(this.recipient, "recipient");
            this.recipient = Names.required(recipient, "recipient");
            return this;
        }

        /**
         * Holds the challenged latch for the subject ({@link Triggers#isHeld}) until the challenge
         * code is used, or for {@code atMost}. A challenge that expires, burns, or could not be
         * delivered keeps the hold until {@code atMost} (fail closed).
         *
         * @param atMost the longest hold, 1 second to 30 days
         * @return this
         */
        public Builder holdLatch(Duration atMost) {
            once(this.hold, "holdLatch");
            Names.required(atMost, "atMost");
            if (atMost.compareTo(Duration.ofSeconds(1)) < 0 || atMost.compareTo(Duration.ofDays(30)) > 0) {
                throw new IllegalArgumentException("a hold lasts 1 second to 30 days, got " + atMost);
            }
            this.hold = atMost;
            return this;
        }

        /**
         * @return the trigger
         * @throws IllegalStateException without a threshold or a challenge
         */
        public Trigger build() {
            if (window == null) {
                throw new IllegalStateException("a trigger needs threshold(count, window)");
            }
            if (policy == null) {
                throw new IllegalStateException("a trigger needs challenge(policy, latch)");
            }
            return new Trigger(this);
        }
    }
}
