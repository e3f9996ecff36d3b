package dev.latch;

import java.time.Instant;

/**
 * The state of an issued code, without its secret.
 *
 * <pre>{@code
 * latches.find(issued.codeId()).ifPresent(info -> log.info("code {} is {}", info.codeId(), info.state()));
 * }</pre>
 *
 * @param codeId       the code id
 * @param latchId      the latch
 * @param subject      who it is for
 * @param policy       the policy name
 * @param state        PENDING, CONSUMED, REVOKED or BURNED (too many wrong attempts)
 * @param issuedAt     when it was issued or last renewed
 * @param notBefore    when it starts to open
 * @param expiresAt    when it expires
 * @param attemptsLeft wrong attempts it survives
 * @param usesLeft     opens left
 * @param renewalsLeft renewals left
 *
 * <p>Thread-safe: immutable.
 */
public record CodeInfo(String codeId, String latchId, String subject, String policy, State state, Instant issuedAt,
                       Instant notBefore, Instant expiresAt, int attemptsLeft, int usesLeft, int renewalsLeft) {
    /**
     * The state of a code. Expiry is not a state: compare {@link #expiresAt()} with the clock.
     * For example {@code latches.find(codeId).filter(c -> c.state() == CodeInfo.State.PENDING)}.
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum State {
        /** Can still open. */
        PENDING,
        /** No uses left. */
        CONSUMED,
        /** Revoked, or replaced by a newer code for the same latch and subject. */
        REVOKED,
        /** Burned by too many wrong attempts. */
        BURNED
    }
}
