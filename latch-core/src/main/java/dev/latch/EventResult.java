package dev.latch;

import dev.latch.spi.Names;
import java.time.Instant;
import java.util.List;

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
