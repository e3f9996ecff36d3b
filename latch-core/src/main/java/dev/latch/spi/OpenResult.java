package dev.latch.spi;

import java.time.Instant;

/**
 * What {@link LatchStore#open(OpenRequest)} decided, atomically.
 *
 * <pre>{@code
 * if (result.outcome() == OpenResult.Outcome.OPENED) { ... }
 * }</pre>
 *
 * @param outcome     the decision
 * @param code        the code the presentation met, after the decision, or null when there was none;
 *                    a {@link CodeRecord} or any smaller {@link CodeSummary}
 * @param failures    consecutive failures of the subject on the latch after the decision
 * @param lockedUntil when the current lock ends, or null
 * @param lockedNow   true when this presentation started a lock
 * @param burnedNow   true when this presentation burned the code
 * @param sighting    for an opened latch with a source: whether the source was new for the subject
 *
 * <p>Thread-safe: immutable.
 */
public record OpenResult(Outcome outcome, CodeSummary code, int failures, Instant lockedUntil, boolean lockedNow,
                         boolean burnedNow, SourceSighting sighting) {

    /**
     * The decision. For example {@code if (result.outcome() == OpenResult.Outcome.OPENED) ...}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Outcome {
        /** Matched, valid, consumed one use. */
        OPENED,
        /** No code for this latch and subject (counts as nothing; there is no state to count on). */
        NO_CODE,
        /** The digest did not match (counted). */
        WRONG_CODE,
        /** The input was not of the stored code's kind (counted). */
        MALFORMED,
        /** The latch is locked for the subject (not counted). */
        LOCKED,
        /** The right code, but burned by too many wrong attempts. */
        BURNED,
        /** The right code, expired. */
        EXPIRED,
        /** The right code, before its not-before time. */
        NOT_YET_VALID,
        /** The right code, no uses left. */
        USED,
        /** The right code, revoked. */
        REVOKED,
        /** The right code, bound to another request. */
        REQUEST_MISMATCH,
        /** The right code; the core must check the record's conditions and present again with them cleared. Nothing changed. */
        CONDITIONS_PENDING
    }

    /**
     * Whether a source address was seen before for a subject. For example
     * {@code if (result.sighting() == OpenResult.SourceSighting.NEW) alert();}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum SourceSighting {
        /** The subject's first recorded source. */
        FIRST,
        /** Seen before. */
        KNOWN,
        /** Not seen before, while others were. */
        NEW
    }
}
