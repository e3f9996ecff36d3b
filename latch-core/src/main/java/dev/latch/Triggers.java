package dev.latch;

import dev.latch.DeliveryChain.DeliveryReceipt;
import dev.latch.spi.LatchStore.EventCount;
import dev.latch.spi.Names;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Event-triggered latches: events come in through {@link #publish(LatchEvent)}, each trigger that
 * matches counts it in the store (atomically, in a sliding window per key), and a trigger that
 * reaches its threshold outside its cooldown issues a challenge code and delivers it through the
 * {@link Latches}' {@link DeliveryChain}. A trigger may hold the challenged latch until the
 * challenge is answered.
 *
 * <pre>{@code
 * Triggers triggers = Triggers.builder(latches).add(failedLogins).build();
 *
 * // in the login handler
 * if (triggers.isHeld("login:" + user, user)) return askForChallengeCode();
 * if (!passwordOk) triggers.publish(LatchEvent.of("login.failed", user));
 *
 * // answering the challenge is an ordinary open
 * latches.open("login:" + user, typedCode, AccessContext.of(user));
 * }</pre>
 *
 * <p>Memory per key is bounded by the threshold, however many events arrive. Thread-safe:
 * immutable.
 */
public final class Triggers {
    private static final String KEY_PREFIX = "~trigger:";

    private final Latches latches;
    private final List<Trigger> triggers;

    private Triggers(Builder b) {
        this.latches = b.latches;
        this.triggers = List.copyOf(b.triggers.values());
    }

    /**
     * @param latches the latches that issue and deliver challenges (built with a delivery chain)
     * @return a builder
     */
    public static Builder builder(Latches latches) {
        return new Builder(latches);
    }

    /** @return the triggers, in order */
    public List<Trigger> triggers() {
        return triggers;
    }

    /**
     * Publishes an event, stamped with the clock's time.
     *
     * @param event the event
     * @return what each matching trigger did; {@link EventResult.Outcome#UNMATCHED} when none matched
     * @throws LatchStoreException when the store fails (nothing was issued)
     * @throws NullPointerException when the event is null
     */
    public EventResult publish(LatchEvent event) {
        Names.required(event, "event");
        Instant now = latches.clock().instant();
        List<EventResult.Step> steps = new ArrayList<>();
        EventResult.Outcome overall = EventResult.Outcome.UNMATCHED;
        for (Trigger t : triggers) {
            if (!t.matches(event)) {
                continue;
            }
            String key = KEY_PREFIX + t.name() + '\u0000' + t.keyFor(event);
            EventCount count = latches.countEvent(key, t, now);
            EventResult.Step step;
            if (count.fired()) {
                step = challenge(t, event, count.inWindow(), now);
            } else {
                step = new EventResult.Step(t.name(), count.coolingDown() ? EventResult.Outcome.COOLING_DOWN
                        : EventResult.Outcome.COUNTED, count.inWindow(), null, null, null, null);
            }
            steps.add(step);
            if (step.outcome().compareTo(overall) > 0) {
                overall = step.outcome();
            }
        }
        return new EventResult(overall, now, steps);
    }

    private EventResult.Step challenge(Trigger t, LatchEvent event, int inWindow, Instant now) {
        String latchId = t.latchFor(event);
        String subject = event.subject();
        String recipient = t.recipientFor(event);
        latches.auditTriggered(t, latchId, subject, inWindow, now);
        IssuedCode issued;
        try {
            issued = latches.issue(t.policy(), latchId, subject);
        } catch (IssueRateLimitedException e) {
            if (t.hold() != null) {
                latches.hold(latchId, subject, "-", now.plus(t.hold()));
            }
            return new EventResult.Step(t.name(), EventResult.Outcome.CHALLENGE_FAILED, inWindow, latchId, null, null,
                    "RATE_LIMITED");
        }
        if (t.hold() != null) {
            latches.hold(latchId, subject, issued.codeId(), now.plus(t.hold()));
        }
        try {
            DeliveryReceipt receipt = latches.deliver(issued, t.policy(), recipient);
            return new EventResult.Step(t.name(), EventResult.Outcome.CHALLENGED, inWindow, latchId, issued.codeId(),
                    receipt.channel(), null);
        } catch (DeliveryFailedException e) {
            return new EventResult.Step(t.name(), EventResult.Outcome.CHALLENGE_FAILED, inWindow, latchId,
                    issued.codeId(), null, e.backupCodesAllowed() ? "UNDELIVERED_BACKUP_ALLOWED" : "UNDELIVERED");
        }
    }

    /**
     * @param latchId a latch a trigger holds
     * @param subject the subject
     * @return true while a trigger holds the latch for the subject: its challenge is not yet
     *         answered and the hold has not run out
     * @throws LatchStoreException when the store fails (treat as held)
     */
    public boolean isHeld(String latchId, String subject) {
        if (latchId == null || subject == null) {
            return false;
        }
        return latches.held(latchId, subject);
    }

    @Override
    public String toString() {
        return "Triggers" + triggers;
    }

    /** Builds {@link Triggers}. Not thread-safe. */
    public static final class Builder {
        private final Latches latches;
        private final Map<String, Trigger> triggers = new LinkedHashMap<>();

        private Builder(Latches latches) {
            this.latches = Names.required(latches, "latches");
        }

        /**
         * @param trigger a trigger, with a name not used yet
         * @return this
         */
        public Builder add(Trigger trigger) {
            Names.required(trigger, "trigger");
            if (triggers.putIfAbsent(trigger.name(), trigger) != null) {
                throw new IllegalArgumentException("a trigger named " + trigger.name() + " was already added");
            }
            return this;
        }

        /**
         * @return the triggers
         * @throws IllegalStateException without triggers, or when the latches have no delivery chain
         */
        public Triggers build() {
            if (triggers.isEmpty()) {
                throw new IllegalStateException("add at least one trigger");
            }
            latches.requireDelivery();
            return new Triggers(this);
        }
    }

    /**
     * What {@link Triggers#publish(LatchEvent)} did with an event: for each trigger it matched, whether
     * the event was only counted, fell in a cooldown, or issued (and delivered) a challenge.
     *
     * <pre>{@code
     * EventResult r = triggers.publish(LatchEvent.of("login.failed", "alice"));
     * if (r.outcome() == EventResult.Outcome.CHALLENGED) showChallengePrompt();
     * }</pre>
     *
     * @param outcome the most significant step outcome ({@link Outcome#UNMATCHED} when no trigger matched)
     * @param time    when the event was published, from the clock
     * @param steps   one per matching trigger, in the order the triggers were added
     *
     * <p>Thread-safe: immutable.
     */
    public record EventResult(Outcome outcome, Instant time, List<Step> steps) {
        /**
         * What happened, from least to most significant. For example
         * {@code if (result.outcome() == EventResult.Outcome.CHALLENGED) showChallengePrompt();}
         *
         * <p>Thread-safe: enum constants are immutable.
         */
        public enum Outcome {
            /** No trigger matches the event's type and attributes: nothing was counted. */
            UNMATCHED,
            /** Counted; below the threshold. */
            COUNTED,
            /** The threshold was reached within a cooldown of an earlier challenge: no new challenge. */
            COOLING_DOWN,
            /** A challenge was issued and delivered. */
            CHALLENGED,
            /**
             * The threshold was reached but the challenge could not be issued or delivered (rate limit,
             * or every channel failed); any hold still applies.
             */
            CHALLENGE_FAILED
        }

        /**
         * One trigger's part. For example
         * {@code result.steps().forEach(s -> log.info("{}: {}", s.trigger(), s.outcome()));}
         *
         * <p>Thread-safe: immutable.
         *
         * @param trigger  the trigger's name
         * @param outcome  what it did
         * @param inWindow events counted in its window, including this one
         * @param latchId  the challenged latch, or null
         * @param codeId   the challenge code, or null
         * @param channel  the channel that delivered it, or null
         * @param failure  why a challenge failed ({@code RATE_LIMITED}, {@code UNDELIVERED}), or null
         */
        public record Step(String trigger, Outcome outcome, int inWindow, String latchId, String codeId, String channel,
                           String failure) {
            /** Validates. */
            public Step {
                Names.required(trigger, "trigger");
                Names.required(outcome, "outcome");
            }
        }

        /** Validates and copies. */
        public EventResult {
            Names.required(outcome, "outcome");
            Names.required(time, "time");
            steps = List.copyOf(steps);
        }
    }

    /**
     * Something that happened, published to {@link Triggers#publish(LatchEvent)}: a type such as
     * {@code login.failed}, the subject it concerns and a few attributes. Its time is taken from the
     * injected clock when it is published.
     *
     * <pre>{@code
     * triggers.publish(LatchEvent.of("login.failed", "alice").with("app", "console"));
     * }</pre>
     *
     * @param type       the event type: 1 to 64 characters of letters, digits and {@code . _ - :}
     * @param subject    who it concerns (1 to 256 characters, no control characters, no unpaired surrogate)
     * @param attributes at most 16 attributes, names and values without control characters
     *
     * <p>Thread-safe: immutable.
     */
    public record LatchEvent(String type, String subject, Map<String, String> attributes) {
        /** Most attributes per event. */
        public static final int MAX_ATTRIBUTES = 16;

        /**
         * Validates and copies.
         *
         * @throws IllegalArgumentException when a field is empty, too long or has illegal characters
         */
        public LatchEvent {
            checkType(type);
            AccessContext.checkText("subject", subject);
            Names.required(attributes, "attributes");
            if (attributes.size() > MAX_ATTRIBUTES) {
                throw new IllegalArgumentException("at most " + MAX_ATTRIBUTES + " attributes, got " + attributes.size());
            }
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                AccessContext.checkText("attribute name", e.getKey());
                AccessContext.checkText("attribute value", e.getValue());
            }
            attributes = Map.copyOf(attributes);
        }

        static String checkType(String type) {
            Names.required(type, "type");
            if (type.isEmpty() || type.length() > 64) {
                throw new IllegalArgumentException("an event type has 1 to 64 characters, had " + type.length());
            }
            for (int i = 0; i < type.length(); i++) {
                char c = type.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                        || c == '-' || c == ':')) {
                    throw new IllegalArgumentException("an event type has only letters, digits and . _ - :");
                }
            }
            return type;
        }

        /**
         * @param type    the type
         * @param subject the subject
         * @return an event without attributes
         */
        public static LatchEvent of(String type, String subject) {
            return new LatchEvent(type, subject, Map.of());
        }

        /**
         * @param name  an attribute name
         * @param value its value
         * @return a copy with the attribute set
         */
        public LatchEvent with(String name, String value) {
            Map<String, String> copy = new LinkedHashMap<>(attributes);
            copy.put(name, value);
            return new LatchEvent(type, subject, copy);
        }
    }
}
