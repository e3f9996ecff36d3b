package dev.latch.spi;

import dev.latch.CodeFormat;
import dev.latch.CodeInfo;

import java.time.Instant;
import java.util.List;

/**
 * A dynamic code (or a set of recovery codes) as a store keeps it: keyed digests, never the
 * code. One record per latch and subject is pending at a time.
 *
 * <pre>{@code
 * store.find(codeId).map(CodeRecord::state);
 * }</pre>
 *
 * @param codeId         the non-secret id
 * @param latchId        the latch
 * @param subject        who it is for
 * @param policy         the policy name
 * @param kind           the code kind, to pick the matching presented digest
 * @param digests        HMAC-SHA256 digests, 32 bytes each; one per code (several for recovery sets).
 *                       Arrays are never modified after construction
 * @param usedSlots      for several digests: bit i set when digest i was used
 * @param state          pending, consumed, revoked or burned
 * @param issuedAt       when it was issued or last renewed (expiresAt - issuedAt is its lifetime)
 * @param notBefore      when it starts to open
 * @param expiresAt      when it expires ({@link #NEVER} for none)
 * @param attemptsLeft   wrong attempts it survives ({@link Integer#MAX_VALUE}: not counted per code)
 * @param usesLeft       opens left
 * @param renewalsLeft   renewals left
 * @param reviewRequired whether opening leaves a post-use review due
 * @param conditions     the policy's conditions in their canonical text form, empty for none
 * @param request        SHA-256 of the request the code is bound to, or null
 *
 * <p>{@code toString} leaves out the digests. Thread-safe: immutable.
 */
public record CodeRecord(String codeId, String latchId, String subject, String policy, CodeFormat.Kind kind,
                         List<byte[]> digests, long usedSlots, CodeInfo.State state, Instant issuedAt,
                         Instant notBefore, Instant expiresAt, int attemptsLeft, int usesLeft, int renewalsLeft,
                         boolean reviewRequired, String conditions, byte[] request)
        implements CodeSummary {

    /** The expiry of codes that do not expire (recovery codes): 9999-12-31T23:59:59Z. */
    public static final Instant NEVER = Instant.ofEpochSecond(253402300799L);

    /** Validates. */
    public CodeRecord {
        Names.required(codeId, "codeId");
        Names.required(latchId, "latchId");
        Names.required(subject, "subject");
        Names.required(kind, "kind");
        Names.required(state, "state");
        Names.required(issuedAt, "issuedAt");
        Names.required(notBefore, "notBefore");
        Names.required(expiresAt, "expiresAt");
        digests = List.copyOf(digests);
        if (digests.isEmpty() || digests.size() > 64) {
            throw new IllegalArgumentException("a code record has 1 to 64 digests");
        }
        for (byte[] d : digests) {
            if (d.length != 32) {
                throw new IllegalArgumentException("digests are 32 bytes");
            }
        }
        if (request != null && request.length != 32) {
            throw new IllegalArgumentException("request digests are 32 bytes");
        }
        conditions = conditions == null ? "" : conditions;
    }

    /**
     * @param now       the time of renewal, which becomes {@link #issuedAt()}
     * @param newExpiry the new expiry
     * @return a copy renewed once
     */
    public CodeRecord renew(Instant now, Instant newExpiry) {
        return new CodeRecord(codeId, latchId, subject, policy, kind, digests, usedSlots, state, now, notBefore,
                newExpiry, attemptsLeft, usesLeft, renewalsLeft - 1, reviewRequired, conditions, request);
    }

    /** @return the public view of this record */
    public CodeInfo info() {
        return new CodeInfo(codeId, latchId, subject, policy, state, issuedAt, notBefore, expiresAt, attemptsLeft,
                usesLeft, renewalsLeft);
    }

    @Override
    public String toString() {
        return "CodeRecord[id=" + codeId + ", latch=" + latchId + ", subject=" + subject + ", policy=" + policy
                + ", kind=" + kind + ", digests=" + digests.size() + "×***, state=" + state + ", expiresAt=" + expiresAt
                + ", attemptsLeft=" + attemptsLeft + ", usesLeft=" + usesLeft + "]";
    }
}
