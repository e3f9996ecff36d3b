package dev.latch;

import java.time.Instant;
import java.util.Objects;

/**
 * Something latch did: who, when, from where, which latch and code id, the outcome and why.
 * Never a code, a digest or a key.
 *
 * <pre>{@code
 * Latches latches = Latches.builder()
 *         .pepper(pepper)
 *         .auditSink(AuditSink.logging(), event -> metrics.count(event.type()))
 *         .build();
 * }</pre>
 *
 * @param type     what happened
 * @param time     when, from the injected clock
 * @param latchId  the latch, resource or key prefix concerned (may be null)
 * @param codeId   the non-secret id of the code, key or token (may be null)
 * @param subject  who (may be null)
 * @param source   the source address (may be null)
 * @param outcome  success, failure or alert
 * @param reason   a short machine-readable reason, such as a {@link DenialReason} name or
 *                 {@code UNKNOWN_CODE}; never secret material (may be null)
 *
 * <p>Thread-safe: immutable.
 */
public record AuditEvent(Type type, Instant time, String latchId, String codeId, String subject, String source,
                         Outcome outcome, String reason) {

    /**
     * What happened. For example {@code if (event.type() == AuditEvent.Type.LOCKED_OUT) page(event);}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Type {
        /** A dynamic code, a recovery code set or a static key was issued. */
        ISSUED,
        /** A code was handed to a delivery channel. */
        DELIVERED,
        /** A delivery channel failed. */
        DELIVERY_FAILED,
        /** A latch opened, or a key authenticated. */
        OPENED,
        /** A code, key or token was refused. */
        DENIED,
        /** A pending code was renewed, or a renewal was refused. */
        RENEWED,
        /** A code, set of codes or key was revoked. */
        REVOKED,
        /** A static key was rotated. */
        ROTATED,
        /** Consecutive failures locked a latch for a subject. */
        LOCKED_OUT,
        /** Issuing was refused by the per-subject rate limit. */
        RATE_LIMITED,
        /** The store or a signer failed; nothing opened. */
        STORE_FAILURE,
        /** Something an operator should look at: failure threshold, new source address, out-of-hours use. */
        ALERT,
        /** A trigger reached its threshold and issued a challenge. */
        TRIGGERED,
        /** An approver approved or denied an approval gate, or the gate was decided. */
        APPROVAL,
        /** A post-use review became due, or was acknowledged. */
        REVIEWED,
        /** A post-use review passed its deadline without acknowledgement (outcome ALERT). */
        ESCALATION
    }

    /**
     * The outcome. For example {@code if (event.outcome() == AuditEvent.Outcome.ALERT) notifyOnCall(event);}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Outcome {
        /** It worked. */
        SUCCESS,
        /** It was refused or failed. */
        FAILURE,
        /** An alert: see the reason. */
        ALERT
    }

    /** Validates. */
    public AuditEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(outcome, "outcome");
    }
}
