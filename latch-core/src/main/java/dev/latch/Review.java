package dev.latch;

import dev.latch.spi.Names;
import java.time.Instant;

/**
 * The post-use review of a code whose policy requires one (break-glass): opened when the code
 * opens, due by a deadline, closed by {@link Latches#acknowledgeReview}; past the deadline it is
 * escalated with an {@link AuditEvent.Type#ESCALATION} alert.
 *
 * <pre>{@code
 * Review r = latches.review(codeId).orElseThrow();
 * if (r.state() == Review.State.ESCALATED) page(r.latchId(), r.subject());
 * }</pre>
 *
 * @param codeId         the code that opened
 * @param latchId        its latch
 * @param subject        who used it
 * @param usedAt         when it opened
 * @param deadline       when the review is due
 * @param state          where the review stands
 * @param reviewer       who acknowledged it, or null
 * @param acknowledgedAt when, or null
 *
 * <p>Thread-safe: immutable.
 */
public record Review(String codeId, String latchId, String subject, Instant usedAt, Instant deadline, State state,
                     String reviewer, Instant acknowledgedAt) {
    /**
     * Where a review stands. For example {@code if (review.state() == Review.State.ESCALATED) page(review);}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum State {
        /** Due, deadline not reached (or not yet checked). */
        PENDING,
        /** The deadline passed without acknowledgement; an ESCALATION alert went out. */
        ESCALATED,
        /** Acknowledged by a reviewer. */
        ACKNOWLEDGED
    }

    /** Validates. */
    public Review {
        Names.required(codeId, "codeId");
        Names.required(latchId, "latchId");
        Names.required(subject, "subject");
        Names.required(usedAt, "usedAt");
        Names.required(deadline, "deadline");
        Names.required(state, "state");
    }

    Review acknowledged(String by, Instant at) {
        return new Review(codeId, latchId, subject, usedAt, deadline, State.ACKNOWLEDGED, by, at);
    }

    Review escalated() {
        return new Review(codeId, latchId, subject, usedAt, deadline, State.ESCALATED, null, null);
    }

    /** Ids and names hold no control characters, so a newline separates the fields. */
    String encode() {
        return String.join("\n", state.name(), codeId, latchId, subject, Long.toString(usedAt.toEpochMilli()),
                Long.toString(deadline.toEpochMilli()), reviewer == null ? "" : reviewer,
                acknowledgedAt == null ? "" : Long.toString(acknowledgedAt.toEpochMilli()));
    }

    static Review decode(String s) {
        String[] f = s.split("\n", -1);
        if (f.length != 8) {
            throw new LatchStoreException("a stored review is corrupt (" + f.length + " fields)");
        }
        return new Review(f[1], f[2], f[3], Instant.ofEpochMilli(Long.parseLong(f[4])),
                Instant.ofEpochMilli(Long.parseLong(f[5])), State.valueOf(f[0]), f[6].isEmpty() ? null : f[6],
                f[7].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(f[7])));
    }
}
