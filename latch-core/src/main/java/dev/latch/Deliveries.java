package dev.latch;

import dev.latch.DeliveryChain.DeliveryReceipt;

import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.Delivery;
import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Delivery of codes through the chain, and reminders (scheduled work in the store).
 * {@link Latches} documents the behaviour. Thread-safe.
 */
final class Deliveries extends Part {
    private final Codes codes;
    private final DueWork dueWork;
    /** Marks a latch and subject whose code no channel delivered, for {@link #override}. */
    static final String UNDELIVERED = "~undelivered:";

    Deliveries(Part base, Codes codes, DueWork dueWork) {
        super(base);
        this.codes = codes;
        this.dueWork = dueWork;
    }

    DeliveryReceipt issueAndDeliver(LatchPolicy policy, String latchId, String subject, String recipient,
                                           RequestDigest request) {
        Names.required(policy, "policy");
        checkLatchId(latchId);
        AccessContext.checkText("subject", subject);
        AccessContext.checkText("recipient", recipient);
        requireDelivery();
        IssuedCode issued = codes.issue(policy, latchId, subject, request);
        return deliver(issued, policy, recipient);
    }

    DeliveryReceipt issueAndDeliver(LatchPolicy.RiskTiers.Decision decision, String recipient,
                                    java.util.Map<String, String> details) {
        AccessContext.checkText("recipient", recipient);
        DeliveryChain chain = requireDelivery().only(decision.strength().channels());
        IssuedCode issued = codes.issueCode(decision.policy(), decision.latchId(), decision.subject(), null, details);
        return deliver(issued, decision.policy(), recipient, chain);
    }

    DeliveryChain requireDelivery() {
        if (delivery == null) {
            throw new IllegalStateException("no delivery chain: build Latches with .delivery(DeliveryChain.builder()...)");
        }
        return delivery;
    }

    DeliveryReceipt deliver(IssuedCode issued, LatchPolicy policy, String recipient) {
        return deliver(issued, policy, recipient, requireDelivery());
    }

    DeliveryReceipt deliver(IssuedCode issued, LatchPolicy policy, String recipient, DeliveryChain chain) {
        Delivery message = new Delivery(Delivery.Kind.CODE, recipient, issued.latchId(), issued.codeId(), issued.code(),
                issued.expiresAt(), issued.policy());
        DeliveryReceipt receipt = chain.deliver(message, attempt -> auditAttempt(message, issued.subject(), attempt, null));
        Instant now = clock.instant();
        if (!receipt.delivered()) {
            if (policy.backupCodes()) {
                call("putMarker", issued.latchId(), issued.codeId(), issued.subject(), () -> {
                    store.putMarker(Recovery.BACKUP + Recovery.slot(issued.latchId(), issued.subject()), issued.codeId(),
                            issued.expiresAt(), now);
                    return null;
                });
            } else {
                boolean revoked = call("revoke", issued.latchId(), issued.codeId(), issued.subject(),
                        () -> store.revoke(issued.codeId(), now));
                audit(AuditEvent.Type.REVOKED, now, issued.latchId(), issued.codeId(), issued.subject(), null,
                        revoked ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, "UNDELIVERED");
                // an administrator may override it (Latches.override) until it would have expired
                call("putMarker", issued.latchId(), issued.codeId(), issued.subject(), () -> {
                    store.putMarker(UNDELIVERED + Recovery.slot(issued.latchId(), issued.subject()), issued.codeId(),
                            issued.expiresAt(), now);
                    return null;
                });
            }
            throw new DeliveryFailedException(receipt, policy.backupCodes());
        }
        if (policy.remindBefore() != null) {
            scheduleReminder(issued.codeId(), recipient, policy.remindBefore(), issued.expiresAt());
        }
        return receipt;
    }

    void auditAttempt(Delivery message, String subject, DeliveryChain.Attempt attempt, Duration late) {
        String reason = message.kind() == Delivery.Kind.CODE ? "CODE" : message.kind().name();
        Map<String, String> details = attempt.failure() == null ? Map.of("CHANNEL", attempt.channel())
                : details("CHANNEL", attempt.channel(), "FAILURE", attempt.failure());
        if (late != null) {
            details = new java.util.LinkedHashMap<>(details);
            details.put("LATE", late.toString());
        }
        audit(attempt.failure() == null ? AuditEvent.Type.DELIVERED : AuditEvent.Type.DELIVERY_FAILED, clock.instant(),
                message.latchId(), message.codeId(), subject, null,
                attempt.failure() == null ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, reason, details);
    }

    DeliveryReceipt deliverMessage(Delivery message, String subject) {
        return remindOf(message, subject, null);
    }

    /** Delivers a message (a reminder, a rotation notice, a successor key), auditing each attempt and whether it is late. */
    DeliveryReceipt remindOf(Delivery message, String subject, Duration late) {
        return requireDelivery().deliver(message, attempt -> auditAttempt(message, subject, attempt, late));
    }

    static String reminderId(String codeId) {
        return "remind:" + codeId;
    }

    void scheduleReminder(String codeId, String recipient, Duration lead, Instant expiresAt) {
        dueWork.add(new dev.latch.spi.LatchStore.Work(reminderId(codeId), DueWork.REMINDER,
                codeId + "\n" + lead.toSeconds() + "\n" + recipient, expiresAt.minus(lead)));
    }

    void remindDue(String payload, Duration late) {
        String[] f = payload.split("\n", 3);
        if (f.length != 3 || !validId(f[0])) {
            return;
        }
        String codeId = f[0];
        Duration lead = Duration.ofSeconds(Long.parseLong(f[1]));
        String recipient = f[2];
        Instant now = clock.instant();
        Optional<CodeRecord> found = call("find", null, codeId, null, () -> store.find(codeId));
        if (found.isEmpty()) {
            return;
        }
        CodeRecord record = found.get();
        if (record.state() != CodeInfo.State.PENDING || !now.isBefore(record.expiresAt())) {
            return;
        }
        Instant due = record.expiresAt().minus(lead);
        if (now.isBefore(due)) {
            scheduleReminder(codeId, recipient, lead, record.expiresAt()); // renewed meanwhile
            return;
        }
        remindOf(new Delivery(Delivery.Kind.REMINDER, recipient, record.latchId(), codeId, null,
                record.expiresAt(), record.policy()), record.subject(), late);
    }

    /**
     * The override of an undelivered code: see {@link Latches#override}. Each undelivered code can
     * be overridden once (a replay marker in the store), by anyone but its subject.
     */
    IssuedCode override(String latchId, String subject, String approver, String reason) {
        checkLatchId(latchId);
        AccessContext.checkText("subject", subject);
        AccessContext.checkText("approver", approver);
        AccessContext.checkText("reason", reason);
        Instant now = clock.instant();
        if (approver.equals(subject)) {
            audit(AuditEvent.Type.APPROVAL, now, latchId, null, approver, null, AuditEvent.Outcome.FAILURE,
                    "SELF_OVERRIDE");
            throw new IllegalArgumentException("an override is granted by someone other than the subject");
        }
        String key = UNDELIVERED + Recovery.slot(latchId, subject);
        java.util.Optional<String> undelivered = call("getMarker", latchId, null, subject, () -> store.getMarker(key, now));
        if (undelivered.isEmpty() || undelivered.get().isEmpty()) {
            audit(AuditEvent.Type.APPROVAL, now, latchId, null, approver, null, AuditEvent.Outcome.FAILURE,
                    "NO_UNDELIVERED_CODE", Map.of("FOR", subject));
            throw new IllegalStateException("no undelivered code awaits an override for that latch and subject");
        }
        String codeId = undelivered.get();
        boolean first = call("putOnce", latchId, codeId, subject,
                () -> store.putOnce("~overridden:" + codeId, now.plus(LatchPolicy.OVERRIDE.ttl()).plusSeconds(3600), now));
        if (!first) {
            audit(AuditEvent.Type.APPROVAL, now, latchId, codeId, approver, null, AuditEvent.Outcome.FAILURE,
                    "ALREADY_OVERRIDDEN", Map.of("FOR", subject));
            throw new IllegalStateException("that undelivered code was already overridden");
        }
        IssuedCode granted = codes.issue(LatchPolicy.OVERRIDE, latchId, subject, null);
        audit(AuditEvent.Type.APPROVAL, now, latchId, granted.codeId(), approver, null, AuditEvent.Outcome.SUCCESS,
                "OVERRIDE_GRANTED", details("FOR", subject, "UNDELIVERED", codeId, "REASON", reason));
        return granted;
    }
}
