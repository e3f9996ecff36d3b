package dev.latch.spi;

/**
 * What {@link LatchStore#renew} did.
 *
 * <pre>{@code
 * if (store.renew(id, newExpiry, now).outcome() == RenewResult.Outcome.RENEWED) { ... }
 * }</pre>
 *
 * @param outcome the decision
 * @param record  the record after it, or null when unknown
 *
 * <p>Thread-safe: immutable.
 */
public record RenewResult(Outcome outcome, CodeRecord record) {
    /**
     * The decision. For example {@code if (result.outcome() == RenewResult.Outcome.RENEWED) ...}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Outcome {
        /** Extended. */
        RENEWED,
        /** No such code (or it was replaced). */
        NOT_FOUND,
        /** Used, revoked or burned: never renewed. */
        NOT_PENDING,
        /** Already expired. */
        EXPIRED,
        /** Its policy allows no more renewals. */
        NO_RENEWALS_LEFT
    }
}
