package dev.latch;

import java.util.Objects;
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
     * @param codeId    the non-secret id of the code, key or token that opened it
     * @param latchId   the latch (or resource / audience) that opened
     * @param subject   who opened it
     * @param scopes    the scopes or permissions the code carries (empty for plain codes)
     * @param usesLeft  uses left on the code after this one ({@code -1} when unlimited, as for keys)
     * @param reviewDue true when the policy requires a post-use review (break-glass)
     */
    record Opened(String codeId, String latchId, String subject, Set<String> scopes, int usesLeft,
                  boolean reviewDue) implements Verdict {
        /** Validates and copies. */
        public Opened {
            Objects.requireNonNull(codeId, "codeId");
            Objects.requireNonNull(latchId, "latchId");
            Objects.requireNonNull(subject, "subject");
            scopes = Set.copyOf(scopes);
        }

        @Override
        public boolean isOpen() {
            return true;
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
            Objects.requireNonNull(reason, "reason");
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
