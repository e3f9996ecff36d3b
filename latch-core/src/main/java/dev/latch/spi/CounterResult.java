package dev.latch.spi;

import java.time.Instant;

/**
 * What {@link LatchStore#acceptCounter(CounterRequest)} decided.
 *
 * <pre>{@code
 * if (result.outcome() == CounterResult.Outcome.ACCEPTED) { ... }
 * }</pre>
 *
 * @param outcome     the decision
 * @param counter     the accepted counter, or -1
 * @param failures    consecutive failures after the decision
 * @param lockedUntil when the current lock ends, or null
 * @param lockedNow   true when this presentation started a lock
 *
 * <p>Thread-safe: immutable.
 */
public record CounterResult(Outcome outcome, long counter, int failures, Instant lockedUntil, boolean lockedNow) {
    /**
     * The decision. For example {@code if (result.outcome() == CounterResult.Outcome.ACCEPTED) ...}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Outcome {
        /** A matching counter at or above the next acceptable one; it and all below are now used. */
        ACCEPTED,
        /** No counter matched (counted). */
        WRONG_CODE,
        /** The input was not a code (counted). */
        MALFORMED,
        /** Locked for the subject (not counted). */
        LOCKED,
        /** Every matching counter was already used (not counted: the code was right once). */
        REPLAYED
    }
}
