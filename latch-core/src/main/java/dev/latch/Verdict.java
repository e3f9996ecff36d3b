package dev.latch;

import dev.latch.spi.Names;

import java.util.Set;

/**
 * The answer to presenting a code: {@link Opened} or {@link Denied}. A "no" is a value, not an
 * exception; exceptions are kept for infrastructure failures, which never open a latch.
 *
 * <pre>{@code
 * Verdict verdict = latches.open("deploy:prod/release-42", code, AccessContext.of("alice"));
 * if (verdict instanceof Verdict.Opened opened) {
 *     deploy(opened.subject());
 * } else if (verdict instanceof Verdict.Denied denied) {
 *     log.info("denied: {}", denied.reason());
 * }
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public sealed interface Verdict permits Verdict.Opened, Verdict.Denied {

    /** @return true for {@link Opened} */
    boolean isOpen();

    /**
     * The latch opened.
     *
     * <pre>{@code
     * if (verdict instanceof Verdict.Opened opened && opened.scopes().contains("orders:write")) { ... }
     * String issuer = opened.claims().issuer().orElse("-");   // for a verified JWT
     * }</pre>
     *
     * @param codeId    the non-secret id of the code, key or token that opened it
     * @param latchId   the latch (or resource / audience) that opened
     * @param subject   who opened it
     * @param scopes    the scopes or permissions the code carries (empty for plain codes)
     * @param usesLeft  uses left on the code after this one ({@code -1} when unlimited, as for keys)
     * @param reviewDue true when the policy requires a post-use review (break-glass)
     * @param claims    the verified token's claims, for a JWT; {@link VerifiedClaims#NONE} for
     *                  codes, keys and latch's own signed tokens
     */
    record Opened(String codeId, String latchId, String subject, Set<String> scopes, int usesLeft,
                  boolean reviewDue, VerifiedClaims claims) implements Verdict {
        /** Validates and copies. */
        public Opened {
            Names.required(codeId, "codeId");
            Names.required(latchId, "latchId");
            Names.required(subject, "subject");
            scopes = Set.copyOf(scopes);
            if (claims == null) {
                claims = VerifiedClaims.NONE;
            }
        }

        /**
         * An opening with no token claims: a code or a key.
         *
         * @param codeId    the code's id
         * @param latchId   the latch
         * @param subject   who
         * @param scopes    the scopes
         * @param usesLeft  uses left ({@code -1} when unlimited)
         * @param reviewDue whether a post-use review is due
         */
        public Opened(String codeId, String latchId, String subject, Set<String> scopes, int usesLeft,
                      boolean reviewDue) {
            this(codeId, latchId, subject, scopes, usesLeft, reviewDue, VerifiedClaims.NONE);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public String toString() {
            return "Opened[codeId=" + codeId + ", latchId=" + latchId + ", subject=" + subject + ", scopes=" + scopes
                    + ", usesLeft=" + usesLeft + ", reviewDue=" + reviewDue
                    + (claims.isEmpty() ? "" : ", claims=" + claims.all().keySet()) + "]";
        }
    }

    /**
     * The latch stayed closed.
     *
     * @param reason why, from a closed set that reveals nothing an attacker could use
     */
    record Denied(DenialReason reason) implements Verdict {
        /** Validates. */
        public Denied {
            Names.required(reason, "reason");
        }

        @Override
        public boolean isOpen() {
            return false;
        }
    }

    /**
     * @param reason the reason
     * @return a denial
     */
    static Verdict denied(DenialReason reason) {
        return new Denied(reason);
    }

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
}
