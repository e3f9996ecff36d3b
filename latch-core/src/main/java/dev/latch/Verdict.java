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
}
