package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.internal.Alphabets;
import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore.IssueResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Recovery codes, holds on latches (for triggers) and answering an undelivered code with a
 * recovery code. {@link Latches} documents the behaviour. Thread-safe.
 */
final class Recovery extends Part {
    static final int RECOVERY_LENGTH = 10;
    static final String BACKUP = "~backup:";
    static final String HOLD = "~hold:";
    private final Codes codes;

    Recovery(Part base, Codes codes) {
        super(base);
        this.codes = codes;
    }

    RecoveryCodes issueRecoveryCodes(String subject, int n) {
        AccessContext.checkText("subject", subject);
        if (n < 1 || n > Latches.MAX_RECOVERY_CODES) {
            throw new IllegalArgumentException("recovery code count must be 1 to " + Latches.MAX_RECOVERY_CODES + ", got " + n);
        }
        Instant now = clock.instant();
        List<String> codes = new ArrayList<>(n);
        List<byte[]> digests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String raw = Alphabets.crockford(random, RECOVERY_LENGTH);
            codes.add(raw.substring(0, 5) + "-" + raw.substring(5));
            digests.add(hasher.code(Latches.RECOVERY_LATCH, subject, raw));
        }
        String setId = "r_" + Alphabets.id(random);
        CodeRecord record = new CodeRecord(setId, Latches.RECOVERY_LATCH, subject, "RECOVERY", CodeFormat.Kind.BASE32, digests,
                0L, CodeInfo.State.PENDING, now, now, CodeRecord.NEVER, Integer.MAX_VALUE, n, 0, false, "", null);
        IssueResult result = call("issue", Latches.RECOVERY_LATCH, setId, subject, () -> store.issue(record, null, now));
        if (result.replacedCodeId() != null) {
            audit(AuditEvent.Type.REVOKED, now, Latches.RECOVERY_LATCH, result.replacedCodeId(), subject, null,
                    AuditEvent.Outcome.SUCCESS, "REPLACED");
        }
        audit(AuditEvent.Type.ISSUED, now, Latches.RECOVERY_LATCH, setId, subject, null, AuditEvent.Outcome.SUCCESS,
                "RECOVERY_CODES", Map.of("COUNT", Integer.toString(n)));
        return new RecoveryCodes(setId, subject, codes);
    }

    Verdict redeemRecoveryCode(String code, AccessContext context) {
        Instant now = clock.instant();
        if (context == null) {
            audit(AuditEvent.Type.DENIED, now, Latches.RECOVERY_LATCH, null, null, null, AuditEvent.Outcome.FAILURE,
                    "MALFORMED_REQUEST");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        return codes.present(Latches.RECOVERY_LATCH, PresentedCode.parse(code), context, now);
    }

    static String slot(String latchId, String subject) {
        return latchId + '\u0000' + subject;
    }

    void hold(String latchId, String subject, String codeId, Instant until) {
        Instant now = clock.instant();
        call("putMarker", latchId, codeId, subject, () -> {
            store.putMarker(HOLD + slot(latchId, subject), codeId, until, now);
            return null;
        });
    }

    boolean held(String latchId, String subject) {
        Instant now = clock.instant();
        Optional<String> codeId = call("getMarker", latchId, null, subject,
                () -> store.getMarker(HOLD + slot(latchId, subject), now));
        if (codeId.isEmpty() || codeId.get().isEmpty()) {
            return false;
        }
        Optional<CodeRecord> challenge = call("find", latchId, codeId.get(), subject, () -> store.find(codeId.get()));
        // Answered means used; an expired, burned or revoked challenge keeps the hold (fail closed).
        return challenge.isEmpty() || challenge.get().state() != CodeInfo.State.CONSUMED;
    }

    Verdict answerWithRecoveryCode(String latchId, String code, AccessContext context) {
        Instant now = clock.instant();
        if (context == null || !validLatchId(latchId) || latchId.startsWith("~")) {
            audit(AuditEvent.Type.DENIED, now, safeText(latchId), null, context == null ? null : context.subject(), null,
                    AuditEvent.Outcome.FAILURE, "MALFORMED_REQUEST");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        String subject = context.subject();
        String key = BACKUP + slot(latchId, subject);
        Optional<String> pending = call("getMarker", latchId, null, subject, () -> store.getMarker(key, now));
        if (pending.isEmpty() || pending.get().isEmpty()) {
            // malformed input is MALFORMED whether or not a backup answer is awaited, as for open
            boolean malformed = PresentedCode.parse(code).malformed();
            audit(AuditEvent.Type.DENIED, now, latchId, null, subject, context.sourceText(), AuditEvent.Outcome.FAILURE,
                    malformed ? "MALFORMED" : "NO_BACKUP_PENDING");
            return Verdict.denied(malformed ? DenialReason.MALFORMED : DenialReason.WRONG_CODE);
        }
        Verdict v = redeemRecoveryCode(code, context);
        if (!v.isOpen()) {
            return v;
        }
        String codeId = pending.get();
        call("revoke", latchId, codeId, subject, () -> store.revoke(codeId, now));
        call("putMarker", latchId, codeId, subject, () -> {
            store.putMarker(key, "", now.plusSeconds(1), now);
            store.putMarker(HOLD + slot(latchId, subject), "", now.plusSeconds(1), now);
            return null;
        });
        audit(AuditEvent.Type.OPENED, now, latchId, codeId, subject, context.sourceText(), AuditEvent.Outcome.SUCCESS,
                "RECOVERY_CODE");
        return new Verdict.Opened(codeId, latchId, subject, Set.of(), 0, false);
    }
}
