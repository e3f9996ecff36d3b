package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.internal.Alphabets;
import dev.latch.internal.CodeIds;
import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore.CodeSummary;
import dev.latch.spi.LatchStore.CounterRequest;
import dev.latch.spi.LatchStore.CounterResult;
import dev.latch.spi.LatchStore.IssueResult;
import dev.latch.spi.Names;
import dev.latch.spi.LatchStore.OpenRequest;
import dev.latch.spi.LatchStore.OpenResult;
import dev.latch.spi.LatchStore.RenewResult;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Dynamic codes and counter-based one-time passwords: issue, open, revoke, renew and find, each
 * decision one atomic store operation. {@link Latches} documents the behaviour. Thread-safe.
 */
final class Codes extends Part {
    static final String CODE_REASON = "CODE";
    static final String REVIEW_DUE_REASON = "REVIEW_DUE";
    private final java.util.concurrent.ConcurrentHashMap<String, Map<String, String>> policyDetails =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Reviews reviews;

    Codes(Part base, Reviews reviews) {
        super(base);
        this.reviews = reviews;
    }

    IssuedCode issue(LatchPolicy policy, String latchId, String subject) {
        return issue(policy, latchId, subject, null);
    }

    IssuedCode issue(LatchPolicy policy, String latchId, String subject, RequestDigest request) {
        checkLatchId(latchId);
        return issueCode(policy, latchId, subject, request);
    }

    IssuedCode issueCode(LatchPolicy policy, String latchId, String subject, RequestDigest request) {
        return issueCode(policy, latchId, subject, request, null);
    }

    /** @param extra details added to the ISSUED event after the policy's (null: none) */
    IssuedCode issueCode(LatchPolicy policy, String latchId, String subject, RequestDigest request,
                         Map<String, String> extra) {
        Names.required(policy, "policy");
        AccessContext.checkText("latchId", latchId);
        AccessContext.checkText("subject", subject);
        Instant now = clock.instant();
        Draft d = draft(policy, latchId, subject, request, now);
        IssueResult result;
        try {
            result = store.issue(d.record(), issueLimit, now);
        } catch (RuntimeException e) {
            throw storeFailure("issue", latchId, d.record().codeId(), subject, e);
        }
        return issued(result, d.record(), d.code(), policy, extra, now);
    }

    /** The same issue, with the store's decision awaited without blocking; see {@link LatchStore#issueAsync}. */
    java.util.concurrent.CompletionStage<IssuedCode> issueAsync(LatchPolicy policy, String latchId, String subject) {
        checkLatchId(latchId);
        Names.required(policy, "policy");
        AccessContext.checkText("subject", subject);
        Instant now = clock.instant();
        Draft d = draft(policy, latchId, subject, null, now);
        CodeRecord record = d.record();
        String code = d.code();
        String codeId = record.codeId();
        java.util.concurrent.CompletionStage<IssueResult> stage;
        try {
            stage = store.issueAsync(record, issueLimit, now);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(storeFailure("issue", latchId, codeId, subject, e));
        }
        return stage.handle((result, e) -> {
            if (e != null) {
                throw storeFailure("issue", latchId, codeId, subject, unwrap(e));
            }
            return issued(result, record, code, policy, null, now);
        });
    }

    static RuntimeException unwrap(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof RuntimeException r ? r : new IllegalStateException(t.getClass().getSimpleName(), t);
    }

    /** A new code and the record the store keeps of it (its keyed digest, never the code). */
    private record Draft(CodeRecord record, String code) {
    }

    private Draft draft(LatchPolicy policy, String latchId, String subject, RequestDigest request, Instant now) {
        // One draw for the id and the code (no time saved, measured; fewer arrays than two draws).
        byte[] draw = new byte[Alphabets.ID_BYTES + randomBytes(policy.format())];
        random.nextBytes(draw);
        String codeId = CodeIds.id(CodeIds.tag(tagK0, tagK1, latchId, subject), draw); // see CodeIds: the store files it by the tag
        String code = generate(random, policy.format(), draw, Alphabets.ID_BYTES);
        return new Draft(record(policy, latchId, subject, request, codeId, code, now), code);
    }

    private CodeRecord record(LatchPolicy policy, String latchId, String subject, RequestDigest request, String codeId,
                              String code, Instant now) {
        byte[] digest = hasher.code(latchId, subject, canonical(policy.format(), code));
        return new CodeRecord(codeId, latchId, subject, policy.name(), policy.format().kind(),
                List.of(digest), 0L, CodeInfo.State.PENDING, now, now.plus(policy.notBefore()), now.plus(policy.ttl()),
                policy.maxAttempts(), policy.maxUses(), policy.renewals(), policy.reviewRequired(),
                Condition.encodeAll(policy.conditions()), request == null ? null : request.bytes());
    }

    /** After the store's decision: audit, review, the code. */
    private IssuedCode issued(IssueResult result, CodeRecord record, String code, LatchPolicy policy,
                              Map<String, String> extra, Instant now) {
        String latchId = record.latchId();
        String subject = record.subject();
        String codeId = record.codeId();
        if (!result.issued()) {
            audit(AuditEvent.Type.RATE_LIMITED, now, latchId, null, subject, null, AuditEvent.Outcome.FAILURE,
                    "ISSUE_RATE_LIMIT");
            throw new IssueRateLimitedException(subject, issueLimit);
        }
        if (result.replacedCodeId() != null) {
            audit(AuditEvent.Type.REVOKED, now, latchId, result.replacedCodeId(), subject, null,
                    AuditEvent.Outcome.SUCCESS, "REPLACED");
        }
        Map<String, String> details = policyDetails(policy.name());
        if (extra != null) {
            details = new java.util.LinkedHashMap<>(details);
            details.putAll(extra);
        }
        audit(AuditEvent.Type.ISSUED, now, latchId, codeId, subject, null, AuditEvent.Outcome.SUCCESS, CODE_REASON,
                details);
        if (policy.reviewRequired()) {
            reviews.issued(policy, latchId, codeId, subject, record.expiresAt(), now);
        }
        return new IssuedCode(codeId, latchId, subject, code, record.notBefore(), record.expiresAt(), policy.name());
    }

    Verdict open(String latchId, String code, AccessContext context) {
        Instant now = clock.instant();
        if (context == null || !validLatchId(latchId) || latchId.startsWith("~")) {
            audit(AuditEvent.Type.DENIED, now, safeText(latchId), null, context == null ? null : context.subject(), null,
                    AuditEvent.Outcome.FAILURE, "MALFORMED_REQUEST");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        return present(latchId, PresentedCode.parse(code), context, now);
    }

    /**
     * The blocking open, the measured hot path: written out rather than through
     * {@link #openRequest} and {@link #early}, which the asynchronous path uses for the same steps
     * (a change to one is a change to both). Through the helpers it measured about 5% slower
     * against its floor ({@code Interleaved open 1000}, alternating jars: 1.19 and 1.24 written
     * out, 1.30 and 1.26 through the helpers).
     */
    Verdict present(String latchId, PresentedCode presented, AccessContext context, Instant now) {
        String subject = context.subject();
        String source = context.sourceText();
        byte[] folded = presented.folded == null ? null : hasher.code(latchId, subject, presented.folded);
        byte[] exact = presented.exact == null ? null : hasher.code(latchId, subject, presented.exact);
        OpenRequest request;
        if (previousHasher == null) {
            request = new OpenRequest(latchId, subject, folded, exact, presented.kinds, context.requestBytes(), source,
                    false, now, lockout);
        } else {
            // peppers rotate: codes issued under the previous primary still open until it is left out
            byte[] previousFolded = presented.folded == null ? null : previousHasher.code(latchId, subject, presented.folded);
            byte[] previousExact = presented.exact == null ? null : previousHasher.code(latchId, subject, presented.exact);
            request = new OpenRequest(latchId, subject, folded, exact, presented.kinds, context.requestBytes(), source,
                    false, now, lockout, previousFolded, previousExact);
        }
        OpenResult result;
        try {
            result = store.open(request);
        } catch (RuntimeException e) {
            throw storeFailure("open", latchId, null, subject, e);
        }
        if (result.outcome() == OpenResult.Outcome.NO_CODE && presented.malformed()) {
            // Malformed input is MALFORMED whether or not a code is pending, so garbage cannot
            // tell a pending code from none (a well-formed wrong code is WRONG_CODE either way).
            audit(AuditEvent.Type.DENIED, now, latchId, null, subject, source, AuditEvent.Outcome.FAILURE, "MALFORMED");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        if (result.outcome() == OpenResult.Outcome.CONDITIONS_PENDING) {
            List<Condition> conditions = Condition.decodeAll(result.code().conditions());
            for (Condition c : conditions) {
                if (!c.test(context, now)) {
                    audit(AuditEvent.Type.DENIED, now, latchId, result.code().codeId(), subject, source,
                            AuditEvent.Outcome.FAILURE, DenialReason.CONTEXT_REJECTED.name());
                    return Verdict.denied(DenialReason.CONTEXT_REJECTED);
                }
            }
            OpenRequest cleared = request.withConditionsCleared();
            result = call("open", latchId, null, subject, () -> store.open(cleared));
        }
        return conclude(latchId, subject, source, now, result);
    }

    /** The same open, with the store's decisions awaited without blocking; see {@link LatchStore#openAsync}. */
    java.util.concurrent.CompletionStage<Verdict> openAsync(String latchId, String code, AccessContext context) {
        Instant now = clock.instant();
        if (context == null || !validLatchId(latchId) || latchId.startsWith("~")) {
            audit(AuditEvent.Type.DENIED, now, safeText(latchId), null, context == null ? null : context.subject(), null,
                    AuditEvent.Outcome.FAILURE, "MALFORMED_REQUEST");
            return java.util.concurrent.CompletableFuture.completedFuture(Verdict.denied(DenialReason.MALFORMED));
        }
        PresentedCode presented = PresentedCode.parse(code);
        String subject = context.subject();
        String source = context.sourceText();
        OpenRequest request = openRequest(latchId, presented, context, now);
        return storeOpen(request, latchId, subject).thenCompose(result -> {
            Verdict early = early(result, presented, latchId, context, now);
            if (early != null) {
                return java.util.concurrent.CompletableFuture.completedFuture(early);
            }
            if (result.outcome() == OpenResult.Outcome.CONDITIONS_PENDING) {
                return storeOpen(request.withConditionsCleared(), latchId, subject)
                        .thenApply(r -> conclude(latchId, subject, source, now, r));
            }
            return java.util.concurrent.CompletableFuture.completedFuture(conclude(latchId, subject, source, now, result));
        });
    }

    private java.util.concurrent.CompletionStage<OpenResult> storeOpen(OpenRequest request, String latchId, String subject) {
        java.util.concurrent.CompletionStage<OpenResult> stage;
        try {
            stage = store.openAsync(request);
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(storeFailure("open", latchId, null, subject, e));
        }
        return stage.handle((r, e) -> {
            if (e != null) {
                throw storeFailure("open", latchId, null, subject, unwrap(e));
            }
            return r;
        });
    }

    private OpenRequest openRequest(String latchId, PresentedCode presented, AccessContext context, Instant now) {
        String subject = context.subject();
        byte[] folded = presented.folded == null ? null : hasher.code(latchId, subject, presented.folded);
        byte[] exact = presented.exact == null ? null : hasher.code(latchId, subject, presented.exact);
        if (previousHasher == null) {
            return new OpenRequest(latchId, subject, folded, exact, presented.kinds, context.requestBytes(),
                    context.sourceText(), false, now, lockout);
        }
        // peppers rotate: codes issued under the previous primary still open until it is left out
        byte[] previousFolded = presented.folded == null ? null : previousHasher.code(latchId, subject, presented.folded);
        byte[] previousExact = presented.exact == null ? null : previousHasher.code(latchId, subject, presented.exact);
        return new OpenRequest(latchId, subject, folded, exact, presented.kinds, context.requestBytes(), context.sourceText(),
                false, now, lockout, previousFolded, previousExact);
    }

    /**
     * The verdicts decided before a code's conditions are cleared: malformed input with no code
     * pending, and a condition the context does not meet; null when neither.
     */
    private Verdict early(OpenResult result, PresentedCode presented, String latchId, AccessContext context, Instant now) {
        String subject = context.subject();
        String source = context.sourceText();
        if (result.outcome() == OpenResult.Outcome.NO_CODE && presented.malformed()) {
            // Malformed input is MALFORMED whether or not a code is pending, so garbage cannot
            // tell a pending code from none (a well-formed wrong code is WRONG_CODE either way).
            audit(AuditEvent.Type.DENIED, now, latchId, null, subject, source, AuditEvent.Outcome.FAILURE, "MALFORMED");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        if (result.outcome() == OpenResult.Outcome.CONDITIONS_PENDING) {
            for (Condition c : Condition.decodeAll(result.code().conditions())) {
                if (!c.test(context, now)) {
                    audit(AuditEvent.Type.DENIED, now, latchId, result.code().codeId(), subject, source,
                            AuditEvent.Outcome.FAILURE, DenialReason.CONTEXT_REJECTED.name());
                    return Verdict.denied(DenialReason.CONTEXT_REJECTED);
                }
            }
        }
        return null;
    }

    Verdict conclude(String latchId, String subject, String source, Instant now, OpenResult result) {
        CodeSummary record = result.code();
        String codeId = record == null ? null : record.codeId();
        if (result.outcome() == OpenResult.Outcome.OPENED) {
            audit(AuditEvent.Type.OPENED, now, latchId, codeId, subject, source, AuditEvent.Outcome.SUCCESS,
                    record.reviewRequired() ? REVIEW_DUE_REASON : CODE_REASON, policyDetails(record.policy()));
            if (result.sighting() == OpenResult.SourceSighting.NEW) {
                audit(AuditEvent.Type.ALERT, now, latchId, codeId, subject, source, AuditEvent.Outcome.ALERT, "NEW_SOURCE");
            }
            if (businessHours != null && !businessHours.contains(now)) {
                audit(AuditEvent.Type.ALERT, now, latchId, codeId, subject, source, AuditEvent.Outcome.ALERT,
                        "OUTSIDE_BUSINESS_HOURS");
            }
            if (record.reviewRequired()) {
                reviews.start(codeId, latchId, subject, now);
            }
            return new Verdict.Opened(codeId, latchId, subject, Set.of(), record.usesLeft(), record.reviewRequired());
        }
        DenialReason reason;
        String detail;
        switch (result.outcome()) {
            case NO_CODE:
                reason = DenialReason.WRONG_CODE;
                detail = "UNKNOWN_CODE";
                break;
            case WRONG_CODE:
                reason = DenialReason.WRONG_CODE;
                detail = "WRONG_CODE";
                break;
            case MALFORMED:
                reason = DenialReason.MALFORMED;
                detail = "MALFORMED";
                break;
            case LOCKED:
                reason = DenialReason.LOCKED;
                detail = "LOCKED";
                break;
            case BURNED:
                reason = DenialReason.LOCKED;
                detail = "BURNED";
                break;
            case EXPIRED:
                reason = DenialReason.EXPIRED;
                detail = "EXPIRED";
                break;
            case NOT_YET_VALID:
                reason = DenialReason.NOT_YET_VALID;
                detail = "NOT_YET_VALID";
                break;
            case USED:
                reason = DenialReason.USED;
                detail = "USED";
                break;
            case REVOKED:
                reason = DenialReason.REVOKED;
                detail = "REVOKED";
                break;
            case REQUEST_MISMATCH:
                reason = DenialReason.CONTEXT_REJECTED;
                detail = "REQUEST_MISMATCH";
                break;
            default:
                // CONDITIONS_PENDING twice would mean a store that ignores conditionsCleared: fail closed.
                reason = DenialReason.CONTEXT_REJECTED;
                detail = "CONDITIONS_UNCHECKED";
                break;
        }
        audit(AuditEvent.Type.DENIED, now, latchId, codeId, subject, source, AuditEvent.Outcome.FAILURE, detail);
        if (result.burnedNow()) {
            audit(AuditEvent.Type.REVOKED, now, latchId, codeId, subject, source, AuditEvent.Outcome.SUCCESS, "BURNED");
        }
        if (result.lockedNow()) {
            auditLockout(now, latchId, codeId, subject, source, result.failures(), result.lockedUntil());
        }
        return Verdict.denied(reason);
    }

    /** A lockout that a failure just started: the LOCKED_OUT event and its alert. */
    private void auditLockout(Instant now, String latchId, String codeId, String subject, String source, int failures,
                              Object lockedUntil) {
        audit(AuditEvent.Type.LOCKED_OUT, now, latchId, codeId, subject, source, AuditEvent.Outcome.FAILURE,
                "LOCKOUT", details("FAILURES", Integer.toString(failures), "UNTIL", String.valueOf(lockedUntil)));
        audit(AuditEvent.Type.ALERT, now, latchId, codeId, subject, source, AuditEvent.Outcome.ALERT,
                "FAILURE_THRESHOLD");
    }

    boolean revoke(String codeId) {
        Instant now = clock.instant();
        if (!validId(codeId)) {
            malformedId(AuditEvent.Type.REVOKED, now);
            return false;
        }
        boolean done = call("revoke", null, codeId, null, () -> store.revoke(codeId, now));
        audit(AuditEvent.Type.REVOKED, now, null, codeId, null, null,
                done ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, done ? "BY_ID" : "NOT_PENDING");
        return done;
    }

    int revokeLatch(String latchId) {
        checkLatchId(latchId);
        Instant now = clock.instant();
        int n = call("revokeLatch", latchId, null, null, () -> store.revokeLatch(latchId, now));
        audit(AuditEvent.Type.REVOKED, now, latchId, null, null, null, AuditEvent.Outcome.SUCCESS, "BY_LATCH",
                Map.of("COUNT", Integer.toString(n)));
        return n;
    }

    int revokeSubject(String subject) {
        AccessContext.checkText("subject", subject);
        Instant now = clock.instant();
        int n = call("revokeSubject", null, null, subject, () -> store.revokeSubject(subject, now));
        audit(AuditEvent.Type.REVOKED, now, null, null, subject, null, AuditEvent.Outcome.SUCCESS, "BY_SUBJECT",
                Map.of("COUNT", Integer.toString(n)));
        return n;
    }

    Optional<Instant> renew(String codeId) {
        Instant now = clock.instant();
        if (!validId(codeId)) {
            malformedId(AuditEvent.Type.RENEWED, now);
            return Optional.empty();
        }
        Optional<CodeRecord> found = call("find", null, codeId, null, () -> store.find(codeId));
        if (found.isEmpty()) {
            audit(AuditEvent.Type.RENEWED, now, null, codeId, null, null, AuditEvent.Outcome.FAILURE, "NOT_FOUND");
            return Optional.empty();
        }
        CodeRecord record = found.get();
        Instant newExpiry = now.plus(Duration.between(record.issuedAt(), record.expiresAt()));
        RenewResult result = call("renew", record.latchId(), codeId, record.subject(),
                () -> store.renew(codeId, newExpiry, now));
        boolean ok = result.outcome() == RenewResult.Outcome.RENEWED;
        audit(AuditEvent.Type.RENEWED, now, record.latchId(), codeId, record.subject(), null,
                ok ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, result.outcome().name());
        return ok ? Optional.of(result.record().expiresAt()) : Optional.empty();
    }

    Optional<CodeInfo> find(String codeId) {
        if (!validId(codeId)) {
            return Optional.empty();
        }
        return call("find", null, codeId, null, () -> store.find(codeId)).map(CodeRecord::info);
    }

    Verdict openCounter(String latchId, AccessContext context, long[] matches, boolean wellFormed) {
        Instant now = clock.instant();
        if (context == null || !validLatchId(latchId) || matches == null || !validCounters(matches)) {
            audit(AuditEvent.Type.DENIED, now, safeText(latchId), null, context == null ? null : context.subject(), null,
                    AuditEvent.Outcome.FAILURE, "MALFORMED_REQUEST");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        String subject = context.subject();
        String source = context.source().orElse(null);
        CounterRequest request = new CounterRequest(latchId, subject, matches, wellFormed, now, lockout);
        CounterResult result = call("acceptCounter", latchId, null, subject, () -> store.acceptCounter(request));
        String codeId = result.counter() >= 0 ? latchId + "#" + result.counter() : null;
        DenialReason reason;
        switch (result.outcome()) {
            case ACCEPTED:
                audit(AuditEvent.Type.OPENED, now, latchId, codeId, subject, source, AuditEvent.Outcome.SUCCESS, "OTP");
                return new Verdict.Opened(codeId, latchId, subject, Set.of(), 0, false);
            case REPLAYED:
                reason = DenialReason.REPLAYED;
                break;
            case LOCKED:
                reason = DenialReason.LOCKED;
                break;
            case MALFORMED:
                reason = DenialReason.MALFORMED;
                break;
            default:
                reason = DenialReason.WRONG_CODE;
                break;
        }
        audit(AuditEvent.Type.DENIED, now, latchId, null, subject, source, AuditEvent.Outcome.FAILURE,
                "OTP_" + result.outcome().name());
        if (result.lockedNow()) {
            auditLockout(now, latchId, null, subject, source, result.failures(), result.lockedUntil());
        }
        return Verdict.denied(reason);
    }

    OptionalLong nextCounter(String latchId, String subject) {
        AccessContext.checkText("latch id", latchId);
        AccessContext.checkText("subject", subject);
        return call("nextCounter", latchId, null, subject, () -> store.nextCounter(latchId, subject));
    }

    static boolean validCounters(long[] matches) {
        if (matches.length > Latches.MAX_COUNTERS) {
            return false;
        }
        for (long m : matches) {
            if (m < 0) {
                return false;
            }
        }
        return true;
    }

    static String generate(SecureRandom random, CodeFormat format) {
        byte[] draw = new byte[randomBytes(format)];
        random.nextBytes(draw);
        return generate(random, format, draw, 0);
    }

    static int randomBytes(CodeFormat format) {
        return format.kind() == CodeFormat.Kind.NUMERIC ? 8 : format.size();
    }

    static String generate(SecureRandom random, CodeFormat format, byte[] draw, int offset) {
        switch (format.kind()) {
            case NUMERIC:
                return Alphabets.digits(random, draw, offset, format.size());
            case BASE32:
                return Alphabets.crockford(draw, offset, format.size());
            default:
                return Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(Arrays.copyOfRange(draw, offset, offset + format.size()));
        }
    }

    static String canonical(CodeFormat format, String code) {
        return code; // generated codes are already canonical: digits, upper-case Crockford, or exact base64url
    }

    Map<String, String> policyDetails(String policy) {
        Map<String, String> d = policyDetails.get(policy);
        if (d == null) {
            d = AuditEvent.checked(Map.of("POLICY", policy));
            if (policyDetails.size() < 256) {
                policyDetails.putIfAbsent(policy, d);
            }
        }
        return d;
    }
}
