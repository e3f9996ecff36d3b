package dev.latch;

import java.util.List;

/**
 * A set of single-use recovery codes for one subject, shown once. Each code opens exactly once;
 * issuing a new set revokes the old one. Codes are 10 Crockford base32 characters (50 bits),
 * written {@code XXXXX-XXXXX}; input is case-insensitive and hyphens are ignored.
 *
 * <pre>{@code
 * RecoveryCodes codes = latches.issueRecoveryCodes("alice", 10);
 * printForUser(codes.codes());
 * Verdict v = latches.redeemRecoveryCode(typed, AccessContext.of("alice"));
 * }</pre>
 *
 * <p>{@code toString} masks the codes. Thread-safe: immutable.
 */
public final class RecoveryCodes {
    private final String setId;
    private final String subject;
    private final List<String> codes;

    RecoveryCodes(String setId, String subject, List<String> codes) {
        this.setId = setId;
        this.subject = subject;
        this.codes = List.copyOf(codes);
    }

    /** @return the non-secret id of the set */
    public String setId() {
        return setId;
    }

    /** @return the subject */
    public String subject() {
        return subject;
    }

    /** @return the clear codes: show them once, never log them */
    public List<String> codes() {
        return codes;
    }

    @Override
    public String toString() {
        return "RecoveryCodes[id=" + setId + ", subject=" + subject + ", codes=" + codes.size() + " × ***]";
    }
}
