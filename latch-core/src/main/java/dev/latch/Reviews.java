package dev.latch;

import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Post-use reviews (break-glass): each is a durable record in the store, started when a code whose
 * policy requires a review opens, acknowledged or escalated by one compare-and-set. Thread-safe.
 */
final class Reviews {
    /** Marker set at issue: the review window and the allowed reviewers of a code. */
    private static final String WITHIN = "~review-within:";
    /** Kept this long past the deadline, so a late acknowledgement is still recorded. */
    static final Duration KEEP = Duration.ofDays(90);
    /** Compare-and-set rounds of one change; a review changes at most twice (escalated, acknowledged). */
    private static final int ROUNDS = 8;

    private final Latches latches;

    Reviews(Latches latches) {
        this.latches = latches;
    }

    private static String key(String codeId) {
        return "review:" + codeId;
    }

    private static String workId(String codeId) {
        return "escalate:" + codeId;
    }

    /** Records, with a newly issued code, what its review will need: the window and the reviewers. */
    void issued(LatchPolicy policy, String latchId, String codeId, String subject, Instant expiresAt, Instant now) {
        String value = policy.reviewWithin().toSeconds() + "|" + String.join(",", policy.reviewers());
        latches.call("putMarker", latchId, codeId, subject, () -> {
            latches.store().putMarker(WITHIN + codeId, value, expiresAt, now);
            return null;
        });
    }

    /** Starts the review of a code that just opened, and schedules its escalation at the deadline. */
    void start(String codeId, String latchId, String subject, Instant now) {
        Optional<String> within = latches.call("getMarker", latchId, codeId, subject,
                () -> latches.store().getMarker(WITHIN + codeId, now));
        long seconds = LatchPolicy.DEFAULT_REVIEW_WITHIN.toSeconds();
        Set<String> reviewers = Set.of();
        if (within.isPresent()) {
            String[] f = within.get().split("\\|", -1);
            seconds = Long.parseLong(f[0]);
            if (f.length > 1 && !f[1].isEmpty()) {
                reviewers = new LinkedHashSet<>(List.of(f[1].split(",")));
            }
        }
        Instant deadline = now.plusSeconds(seconds);
        Review review = new Review(codeId, latchId, subject, now, deadline, Review.State.PENDING, null, null, reviewers);
        boolean created = latches.call("compareAndSet", latchId, codeId, subject,
                () -> latches.store().compareAndSet(key(codeId), 0, review.encode(), deadline.plus(KEEP), now));
        if (!created) {
            return; // a code with several uses opened again: its first review stands
        }
        latches.audit(AuditEvent.Type.REVIEWED, now, latchId, codeId, subject, null, AuditEvent.Outcome.SUCCESS,
                "REVIEW_DUE", Map.of("BY", deadline.toString()));
        latches.scheduleWork(new LatchStore.Work(workId(codeId), DueWork.ESCALATION, codeId, deadline));
    }

    private Optional<LatchStore.Versioned> load(String codeId, Instant now) {
        return latches.call("getRecord", null, codeId, null, () -> latches.store().getRecord(key(codeId), now));
    }

    Optional<Review> find(String codeId) {
        if (!Latches.validId(codeId)) {
            return Optional.empty();
        }
        return load(codeId, latches.clock().instant()).map(v -> Review.decode(v.value()));
    }

    Review.Acknowledgement acknowledge(String codeId, String reviewer, String note) {
        Instant now = latches.clock().instant();
        if (!Latches.validId(codeId)) {
            latches.audit(AuditEvent.Type.REVIEWED, now, null, null, Names.isName(reviewer) ? reviewer : null, null,
                    AuditEvent.Outcome.FAILURE, "MALFORMED_ID");
            return new Review.Acknowledgement(Review.Outcome.NO_REVIEW, null);
        }
        if (!Names.isName(reviewer) || note == null || note.length() > 256 || Names.problem(note.isEmpty() ? " " : note) != null) {
            latches.audit(AuditEvent.Type.REVIEWED, now, null, codeId, Names.isName(reviewer) ? reviewer : null, null,
                    AuditEvent.Outcome.FAILURE, "MALFORMED");
            return new Review.Acknowledgement(Review.Outcome.MALFORMED, null);
        }
        for (int round = 0; round < ROUNDS; round++) {
            Optional<LatchStore.Versioned> v = load(codeId, now);
            if (v.isEmpty()) {
                latches.audit(AuditEvent.Type.REVIEWED, now, null, codeId, reviewer, null, AuditEvent.Outcome.FAILURE,
                        "NO_REVIEW");
                return new Review.Acknowledgement(Review.Outcome.NO_REVIEW, null);
            }
            Review review = Review.decode(v.get().value());
            Review.Outcome refused = null;
            if (review.state() == Review.State.ACKNOWLEDGED) {
                refused = Review.Outcome.ALREADY_ACKNOWLEDGED;
            } else if (review.subject().equals(reviewer)) {
                refused = Review.Outcome.SELF_REVIEW;
            } else if (!review.mayReview(reviewer)) {
                refused = Review.Outcome.NOT_A_REVIEWER;
            }
            if (refused != null) {
                latches.audit(AuditEvent.Type.REVIEWED, now, review.latchId(), codeId, reviewer, null,
                        AuditEvent.Outcome.FAILURE, refused.name());
                return new Review.Acknowledgement(refused, review);
            }
            Review done = review.acknowledged(reviewer, now);
            long version = v.get().version();
            if (latches.call("compareAndSet", review.latchId(), codeId, reviewer, () -> latches.store()
                    .compareAndSet(key(codeId), version, done.encode(), review.deadline().plus(KEEP), now))) {
                Review.Outcome outcome = now.isBefore(review.deadline()) ? Review.Outcome.ACKNOWLEDGED
                        : Review.Outcome.ACKNOWLEDGED_LATE;
                latches.audit(AuditEvent.Type.REVIEWED, now, review.latchId(), codeId, reviewer, null,
                        AuditEvent.Outcome.SUCCESS, outcome.name(), Map.of("NOTE", note.replaceAll("\\p{Cntrl}", " ")));
                latches.cancelWork(workId(codeId));
                return new Review.Acknowledgement(outcome, done);
            }
        }
        throw new LatchStoreException("the review changed on every attempt to acknowledge it");
    }

    /**
     * Escalates a review whose deadline passed unacknowledged: the compare-and-set that moves it to
     * ESCALATED emits the one ESCALATION alert, on whichever instance wins it.
     *
     * @param late how long after the deadline this runs, when it is late; null when on time
     */
    Optional<Review> check(String codeId, Duration late) {
        if (!Latches.validId(codeId)) {
            return Optional.empty();
        }
        Instant now = latches.clock().instant();
        for (int round = 0; round < ROUNDS; round++) {
            Optional<LatchStore.Versioned> v = load(codeId, now);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            Review review = Review.decode(v.get().value());
            if (review.state() != Review.State.PENDING || now.isBefore(review.deadline())) {
                return Optional.of(review);
            }
            Review escalated = review.escalated();
            long version = v.get().version();
            if (latches.call("compareAndSet", review.latchId(), codeId, review.subject(), () -> latches.store()
                    .compareAndSet(key(codeId), version, escalated.encode(), review.deadline().plus(KEEP), now))) {
                Map<String, String> details = late == null ? Map.of("DUE", review.deadline().toString())
                        : Latches.details("DUE", review.deadline().toString(), "LATE", late.toString());
                latches.audit(AuditEvent.Type.ESCALATION, now, review.latchId(), codeId, review.subject(), null,
                        AuditEvent.Outcome.ALERT, "REVIEW_OVERDUE", details);
                return Optional.of(escalated);
            }
        }
        throw new LatchStoreException("the review changed on every attempt to escalate it");
    }
}
