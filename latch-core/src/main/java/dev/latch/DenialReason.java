package dev.latch;

/**
 * Why a latch stayed closed. The set is closed: every module (dynamic codes, static keys,
 * signed tokens, JWTs) reports its "no" with one of these.
 *
 * <p>Reasons are chosen so that the verdict is no oracle: a code presented for a latch that
 * does not exist, for a subject with no pending code, or that simply does not match, is always
 * {@link #WRONG_CODE}. {@link #USED}, {@link #EXPIRED}, {@link #NOT_YET_VALID} and
 * {@link #REVOKED} are only reported to a caller who presented the right secret. The audit
 * event tells the cases apart for operators.
 *
 * <pre>{@code
 * if (verdict instanceof Verdict.Denied denied && denied.reason() == DenialReason.LOCKED) {
 *     // tell the user to wait, never why the code was wrong
 * }
 * }</pre>
 *
 * <p>Thread-safe: an enum.
 */
public enum DenialReason {
    /** The code does not match, or there is nothing to match it against. */
    WRONG_CODE,
    /** The code was right but its lifetime ended. */
    EXPIRED,
    /** The code was right but its not-before time has not come yet. */
    NOT_YET_VALID,
    /** The code was right but it has no uses left. */
    USED,
    /** The code or key was right but it was revoked. */
    REVOKED,
    /** Too many failures: the latch is locked for this subject, or the code is burned. */
    LOCKED,
    /** The code was right but the context (source address, time window, attributes, request) is not allowed. */
    CONTEXT_REJECTED,
    /** The input is not a code at all: null, empty, oversized, wrong charset or structure. */
    MALFORMED,
    /** A signed token's signature does not verify (tampered, truncated or signed with another key). */
    BAD_SIGNATURE,
    /** A signed token names a key that is unknown, disabled or destroyed. */
    UNKNOWN_KEY,
    /** The token or key is valid but does not grant the required resource, audience or permission. */
    INSUFFICIENT_SCOPE,
    /** A single-use token was presented a second time. */
    REPLAYED
}
