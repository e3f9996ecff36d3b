package dev.latch;

import dev.latch.spi.Names;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The post-use review of a code whose policy requires one (break-glass): opened when the code
 * opens, due by a deadline, closed by {@link Latches#acknowledgeReview}; past the deadline it is
 * escalated with an {@link AuditEvent.Type#ESCALATION} alert. Reviews are records in the store, so
 * every instance sees the same review, and each change (acknowledgement, escalation) is one
 * compare-and-set: of racing reviewers exactly one acknowledges.
 *
 * <pre>{@code
 * Review r = latches.review(codeId).orElseThrow();
 * if (r.state() == Review.State.ESCALATED) page(r.latchId(), r.subject());
 * Review.Acknowledgement a = latches.acknowledgeReview(codeId, "dave", "INC-7: restart was needed");
 * if (!a.acknowledged()) log.warn("not acknowledged: {}", a.outcome());
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
 * @param reviewers      who may acknowledge it (never the subject); empty: anyone but the subject
 *
 * <p>Thread-safe: immutable.
 */
public record Review(String codeId, String latchId, String subject, Instant usedAt, Instant deadline, State state,
                     String reviewer, Instant acknowledgedAt, Set<String> reviewers) {
    /** The version of the stored form that {@link #encode()} writes and {@link #decode} reads. */
    static final int FORMAT = 1;

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

    /**
     * The answer to {@link Latches#acknowledgeReview}: a typed denial when it did not acknowledge.
     * For example {@code if (a.outcome() == Review.Outcome.ALREADY_ACKNOWLEDGED) tellReviewer(a.review());}
     *
     * <p>Thread-safe: immutable.
     *
     * @param outcome what happened
     * @param review  the review after it, or null when there is none (unknown id, malformed input)
     */
    public record Acknowledgement(Outcome outcome, Review review) {
        /** Validates. */
        public Acknowledgement {
            Names.required(outcome, "outcome");
        }

        /** @return true when this call acknowledged the review */
        public boolean acknowledged() {
            return outcome == Outcome.ACKNOWLEDGED || outcome == Outcome.ACKNOWLEDGED_LATE;
        }
    }

    /**
     * What one acknowledgement did. For example {@code if (a.outcome() == Review.Outcome.SELF_REVIEW) refuse();}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Outcome {
        /** Acknowledged before the deadline. */
        ACKNOWLEDGED,
        /** Acknowledged after the deadline (the review may have been escalated). */
        ACKNOWLEDGED_LATE,
        /** Someone acknowledged it first; nothing changed. */
        ALREADY_ACKNOWLEDGED,
        /** No review for that id (unknown, never opened, or not an id latch makes). */
        NO_REVIEW,
        /** The reviewer is the subject who used the code. */
        SELF_REVIEW,
        /** The code's policy names its reviewers, and this is not one of them. */
        NOT_A_REVIEWER,
        /** The reviewer or the note is null, empty, oversized or has control characters. */
        MALFORMED
    }

    /** Validates. */
    public Review {
        Names.required(codeId, "codeId");
        Names.required(latchId, "latchId");
        Names.required(subject, "subject");
        Names.required(usedAt, "usedAt");
        Names.required(deadline, "deadline");
        Names.required(state, "state");
        reviewers = reviewers == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(reviewers));
    }

    /**
     * @param who a reviewer
     * @return whether {@code who} may acknowledge this review
     */
    public boolean mayReview(String who) {
        return !subject.equals(who) && (reviewers.isEmpty() || reviewers.contains(who));
    }

    Review acknowledged(String by, Instant at) {
        return new Review(codeId, latchId, subject, usedAt, deadline, State.ACKNOWLEDGED, by, at, reviewers);
    }

    Review escalated() {
        return new Review(codeId, latchId, subject, usedAt, deadline, State.ESCALATED, null, null, reviewers);
    }

    /**
     * The stored form: its format version first, then one field per line (ids and names hold no
     * control characters, and reviewer names no commas).
     */
    String encode() {
        return String.join("\n", "review/" + FORMAT, state.name(), codeId, latchId, subject,
                Long.toString(usedAt.toEpochMilli()), Long.toString(deadline.toEpochMilli()),
                reviewer == null ? "" : reviewer, acknowledgedAt == null ? "" : Long.toString(acknowledgedAt.toEpochMilli()),
                String.join(",", reviewers));
    }

    /**
     * @throws LatchStoreException when the stored form is corrupt or has a format this version does not read
     */
    static Review decode(String s) {
        String[] f = s.split("\n", -1);
        if (f.length < 1 || !f[0].startsWith("review/")) {
            throw new LatchStoreException("a stored review is corrupt");
        }
        if (!f[0].equals("review/" + FORMAT)) {
            throw new LatchStoreException("a stored review has a format this version of latch does not read");
        }
        if (f.length != 10) {
            throw new LatchStoreException("a stored review is corrupt (" + f.length + " fields)");
        }
        try {
            return new Review(f[2], f[3], f[4], Instant.ofEpochMilli(Long.parseLong(f[5])),
                    Instant.ofEpochMilli(Long.parseLong(f[6])), State.valueOf(f[1]), f[7].isEmpty() ? null : f[7],
                    f[8].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(f[8])),
                    f[9].isEmpty() ? Set.of() : new LinkedHashSet<>(List.of(f[9].split(","))));
        } catch (IllegalArgumentException e) {
            throw new LatchStoreException("a stored review is corrupt");
        }
    }
}
