package dev.latch.spi;

/**
 * What {@link LatchStore#useKey} decided, atomically.
 *
 * <pre>{@code
 * KeyResult r = store.useKey(keyId, digest, now, source);
 * }</pre>
 *
 * @param outcome the decision
 * @param record  the key after the decision (last use recorded on OK), or null when unknown
 *
 * <p>Thread-safe: immutable.
 */
public record KeyResult(Outcome outcome, KeyRecord record) {
    /**
     * The decision. For example {@code if (result.outcome() == KeyResult.Outcome.OK) ...}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Outcome {
        /** Matched and valid; last use recorded. */
        OK,
        /** No key with that id. */
        NO_KEY,
        /** The secret's digest did not match. */
        WRONG_SECRET,
        /** Right secret, revoked key. */
        REVOKED,
        /** Right secret, expired key or ended rotation overlap. */
        EXPIRED
    }
}
