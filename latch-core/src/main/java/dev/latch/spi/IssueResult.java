package dev.latch.spi;

/**
 * What {@link LatchStore#issue} did.
 *
 * <pre>{@code
 * IssueResult r = store.issue(record, limit, now);
 * if (!r.issued()) { // rate limited }
 * }</pre>
 *
 * @param issued         false when the per-subject rate limit refused the issue
 * @param replacedCodeId the id of the pending code this one replaced, or null
 *
 * <p>Thread-safe: immutable.
 */
public record IssueResult(boolean issued, String replacedCodeId) {
    /** @return the result of a refused issue */
    public static IssueResult rateLimited() {
        return new IssueResult(false, null);
    }
}
