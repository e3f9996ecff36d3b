package dev.latch;

import dev.latch.internal.Alphabets;
import dev.latch.internal.CodeIds;
import dev.latch.internal.ExecutorScheduler;
import dev.latch.internal.InMemoryLatchStore;
import dev.latch.internal.LoggingAuditSink;
import dev.latch.spi.AuditSink;
import dev.latch.spi.CodeRecord;
import dev.latch.spi.CodeSummary;
import dev.latch.spi.Names;
import dev.latch.spi.CounterRequest;
import dev.latch.spi.CounterResult;
import dev.latch.spi.Delivery;
import dev.latch.spi.EventCount;
import dev.latch.spi.IssueResult;
import dev.latch.spi.KeyRecord;
import dev.latch.spi.KeyResult;
import dev.latch.spi.LatchStore;
import dev.latch.spi.OpenRequest;
import dev.latch.spi.OpenResult;
import dev.latch.spi.RenewResult;
import dev.latch.spi.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The entry point: issues and opens dynamic codes, issues and authenticates static keys, and
 * manages recovery codes. Build one per application and share it.
 *
 * <pre>{@code
 * Latches latches = Latches.builder()
 *         .pepper(Pepper.fromBase64(System.getenv("LATCH_PEPPER")))
 *         .store(Latches.inMemoryStore())          // the default
 *         .build();
 *
 * IssuedCode issued = latches.issue(LatchPolicy.HIGH, "deploy:prod/release-42", "alice");
 * send("alice", issued.code());
 * Verdict v = latches.open("deploy:prod/release-42", typedCode, AccessContext.of("alice"));
 * }</pre>
 *
 * <p><b>Guarantees.</b> Codes come from {@link SecureRandom} without modulo bias and are stored
 * only as HMAC-SHA256 digests keyed with the pepper; comparisons are constant-time; a one-time
 * code opens at most once, also under concurrency, because every decision is one atomic store
 * operation; attempts and lockouts are counted in that same operation; all times come from the
 * injected {@link Clock}. A "no" is a {@link Verdict.Denied}; bad input of any kind is
 * {@link DenialReason#MALFORMED} and never throws. A failing store throws
 * {@link LatchStoreException} after an audit event, and never opens. No code, digest or key
 * appears in an audit event, log line, exception message or {@code toString}.
 *
 * <p>One code is pending per latch and subject: issuing again replaces it. Codes are issued at
 * most {@link RateLimit#DEFAULT 5 per 15 minutes} per subject by default.
 *
 * <p><b>State.</b> Everything latch promises lives in the {@link LatchStore}: codes and keys,
 * approval gates, break-glass requests and post-use reviews (records changed by
 * compare-and-set), and reminders and escalations (work items claimed with a lease; see
 * {@link #runDueWork()}). Instances that share a store and a pepper see the same state, and a
 * restart loses nothing a shared store keeps.
 *
 * <p><b>Arguments.</b> One rule for every method. A method that answers with a {@link Verdict}
 * answers bad input (null included, a null context too) with {@code Denied(MALFORMED)} and
 * never throws for it; {@link #acknowledgeReview} answers it with a typed
 * {@link Review.Acknowledgement} in the same way. A lookup or revocation by id ({@link #find},
 * {@link #renew}, {@link #revoke}, {@link #revokeKey}, {@link #keyInfo}, {@link #review},
 * {@link #checkReview}, {@link #gate}) finds nothing for an id latch did not make, null included. Every other argument that is null,
 * empty or breaks its rule is an {@link IllegalArgumentException} whose message names the
 * argument and the rule and never repeats the value; arguments documented as "or null" are
 * optional. Nothing reaches the store before its arguments passed.
 *
 * <p>Thread-safe: immutable; all methods may be called from any thread.
 */
public final class Latches {
    /** The latch id under which recovery codes are kept. Latch ids starting with '~' are reserved. */
    public static final String RECOVERY_LATCH = "~recovery";
    /** Most recovery codes in one set. */
    public static final int MAX_RECOVERY_CODES = 20;
    /** Longest rotation overlap. */
    public static final Duration MAX_OVERLAP = Duration.ofDays(90);
    /**
     * The most counters one {@link #openCounter} call may present: more than any window latch's
     * one-time passwords search (HOTP resync looks at 1,001). A longer array is {@code MALFORMED}.
     */
    public static final int MAX_COUNTERS = 1024;
    /** How often latches on a shared store poll it for due work by default. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Latches.class);
    private static final int RECOVERY_LENGTH = 10;
    private static final String BACKUP = "~backup:";
    private static final String HOLD = "~hold:";

    private final LatchStore store;
    private final Clock clock;
    private static final String CODE_REASON = "CODE";
    private static final String REVIEW_DUE_REASON = "REVIEW_DUE";
    private final java.util.concurrent.ConcurrentHashMap<String, Map<String, String>> policyDetails =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Hasher hasher;
    /** The primary pepper's id: new keys record it. */
    private final String pepperId;
    /** Every configured pepper's hasher by id, the primary included: keys verify under any of them. */
    private final Map<String, Hasher> peppers;
    private final SecureRandom random;
    /** The key of code ids' latch-and-subject tags ({@link CodeIds}). */
    private final long tagK0;
    private final long tagK1;
    private final AuditSink audit;
    private final int sinkCount;
    private final RateLimit issueLimit;
    private final LockoutPolicy lockout;
    private final TimeWindow businessHours;
    private final DeliveryChain delivery;
    private final Scheduler scheduler;
    private final Reviews reviews;
    private final DueWork dueWork;

    private Latches(Builder b) {
        this.store = b.store == null ? inMemoryStore() : b.store;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.random = b.random == null ? new SecureRandom() : b.random;
        this.tagK0 = random.nextLong();
        this.tagK1 = random.nextLong();
        this.hasher = new Hasher(b.pepper);
        this.pepperId = b.pepper.id();
        java.util.Map<String, Hasher> byId = new java.util.HashMap<>();
        byId.put(b.pepper.id(), hasher);
        for (Pepper older : b.olderPeppers) {
            byId.put(older.id(), new Hasher(older));
        }
        this.peppers = java.util.Map.copyOf(byId);
        List<AuditSink> sinks = b.sinks == null ? List.of(Latches.loggingSink()) : b.sinks;
        this.audit = AuditSink.fanOut(sinks);
        this.sinkCount = sinks.size();
        this.issueLimit = b.issueLimit == null ? RateLimit.DEFAULT : b.issueLimit;
        this.lockout = b.lockout == null ? LockoutPolicy.DEFAULT : b.lockout;
        this.businessHours = b.businessHours;
        this.delivery = b.delivery;
        // The default executor starts its one daemon thread only when a task is first scheduled.
        this.scheduler = b.scheduler == null ? ExecutorScheduler.daemon(this.clock) : b.scheduler;
        this.reviews = new Reviews(this);
        this.dueWork = new DueWork(this, scheduler, b.pollDueWork == null ? DEFAULT_POLL : b.pollDueWork);
        this.dueWork.start();
    }

    /** @return a builder; {@link Builder#pepper(Pepper)} is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Latches for development and examples: a random pepper generated now (so codes cannot be
     * checked by another process or after a restart), the in-memory store and the system clock.
     * Logs a warning when called. Never use it in production.
     *
     * @return latches with a throw-away pepper
     */
    public static Latches forDevelopment() {
        return forDevelopment(builder());
    }

    /**
     * @param builder a builder with everything but the pepper set
     * @return latches with a throw-away pepper
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public static Latches forDevelopment(Builder builder) {
        LOG.warn("latch is running with a generated development pepper: codes will not survive a restart "
                + "and cannot be shared between instances; configure Latches.builder().pepper(...) for production");
        SecureRandom r = builder.random == null ? new SecureRandom() : builder.random;
        return builder.pepper(Pepper.generate(r)).build();
    }

    // ---------------------------------------------------------------- defaults of the plug-ins

    /**
     * @return the embedded in-memory store, bounded at {@value LatchStore#DEFAULT_MAX_ENTRIES} entries
     */
    public static LatchStore inMemoryStore() {
        return inMemoryStore(LatchStore.DEFAULT_MAX_ENTRIES);
    }

    /**
     * The embedded store: slots in hash tables of its own, forgotten by a sweep on the callers'
     * clock once nothing in them matters (within about twenty minutes of store time after that,
     * never before), markers and trigger windows in Caffeine caches, durable records and scheduled
     * work in maps of their own; it never evicts live security state, and when {@code maxEntries}
     * live entries are held, new codes, keys, records and work items are refused with
     * {@link StoreFullException}. State is per process ({@link LatchStore#shared()} is false): use
     * a shared store (such as latch-redis) when several instances check the same codes.
     *
     * <pre>{@code
     * Latches latches = Latches.builder().store(Latches.inMemoryStore(500_000)).pepper(pepper).build();
     * }</pre>
     *
     * @param maxEntries the bound, at least 1
     * @return a new store
     * @throws IllegalArgumentException when {@code maxEntries} is below 1
     */
    public static LatchStore inMemoryStore(int maxEntries) {
        return new InMemoryLatchStore(maxEntries);
    }

    /**
     * @return the default audit sink: SLF4J logger {@code dev.latch.audit}, one
     *         {@link AuditEvent#describe()} line per event; denials, lockouts, alerts, rate limits
     *         and failures at WARN, the rest at INFO
     */
    public static AuditSink loggingSink() {
        return LoggingAuditSink.INSTANCE;
    }

    /**
     * A {@link Scheduler} on an executor of the caller's.
     *
     * <pre>{@code
     * ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
     * Latches latches = Latches.builder().pepper(pepper).scheduler(Latches.scheduler(executor, Clock.systemUTC())).build();
     * }</pre>
     *
     * @param executor the executor; the caller shuts it down
     * @param clock    the clock {@code at} refers to
     * @return a scheduler that waits {@code at - clock.instant()} on the executor
     * @throws IllegalArgumentException when an argument is null
     */
    public static Scheduler scheduler(java.util.concurrent.ScheduledExecutorService executor, Clock clock) {
        Names.required(executor, "executor");
        Names.required(clock, "clock");
        return new ExecutorScheduler(executor, clock);
    }

    /** @return the clock */
    public Clock clock() {
        return clock;
    }

    // ---------------------------------------------------------------- dynamic codes

    /**
     * Issues a dynamic code for a latch and subject, replacing any pending one (which stops
     * working at once; the failure count is kept).
     *
     * @param policy  how the code behaves
     * @param latchId the latch, 1 to 256 characters, not starting with '~'
     * @param subject who may open it
     * @return the code, with its clear text shown once
     * @throws IssueRateLimitedException when the subject reached the issue rate limit
     * @throws LatchStoreException       when the store fails or is full
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public IssuedCode issue(LatchPolicy policy, String latchId, String subject) {
        return issue(policy, latchId, subject, null);
    }

    /**
     * Issues a dynamic code bound to the digest of an exact request: it opens only when the same
     * digest is presented in the {@link AccessContext}.
     *
     * @param policy  how the code behaves
     * @param latchId the latch
     * @param subject who may open it
     * @param request the request digest, or null for none
     * @return the code
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public IssuedCode issue(LatchPolicy policy, String latchId, String subject, RequestDigest request) {
        checkLatchId(latchId);
        return issueCode(policy, latchId, subject, request);
    }

    private IssuedCode issueCode(LatchPolicy policy, String latchId, String subject, RequestDigest request) {
        Names.required(policy, "policy");
        AccessContext.checkText("latchId", latchId);
        AccessContext.checkText("subject", subject);
        Instant now = clock.instant();
        // One draw for the id and the code (no time saved, measured; fewer arrays than two draws).
        byte[] draw = new byte[Alphabets.ID_BYTES + randomBytes(policy.format())];
        random.nextBytes(draw);
        String codeId = CodeIds.id(CodeIds.tag(tagK0, tagK1, latchId, subject), draw); // see CodeIds: the store files it by the tag
        String code = generate(random, policy.format(), draw, Alphabets.ID_BYTES);
        byte[] digest = hasher.code(latchId, subject, canonical(policy.format(), code));
        CodeRecord record = new CodeRecord(codeId, latchId, subject, policy.name(), policy.format().kind(),
                List.of(digest), 0L, CodeInfo.State.PENDING, now, now.plus(policy.notBefore()), now.plus(policy.ttl()),
                policy.maxAttempts(), policy.maxUses(), policy.renewals(), policy.reviewRequired(),
                Condition.encodeAll(policy.conditions()), request == null ? null : request.bytes());
        IssueResult result;
        try {
            result = store.issue(record, issueLimit, now);
        } catch (RuntimeException e) {
            throw storeFailure("issue", latchId, codeId, subject, e);
        }
        if (!result.issued()) {
            audit(AuditEvent.Type.RATE_LIMITED, now, latchId, null, subject, null, AuditEvent.Outcome.FAILURE,
                    "ISSUE_RATE_LIMIT");
            throw new IssueRateLimitedException(subject, issueLimit);
        }
        if (result.replacedCodeId() != null) {
            audit(AuditEvent.Type.REVOKED, now, latchId, result.replacedCodeId(), subject, null,
                    AuditEvent.Outcome.SUCCESS, "REPLACED");
        }
        audit(AuditEvent.Type.ISSUED, now, latchId, codeId, subject, null, AuditEvent.Outcome.SUCCESS, CODE_REASON,
                policyDetails(policy.name()));
        if (policy.reviewRequired()) {
            reviews.issued(policy, latchId, codeId, subject, record.expiresAt(), now);
        }
        return new IssuedCode(codeId, latchId, subject, code, record.notBefore(), record.expiresAt(), policy.name());
    }

    /**
     * Presents a code. Never throws for bad input: null, empty, oversized, wrong-charset or
     * wrong-kind input is {@link DenialReason#MALFORMED} and counts as a failed attempt.
     *
     * @param latchId the latch
     * @param code    the code as typed
     * @param context who presents it, from where
     * @return the verdict
     * @throws LatchStoreException when the store fails (nothing opens)
     */
    public Verdict open(String latchId, String code, AccessContext context) {
        Instant now = clock.instant();
        if (context == null || !validLatchId(latchId) || latchId.startsWith("~")) {
            audit(AuditEvent.Type.DENIED, now, safeText(latchId), null, context == null ? null : context.subject(), null,
                    AuditEvent.Outcome.FAILURE, "MALFORMED_REQUEST");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        return present(latchId, PresentedCode.parse(code), context, now);
    }

    private Verdict present(String latchId, PresentedCode presented, AccessContext context, Instant now) {
        String subject = context.subject();
        String source = context.sourceText();
        byte[] folded = presented.folded == null ? null : hasher.code(latchId, subject, presented.folded);
        byte[] exact = presented.exact == null ? null : hasher.code(latchId, subject, presented.exact);
        OpenRequest request = new OpenRequest(latchId, subject, folded, exact, presented.kinds,
                context.requestBytes(), source, false, now, lockout);
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

    private Verdict conclude(String latchId, String subject, String source, Instant now, OpenResult result) {
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
            audit(AuditEvent.Type.LOCKED_OUT, now, latchId, codeId, subject, source, AuditEvent.Outcome.FAILURE,
                    "LOCKOUT", details("FAILURES", Integer.toString(result.failures()),
                            "UNTIL", String.valueOf(result.lockedUntil())));
            audit(AuditEvent.Type.ALERT, now, latchId, codeId, subject, source, AuditEvent.Outcome.ALERT,
                    "FAILURE_THRESHOLD");
        }
        return Verdict.denied(reason);
    }

    /**
     * Revokes one code. Ids often arrive in a request, so an id that latch cannot have made (not
     * 1 to 64 characters of {@code A-Z a-z 0-9 _ -}) is refused before the store and audited as
     * {@code MALFORMED_ID} without the id itself.
     *
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param codeId a code id
     * @return true when a pending code was revoked; false when none was, or the id is malformed
     */
    public boolean revoke(String codeId) {
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

    /**
     * @param latchId a latch
     * @return how many pending codes of the latch were revoked
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public int revokeLatch(String latchId) {
        checkLatchId(latchId);
        Instant now = clock.instant();
        int n = call("revokeLatch", latchId, null, null, () -> store.revokeLatch(latchId, now));
        audit(AuditEvent.Type.REVOKED, now, latchId, null, null, null, AuditEvent.Outcome.SUCCESS, "BY_LATCH",
                Map.of("COUNT", Integer.toString(n)));
        return n;
    }

    /**
     * @param subject a subject
     * @return how many pending codes of the subject (including recovery codes) were revoked
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public int revokeSubject(String subject) {
        AccessContext.checkText("subject", subject);
        Instant now = clock.instant();
        int n = call("revokeSubject", null, null, subject, () -> store.revokeSubject(subject, now));
        audit(AuditEvent.Type.REVOKED, now, null, null, subject, null, AuditEvent.Outcome.SUCCESS, "BY_SUBJECT",
                Map.of("COUNT", Integer.toString(n)));
        return n;
    }

    /**
     * Extends a pending code by its original lifetime, counted from now, when its policy allows
     * renewals. Used, revoked, burned or expired codes are never renewed. A malformed id (see
     * {@link #revoke(String)}) is audited as {@code MALFORMED_ID}, without the id.
     *
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param codeId the code
     * @return the new expiry, or empty when the code was not renewed
     */
    public Optional<Instant> renew(String codeId) {
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

    /**
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param codeId a code id
     * @return the code's state, while the store keeps it
     */
    public Optional<CodeInfo> find(String codeId) {
        if (!validId(codeId)) {
            return Optional.empty();
        }
        return call("find", null, codeId, null, () -> store.find(codeId)).map(CodeRecord::info);
    }

    // ---------------------------------------------------------------- counter-based one-time passwords

    /**
     * Records one presentation of a counter-based one-time password (HOTP or TOTP) for an
     * enrolled latch, atomically in the store: a lock denies, no match counts a failure (with
     * lockout as for dynamic codes), a match at or above the next acceptable counter opens and
     * uses that counter and every one below it, and a match below it is a replay. Modules such
     * as latch-hmac compute the codes; latch never sees or stores the OTP secret.
     *
     * <pre>{@code
     * long[] matches = totp.matchingSteps(secret, typed, clock.instant());   // e.g. {t}
     * Verdict v = latches.openCounter("totp", AccessContext.of("alice"), matches, true);
     * }</pre>
     *
     * <p>Bad input, null included, is {@code Denied(MALFORMED)}; it never throws for it.
     *
     * @param latchId    the latch of the authenticator
     * @param context    who presents it
     * @param matches    counters (or time steps) whose code matched the input, 0 or more, at most
     *                   {@link #MAX_COUNTERS}; empty when none did
     * @param wellFormed false when the input was not a code at all
     * @return {@link Verdict.Opened} with the accepted counter as code id suffix, or a denial
     *         ({@link DenialReason#REPLAYED} for a used counter)
     */
    public Verdict openCounter(String latchId, AccessContext context, long[] matches, boolean wellFormed) {
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
            audit(AuditEvent.Type.LOCKED_OUT, now, latchId, null, subject, source, AuditEvent.Outcome.FAILURE,
                    "LOCKOUT", details("FAILURES", Integer.toString(result.failures()),
                            "UNTIL", String.valueOf(result.lockedUntil())));
            audit(AuditEvent.Type.ALERT, now, latchId, null, subject, source, AuditEvent.Outcome.ALERT,
                    "FAILURE_THRESHOLD");
        }
        return Verdict.denied(reason);
    }

    /**
     * @param latchId the latch of an authenticator
     * @param subject the subject
     * @return the next acceptable counter (for HOTP look-ahead), or empty before the first accepted code
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public OptionalLong nextCounter(String latchId, String subject) {
        AccessContext.checkText("latch id", latchId);
        AccessContext.checkText("subject", subject);
        return call("nextCounter", latchId, null, subject, () -> store.nextCounter(latchId, subject));
    }

    /** The kind of the first of a key's stored conditions the context does not meet, or null. */
    private static String unmetCondition(String conditions, AccessContext context, Instant now) {
        if (conditions.isEmpty()) {
            return null;
        }
        for (Condition c : Condition.decodeAll(conditions)) {
            if (!c.test(context, now)) {
                return c.kindName();
            }
        }
        return null;
    }


    /** At most {@link #MAX_COUNTERS} counters, none negative. */
    private static boolean validCounters(long[] matches) {
        if (matches.length > MAX_COUNTERS) {
            return false;
        }
        for (long m : matches) {
            if (m < 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- static keys

    /**
     * Issues a static key. Only its id and a keyed digest of its secret are stored.
     *
     * @param spec subject, scopes, lifetime and prefix
     * @return the key, shown once
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public IssuedStaticKey issueStaticKey(StaticKeySpec spec) {
        Names.required(spec, "spec");
        Instant now = clock.instant();
        IssuedStaticKey key = newKey(spec.prefix(), spec.subject(), spec.scopes(),
                spec.ttl() == null ? null : now.plus(spec.ttl()), Condition.encodeAll(spec.conditions()), now);
        audit(AuditEvent.Type.ISSUED, now, spec.prefix(), key.keyId(), spec.subject(), null, AuditEvent.Outcome.SUCCESS,
                "STATIC_KEY");
        return key;
    }

    private IssuedStaticKey newKey(String prefix, String subject, Set<String> scopes, Instant expiresAt,
                                   String conditions, Instant now) {
        String keyId = StaticKeys.newId(random);
        String formatted = StaticKeys.format(prefix, keyId, StaticKeys.newSecret(random));
        // Hashed from the key as authenticate reads it, by the same code: the two cannot drift.
        StaticKeys.Parsed parsed = Objects.requireNonNull(StaticKeys.parse(formatted), "a new key must parse");
        KeyRecord record = new KeyRecord(keyId, prefix, subject, scopes, hasher.key(parsed), now,
                expiresAt, StaticKeyInfo.State.ACTIVE, null, null, null, null, conditions, pepperId);
        call("putKey", prefix, keyId, subject, () -> {
            store.putKey(record);
            return null;
        });
        return new IssuedStaticKey(keyId, formatted, subject, scopes, expiresAt);
    }

    /**
     * Authenticates a static key. A key whose checksum is wrong is {@link DenialReason#MALFORMED}
     * without a store lookup. The last use (time and source) is recorded.
     *
     * <p>Bad input, null included, is {@code Denied(MALFORMED)}; it never throws for it.
     *
     * @param key     the presented key
     * @param context where it is presented from (its subject is not checked against the key's)
     * @return {@link Verdict.Opened} with the key's subject and scopes, or a denial
     */
    public Verdict authenticate(String key, AccessContext context) {
        Instant now = clock.instant();
        if (context == null) {
            // the same rule as open: every verdict needs a context, also for a key that would open
            audit(AuditEvent.Type.DENIED, now, null, null, null, null, AuditEvent.Outcome.FAILURE, "MALFORMED_REQUEST");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        String source = context.sourceText();
        StaticKeys.Parsed parsed = StaticKeys.parse(key);
        if (parsed == null) {
            audit(AuditEvent.Type.DENIED, now, null, null, null, source, AuditEvent.Outcome.FAILURE, "MALFORMED_KEY");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        byte[] digest = hasher.key(parsed);
        KeyResult result;
        try {
            result = store.useKey(parsed.keyId, digest, now, source);
        } catch (RuntimeException e) {
            throw storeFailure("useKey", parsed.prefix(), parsed.keyId, null, e);
        }
        KeyRecord record = result.record();
        Map<String, String> pepperDetail = Map.of();
        if (result.outcome() == KeyResult.Outcome.WRONG_SECRET && record != null
                && !record.pepperId().equals(pepperId)) {
            Hasher older = peppers.get(record.pepperId());
            if (older == null) {
                pepperDetail = Map.of("PEPPER_UNKNOWN", record.pepperId());
            } else {
                result = verifyUnderOlderPepper(parsed, older, digest, now, source);
                record = result.record();
            }
        }
        String subject = record == null ? null : record.subject();
        DenialReason reason;
        switch (result.outcome()) {
            case OK:
                if (parsed.prefixIs(record.prefix())) {
                    String unmet = unmetCondition(record.conditions(), context, now);
                    if (unmet != null) {
                        audit(AuditEvent.Type.DENIED, now, record.prefix(), record.keyId(), subject, source,
                                AuditEvent.Outcome.FAILURE, DenialReason.CONTEXT_REJECTED.name(), Map.of("CONDITION", unmet));
                        return Verdict.denied(DenialReason.CONTEXT_REJECTED);
                    }
                    audit(AuditEvent.Type.OPENED, now, record.prefix(), record.keyId(), subject, source,
                            AuditEvent.Outcome.SUCCESS, "STATIC_KEY");
                    return new Verdict.Opened(record.keyId(), record.prefix(), subject, record.scopes(), -1, false);
                }
                reason = DenialReason.WRONG_CODE; // unreachable: the prefix is part of the digest
                break;
            case REVOKED:
                reason = DenialReason.REVOKED;
                break;
            case EXPIRED:
                reason = DenialReason.EXPIRED;
                break;
            default:
                reason = DenialReason.WRONG_CODE;
                break;
        }
        audit(AuditEvent.Type.DENIED, now, parsed.prefix(), parsed.keyId, subject, source, AuditEvent.Outcome.FAILURE,
                result.outcome().name(), pepperDetail);
        return Verdict.denied(reason);
    }

    /**
     * A key whose record names an older pepper: verified under it and, when it verifies, rehashed
     * under the primary (only while its digest is still the old one).
     */
    private KeyResult verifyUnderOlderPepper(StaticKeys.Parsed parsed, Hasher older, byte[] primaryDigest, Instant now,
                                             String source) {
        byte[] oldDigest = older.key(parsed);
        KeyResult again = call("useKey", parsed.prefix(), parsed.keyId, null,
                () -> store.useKey(parsed.keyId, oldDigest, now, source));
        if (again.outcome() == KeyResult.Outcome.WRONG_SECRET && again.record() != null
                && again.record().pepperId().equals(pepperId)) {
            // a racing use rehashed it between the two looks: the primary digest matches now
            return call("useKey", parsed.prefix(), parsed.keyId, null,
                    () -> store.useKey(parsed.keyId, primaryDigest, now, source));
        }
        if (again.outcome() == KeyResult.Outcome.OK) {
            KeyRecord r = again.record();
            boolean rehashed = call("rehashKey", r.prefix(), r.keyId(), r.subject(),
                    () -> store.rehashKey(parsed.keyId, oldDigest, primaryDigest, pepperId, now));
            if (rehashed) {
                audit(AuditEvent.Type.ROTATED, now, r.prefix(), r.keyId(), r.subject(), source, AuditEvent.Outcome.SUCCESS,
                        "REHASHED", details("FROM", r.pepperId(), "TO", pepperId));
            }
        }
        return again;
    }

    /**
     * Rotates a static key: returns a new key with the same subject, scopes and remaining
     * lifetime, while the old key keeps working until {@code overlap} has passed.
     *
     * @param keyId   the key to rotate
     * @param overlap how long the old key stays valid, zero to 90 days
     * @return the new key, shown once
     * @throws IllegalArgumentException when the key is unknown or not active, or the id malformed
     */
    public IssuedStaticKey rotate(String keyId, Duration overlap) {
        Names.required(overlap, "overlap");
        if (overlap.isNegative() || overlap.compareTo(MAX_OVERLAP) > 0) {
            throw new IllegalArgumentException("overlap must be between 0 and " + MAX_OVERLAP + ", got " + overlap);
        }
        if (!validId(keyId)) {
            throw new IllegalArgumentException("a key id is 1 to 64 characters of A-Z a-z 0-9 _ -");
        }
        Instant now = clock.instant();
        KeyRecord old = call("findKey", null, keyId, null, () -> store.findKey(keyId))
                .filter(k -> k.state() == StaticKeyInfo.State.ACTIVE)
                .orElseThrow(() -> new IllegalArgumentException("no active key with that id"));
        IssuedStaticKey fresh = newKey(old.prefix(), old.subject(), old.scopes(), old.expiresAt(), old.conditions(), now);
        Optional<KeyRecord> retired = call("retireKey", old.prefix(), keyId, old.subject(),
                () -> store.retireKey(keyId, now.plus(overlap), fresh.keyId(), now));
        if (retired.isEmpty()) {
            // Someone revoked or rotated it meanwhile: do not leave a second live key behind.
            call("revokeKey", old.prefix(), fresh.keyId(), old.subject(), () -> store.revokeKey(fresh.keyId(), now));
            throw new IllegalArgumentException("no active key with that id");
        }
        audit(AuditEvent.Type.ROTATED, now, old.prefix(), keyId, old.subject(), null, AuditEvent.Outcome.SUCCESS,
                "ROTATED", details("SUCCESSOR", fresh.keyId(), "OVERLAP", overlap.toString()));
        return fresh;
    }

    /**
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param keyId a key
     * @return true when the key was revoked now (false when unknown, already revoked or the id is
     *         malformed: see {@link #revoke(String)})
     */
    public boolean revokeKey(String keyId) {
        Instant now = clock.instant();
        if (!validId(keyId)) {
            malformedId(AuditEvent.Type.REVOKED, now);
            return false;
        }
        boolean done = call("revokeKey", null, keyId, null, () -> store.revokeKey(keyId, now));
        audit(AuditEvent.Type.REVOKED, now, null, keyId, null, null,
                done ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, done ? "STATIC_KEY" : "NOT_ACTIVE");
        return done;
    }

    /**
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param keyId a key
     * @return what is known about it, including its last use
     */
    public Optional<StaticKeyInfo> keyInfo(String keyId) {
        if (!validId(keyId)) {
            return Optional.empty();
        }
        return call("findKey", null, keyId, null, () -> store.findKey(keyId)).map(KeyRecord::info);
    }

    // ---------------------------------------------------------------- recovery codes

    /**
     * Issues a set of single-use recovery codes for a subject, revoking any earlier set. They do
     * not expire; failures count towards the subject's lockout on {@link #RECOVERY_LATCH}.
     *
     * @param subject the subject
     * @param n       how many, 1 to 20
     * @return the codes, shown once
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public RecoveryCodes issueRecoveryCodes(String subject, int n) {
        AccessContext.checkText("subject", subject);
        if (n < 1 || n > MAX_RECOVERY_CODES) {
            throw new IllegalArgumentException("recovery code count must be 1 to " + MAX_RECOVERY_CODES + ", got " + n);
        }
        Instant now = clock.instant();
        List<String> codes = new ArrayList<>(n);
        List<byte[]> digests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String raw = Alphabets.crockford(random, RECOVERY_LENGTH);
            codes.add(raw.substring(0, 5) + "-" + raw.substring(5));
            digests.add(hasher.code(RECOVERY_LATCH, subject, raw));
        }
        String setId = "r_" + Alphabets.id(random);
        CodeRecord record = new CodeRecord(setId, RECOVERY_LATCH, subject, "RECOVERY", CodeFormat.Kind.BASE32, digests,
                0L, CodeInfo.State.PENDING, now, now, CodeRecord.NEVER, Integer.MAX_VALUE, n, 0, false, "", null);
        IssueResult result = call("issue", RECOVERY_LATCH, setId, subject, () -> store.issue(record, null, now));
        if (result.replacedCodeId() != null) {
            audit(AuditEvent.Type.REVOKED, now, RECOVERY_LATCH, result.replacedCodeId(), subject, null,
                    AuditEvent.Outcome.SUCCESS, "REPLACED");
        }
        audit(AuditEvent.Type.ISSUED, now, RECOVERY_LATCH, setId, subject, null, AuditEvent.Outcome.SUCCESS,
                "RECOVERY_CODES", Map.of("COUNT", Integer.toString(n)));
        return new RecoveryCodes(setId, subject, codes);
    }

    /**
     * Redeems one recovery code of the context's subject. Each code opens exactly once.
     *
     * <p>Bad input, null included, is {@code Denied(MALFORMED)}; it never throws for it.
     *
     * @param code    the code as typed (case and hyphens do not matter)
     * @param context who presents it
     * @return the verdict; {@link Verdict.Opened#usesLeft()} is the number of unused codes left
     */
    public Verdict redeemRecoveryCode(String code, AccessContext context) {
        Instant now = clock.instant();
        if (context == null) {
            audit(AuditEvent.Type.DENIED, now, RECOVERY_LATCH, null, null, null, AuditEvent.Outcome.FAILURE,
                    "MALFORMED_REQUEST");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        return present(RECOVERY_LATCH, PresentedCode.parse(code), context, now);
    }

    // ---------------------------------------------------------------- delivery and reminders

    /**
     * Issues a code and delivers it through the {@link Builder#delivery(DeliveryChain) delivery
     * chain}: the clear code goes only to the channel. When the policy asks for a reminder
     * ({@link LatchPolicy#remindBefore()}), one is scheduled, and it goes out (without the code)
     * only while the code is still pending; a renewal moves it.
     *
     * <pre>{@code
     * DeliveryReceipt r = latches.issueAndDeliver(LatchPolicy.HIGH, "login:alice", "alice", "alice@example.com", null);
     * }</pre>
     *
     * @param policy    how the code behaves
     * @param latchId   the latch
     * @param subject   who may open it
     * @param recipient where the channels send it (a name or address they understand)
     * @param request   the request digest the code is bound to, or null
     * @return which channel delivered it
     * @throws DeliveryFailedException   when every channel failed: the code is revoked, unless the
     *                                   policy allows {@link LatchPolicy#backupCodes() backup codes}
     * @throws IllegalStateException     when no delivery chain was configured
     * @throws IssueRateLimitedException when the subject reached the issue rate limit
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public DeliveryReceipt issueAndDeliver(LatchPolicy policy, String latchId, String subject, String recipient,
                                           RequestDigest request) {
        Names.required(policy, "policy");
        checkLatchId(latchId);
        AccessContext.checkText("subject", subject);
        AccessContext.checkText("recipient", recipient);
        requireDelivery();
        IssuedCode issued = issue(policy, latchId, subject, request);
        return deliver(issued, policy, recipient);
    }

    DeliveryChain requireDelivery() {
        if (delivery == null) {
            throw new IllegalStateException("no delivery chain: build Latches with .delivery(DeliveryChain.builder()...)");
        }
        return delivery;
    }

    /** Delivers a freshly issued code; on total failure revokes it (or keeps it for backup codes) and throws. */
    DeliveryReceipt deliver(IssuedCode issued, LatchPolicy policy, String recipient) {
        DeliveryChain chain = requireDelivery();
        Delivery message = new Delivery(Delivery.Kind.CODE, recipient, issued.latchId(), issued.codeId(), issued.code(),
                issued.expiresAt(), issued.policy());
        DeliveryReceipt receipt = chain.deliver(message, attempt -> auditAttempt(message, issued.subject(), attempt, null));
        Instant now = clock.instant();
        if (!receipt.delivered()) {
            if (policy.backupCodes()) {
                call("putMarker", issued.latchId(), issued.codeId(), issued.subject(), () -> {
                    store.putMarker(BACKUP + slot(issued.latchId(), issued.subject()), issued.codeId(),
                            issued.expiresAt(), now);
                    return null;
                });
            } else {
                boolean revoked = call("revoke", issued.latchId(), issued.codeId(), issued.subject(),
                        () -> store.revoke(issued.codeId(), now));
                audit(AuditEvent.Type.REVOKED, now, issued.latchId(), issued.codeId(), issued.subject(), null,
                        revoked ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, "UNDELIVERED");
            }
            throw new DeliveryFailedException(receipt, policy.backupCodes());
        }
        if (policy.remindBefore() != null) {
            scheduleReminder(issued.codeId(), recipient, policy.remindBefore(), issued.expiresAt());
        }
        return receipt;
    }

    private void auditAttempt(Delivery message, String subject, DeliveryChain.Attempt attempt, Duration late) {
        String reason = message.kind() == Delivery.Kind.REMINDER ? "REMINDER" : "CODE";
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

    /** Delivers one message through the chain, auditing each attempt. */
    DeliveryReceipt deliverMessage(Delivery message, String subject) {
        return requireDelivery().deliver(message, attempt -> auditAttempt(message, subject, attempt, null));
    }

    /** Sends a due reminder (no code in it), auditing each attempt and whether it is late. */
    void remindOf(Delivery message, String subject, Duration late) {
        requireDelivery().deliver(message, attempt -> auditAttempt(message, subject, attempt, late));
    }

    private static String reminderId(String codeId) {
        return "remind:" + codeId;
    }

    private void scheduleReminder(String codeId, String recipient, Duration lead, Instant expiresAt) {
        dueWork.add(new dev.latch.spi.LatchStore.Work(reminderId(codeId), DueWork.REMINDER,
                codeId + "\n" + lead.toSeconds() + "\n" + recipient, expiresAt.minus(lead)));
    }

    /** Runs a due reminder: only while the code is pending and unexpired; follows renewals. */
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
     * Claims and runs the scheduled work that is due now (reminders, review escalations), on this
     * instance. Latches on a shared store do this every {@link Builder#pollDueWork poll interval}
     * and at each item's due time; call it from a job of your own when polling is off. Each item
     * runs once across all instances on the store (a claim holds it for a minute); one that runs a
     * minute or more after it fell due, for example because every instance was down, carries a
     * {@code LATE} detail in its audit event.
     *
     * <pre>{@code
     * int ran = latches.runDueWork();
     * }</pre>
     *
     * @return how many items ran
     * @throws LatchStoreException when the store fails
     */
    public int runDueWork() {
        return dueWork.runDue();
    }

    void scheduleWork(dev.latch.spi.LatchStore.Work work) {
        dueWork.add(work);
    }

    void cancelWork(String id) {
        dueWork.cancel(id);
    }

    Reviews reviews() {
        return reviews;
    }

    // ---------------------------------------------------------------- triggers

    EventCount countEvent(String key, Trigger t, Instant now) {
        return call("countEvent", null, null, null, () -> store.countEvent(key, t.threshold(), t.window(), t.cooldown(), now));
    }

    void auditTriggered(Trigger t, String latchId, String subject, int inWindow, Instant now) {
        audit(AuditEvent.Type.TRIGGERED, now, latchId, null, subject, null, AuditEvent.Outcome.ALERT,
                "THRESHOLD", details("TRIGGER", t.name(), "COUNT", Integer.toString(inWindow)));
    }

    // ---------------------------------------------------------------- approval gates

    /**
     * Starts an M-of-N approval gate for one exact request; see {@link ApprovalGate}.
     *
     * <pre>{@code
     * ApprovalGate gate = latches.approvalGate("deploy:prod/release-42", RequestDigest.of(manifest))
     *         .requester("dave").approvers("alice", "bob", "carol").quorum(2).request();
     * }</pre>
     *
     * @param latchId the latch the gate guards
     * @param request the digest of the exact request payload
     * @return a builder; {@link ApprovalGate.Builder#request()} issues and delivers the codes
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public ApprovalGate.Builder approvalGate(String latchId, RequestDigest request) {
        checkLatchId(latchId);
        Names.required(request, "request");
        return ApprovalGate.builder(this, latchId, request);
    }

    /**
     * Finds an approval gate by id, on any instance that shares the store: votes can be recorded
     * through the returned gate whichever instance requested it.
     *
     * <pre>{@code
     * latches.gate(gateId).ifPresent(g -> g.approve("bob", bobCode, release42));
     * }</pre>
     *
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param gateId a gate id ({@link ApprovalGate#id()})
     * @return the gate, while the store keeps it (a day past its expiry)
     * @throws LatchStoreException when the store fails
     */
    public Optional<ApprovalGate> gate(String gateId) {
        if (!validId(gateId)) {
            return Optional.empty();
        }
        return ApprovalGate.find(this, gateId);
    }

    String newId(String prefix) {
        return prefix + Alphabets.id(random);
    }

    String newCode(CodeFormat format) {
        return generate(random, format);
    }

    byte[] codeDigest(String latchId, String subject, String canonical) {
        return hasher.code(latchId, subject, canonical);
    }

    LatchStore store() {
        return store;
    }

    void auditGateDecided(String gateId, boolean open, Instant now) {
        audit(AuditEvent.Type.APPROVAL, now, null, gateId, null, null,
                open ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, open ? "GATE_OPEN" : "GATE_DENIED");
    }

    void auditApproval(String latchId, String codeId, String approver, boolean ok, String reason,
                       String... details) {
        audit(AuditEvent.Type.APPROVAL, clock.instant(), latchId, codeId, approver, null,
                ok ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, reason, details(details));
    }

    boolean releaseOnce(String requestId, Instant keepUntil) {
        Instant now = clock.instant();
        return call("putOnce", null, requestId, null, () -> store.putOnce("~released:" + requestId, keepUntil, now));
    }

    // ---------------------------------------------------------------- holds and backup codes

    private static String slot(String latchId, String subject) {
        return latchId + '\u0000' + subject;
    }

    /** Holds a latch for a subject until the challenge code {@code codeId} is used, or {@code until}. */
    void hold(String latchId, String subject, String codeId, Instant until) {
        Instant now = clock.instant();
        call("putMarker", latchId, codeId, subject, () -> {
            store.putMarker(HOLD + slot(latchId, subject), codeId, until, now);
            return null;
        });
    }

    /** @return true while a hold runs and its challenge has not been answered */
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

    /**
     * Answers a pending code that no channel could deliver with one of the subject's recovery
     * codes, when the code's policy allows {@link LatchPolicy#backupCodes() backup codes}. The
     * recovery code is used, the undelivered code is revoked and any hold on the latch ends.
     *
     * <pre>{@code
     * } catch (DeliveryFailedException e) {
     *     if (e.backupCodesAllowed()) {
     *         Verdict v = latches.answerWithRecoveryCode("login:alice", typedRecoveryCode, AccessContext.of("alice"));
     *     }
     * }
     * }</pre>
     *
     * <p>Bad input, null included, is {@code Denied(MALFORMED)}; it never throws for it.
     *
     * @param latchId the latch of the undelivered code
     * @param code    a recovery code, as typed
     * @param context who answers
     * @return {@link Verdict.Opened} for the latch, or a denial ({@link DenialReason#WRONG_CODE}
     *         when no undelivered code awaits a backup answer: the recovery code is then not tried)
     */
    public Verdict answerWithRecoveryCode(String latchId, String code, AccessContext context) {
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

    // ---------------------------------------------------------------- post-use reviews

    /**
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param codeId a code whose policy requires a post-use review
     * @return its review, once the code has opened
     * @throws LatchStoreException when the store fails
     */
    public Optional<Review> review(String codeId) {
        return reviews.find(codeId);
    }

    /**
     * Closes the post-use review of a code (break-glass). The reviewer must be someone other than
     * the subject who used the code, and one of the policy's {@link LatchPolicy#reviewers()} when it
     * names them. The acknowledgement is one compare-and-set of the review in the store: of
     * reviewers racing on any number of instances exactly one acknowledges, and the others get
     * {@link Review.Outcome#ALREADY_ACKNOWLEDGED}.
     *
     * <pre>{@code
     * Verdict v = latches.open("prod-db", code, AccessContext.of("carol"));   // reviewDue() is true
     * Review.Acknowledgement a = latches.acknowledgeReview(((Verdict.Opened) v).codeId(), "dave", "INC-7: restart was needed");
     * }</pre>
     *
     * <p>Never throws for bad input: an id latch did not make (null included) is
     * {@link Review.Outcome#NO_REVIEW}, audited as {@code MALFORMED_ID} without the id; a null,
     * empty or malformed reviewer, or a note that is null, longer than 256 characters or has
     * control characters, is {@link Review.Outcome#MALFORMED}. Every refusal changes nothing and
     * is audited.
     *
     * @param codeId   the code that opened
     * @param reviewer who reviewed the use
     * @param note     a short note for the audit trail (at most 256 characters, no secrets)
     * @return the outcome, with the review as it stands after it
     * @throws LatchStoreException when the store fails (nothing is acknowledged)
     */
    public Review.Acknowledgement acknowledgeReview(String codeId, String reviewer, String note) {
        return reviews.acknowledge(codeId, reviewer, note);
    }

    /**
     * Escalates the review of a code when its deadline has passed unacknowledged: emits an
     * {@link AuditEvent.Type#ESCALATION} alert, once across all instances. Latches schedules this
     * at the deadline as work in the store ({@link #runDueWork()}), so it happens even when the
     * instance that opened the code has stopped; calling it yourself does no harm.
     *
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param codeId the code
     * @return the review after the check
     * @throws LatchStoreException when the store fails
     */
    public Optional<Review> checkReview(String codeId) {
        return reviews.check(codeId, null);
    }

    // ---------------------------------------------------------------- internals

    /**
     * Draws a code with its own {@code nextBytes} call: digits by rejection sampling (no modulo
     * bias), base32 five bits per character, opaque codes as raw random bytes.
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    static String generate(SecureRandom random, CodeFormat format) {
        byte[] draw = new byte[randomBytes(format)];
        random.nextBytes(draw);
        return generate(random, format, draw, 0);
    }

    /** Random bytes a code of this format takes from a draw. */
    static int randomBytes(CodeFormat format) {
        return format.kind() == CodeFormat.Kind.NUMERIC ? 8 : format.size();
    }

    /**
     * A code from bytes already drawn ({@link #randomBytes} of them at {@code offset}); the
     * random source is used again only when a numeric draw is rejected (see
     * {@link Alphabets#digits(SecureRandom, byte[], int, int)}).
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
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

    private static String canonical(CodeFormat format, String code) {
        return code; // generated codes are already canonical: digits, upper-case Crockford, or exact base64url
    }

    private static boolean validLatchId(String latchId) {
        return dev.latch.spi.Names.isName(latchId);
    }

    private static void checkLatchId(String latchId) {
        AccessContext.checkText("latchId", latchId);
        if (latchId.startsWith("~")) {
            throw new IllegalArgumentException("latch ids starting with '~' are reserved");
        }
    }

    /**
     * Whether a string can be an id latch made: 1 to 64 characters of {@code A-Z a-z 0-9 _ -}
     * (code, set, gate and key ids are all drawn from these). Ids come back from callers, often
     * from a request, and reach the store's keys and the audit trail: anything else (a newline
     * that would forge an audit log line, a megabyte string) is refused before either.
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    static boolean validId(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Audits an operation refused for a malformed id, without the id. */
    private void malformedId(AuditEvent.Type type, Instant now) {
        audit(type, now, null, null, null, null, AuditEvent.Outcome.FAILURE, "MALFORMED_ID");
    }

    private static String safeText(String s) {
        return s != null && validLatchId(s) ? s : null;
    }

    <T> T call(String operation, String latchId, String codeId, String subject, Supplier<T> op) {
        try {
            return op.get();
        } catch (RuntimeException e) {
            throw storeFailure(operation, latchId, codeId, subject, e);
        }
    }

    /**
     * Audits a failed store call and returns the typed exception to throw. The hot paths (open,
     * issue, authenticate) catch inline and call this, instead of going through {@link #call}
     * with a lambda: one allocation and one megamorphic call fewer per operation.
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    private LatchStoreException storeFailure(String operation, String latchId, String codeId, String subject,
                                             RuntimeException e) {
        audit(AuditEvent.Type.STORE_FAILURE, clock.instant(), latchId, codeId, subject, null,
                AuditEvent.Outcome.FAILURE, operation + ":" + e.getClass().getSimpleName());
        return LatchStoreException.of(operation, e);
    }

    void audit(AuditEvent.Type type, Instant time, String latchId, String codeId, String subject, String source,
               AuditEvent.Outcome outcome, String reason) {
        audit.accept(new AuditEvent(type, time, latchId, codeId, subject, source, outcome, reason));
    }

    void audit(AuditEvent.Type type, Instant time, String latchId, String codeId, String subject, String source,
               AuditEvent.Outcome outcome, String reason, Map<String, String> details) {
        audit.accept(new AuditEvent(type, time, latchId, codeId, subject, source, outcome, reason, details));
    }

    /**
     * The {@code POLICY} detail of a code's events, made once per policy name: issue and open
     * audit every call, and a service has a handful of policies. Bounded, so names from a store
     * cannot grow it without end.
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    private Map<String, String> policyDetails(String policy) {
        Map<String, String> d = policyDetails.get(policy);
        if (d == null) {
            d = AuditEvent.checked(Map.of("POLICY", policy), CODE_REASON, REVIEW_DUE_REASON);
            if (policyDetails.size() < 256) {
                policyDetails.putIfAbsent(policy, d);
            }
        }
        return d;
    }

    /** Name/value pairs in the order given. */
    static Map<String, String> details(String... pairs) {
        if (pairs.length == 0) {
            return Map.of();
        }
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Override
    public String toString() {
        return "Latches[store=" + store + ", clock=" + clock + ", issueLimit=" + issueLimit + ", lockout=" + lockout
                + ", sinks=" + sinkCount + ", pepper=***]";
    }

    /**
     * Builds {@link Latches}. Each setter validates at once and may be called once
     * ({@link IllegalStateException} on a second call). Not thread-safe.
     */
    public static final class Builder {
        private LatchStore store;
        private Clock clock;
        private Pepper pepper;
        private List<Pepper> olderPeppers = List.of();
        private List<AuditSink> sinks;
        private SecureRandom random;
        private RateLimit issueLimit;
        private LockoutPolicy lockout;
        private TimeWindow businessHours;
        private DeliveryChain delivery;
        private Scheduler scheduler;
        private Duration pollDueWork;

        private Builder() {
        }

        private static void once(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        /**
         * @param store the store; default {@link #inMemoryStore()}
         * @return this
         */
        public Builder store(LatchStore store) {
            once(this.store, "store");
            this.store = Names.required(store, "store");
            return this;
        }

        /**
         * @param clock the clock all expiry, not-before and lockout decisions use; default UTC system clock
         * @return this
         */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Names.required(clock, "clock");
            return this;
        }

        /**
         * @param pepper the key for hashing codes at rest; required
         * @return this
         */
        public Builder pepper(Pepper pepper) {
            once(this.pepper, "pepper");
            this.pepper = Names.required(pepper, "pepper");
            return this;
        }

        /**
         * Peppers from a secret source, for rotation: the primary hashes everything new (codes,
         * keys, recovery codes); static keys hashed under an older one still authenticate, and the
         * first time one does, it is rehashed under the primary (an audited {@code REHASHED}
         * rotation event). Retire an older pepper by leaving it out once its keys were used, or
         * revoke the keys that never were. Codes and recovery codes are hashed under the primary
         * only: those issued before the primary changed stop opening then.
         *
         * <pre>{@code
         * .peppers(SecretSource.directory(Path.of("/run/secrets/latch")), "pepper-2026-12", "pepper-2026-06")
         * }</pre>
         *
         * @param source    where the peppers are
         * @param primaryId the primary pepper's id
         * @param olderIds  ids of peppers that still verify static keys, distinct
         * @return this
         * @throws IllegalStateException    when the source has no secret of one of the ids (read now,
         *                                  at build configuration: never a silent default)
         * @throws IllegalArgumentException when an id is malformed or named twice
         */
        public Builder peppers(dev.latch.spi.SecretSource source, String primaryId, String... olderIds) {
            once(this.pepper, "pepper");
            Names.required(source, "source");
            Names.required(olderIds, "olderIds");
            java.util.Set<String> seen = new java.util.HashSet<>();
            seen.add(dev.latch.spi.SecretSource.checkId(primaryId));
            for (String id : olderIds) {
                if (!seen.add(dev.latch.spi.SecretSource.checkId(id))) {
                    throw new IllegalArgumentException("a pepper id is named twice");
                }
            }
            Pepper primary = Pepper.from(source, primaryId);
            List<Pepper> older = new ArrayList<>();
            for (String id : olderIds) {
                older.add(Pepper.from(source, id));
            }
            this.pepper = primary;
            this.olderPeppers = List.copyOf(older);
            return this;
        }

        /**
         * @param sinks where audit events go; replaces the default {@link #loggingSink()}
         * @return this
         */
        public Builder auditSink(AuditSink... sinks) {
            once(this.sinks, "auditSink");
            for (AuditSink s : sinks) {
                Names.required(s, "audit sink");
            }
            this.sinks = List.of(sinks);
            return this;
        }

        /**
         * @param random the source of codes, ids and keys; default a new {@link SecureRandom}
         * @return this
         */
        public Builder random(SecureRandom random) {
            once(this.random, "random");
            this.random = Names.required(random, "random");
            return this;
        }

        /**
         * @param limit codes per subject per window; default {@link RateLimit#DEFAULT}
         * @return this
         */
        public Builder issueRateLimit(RateLimit limit) {
            once(this.issueLimit, "issueRateLimit");
            this.issueLimit = Names.required(limit, "limit");
            return this;
        }

        /**
         * @param lockout consecutive-failure lockout; default {@link LockoutPolicy#DEFAULT}
         * @return this
         */
        public Builder lockout(LockoutPolicy lockout) {
            once(this.lockout, "lockout");
            this.lockout = Names.required(lockout, "lockout");
            return this;
        }

        /**
         * @param hours opening outside this window emits an {@code OUTSIDE_BUSINESS_HOURS} alert
         * @return this
         */
        public Builder businessHours(TimeWindow hours) {
            once(this.businessHours, "businessHours");
            this.businessHours = Names.required(hours, "hours");
            return this;
        }

        /**
         * @param chain how {@link #issueAndDeliver}, triggers and gates deliver codes; default none
         * @return this
         */
        public Builder delivery(DeliveryChain chain) {
            once(this.delivery, "delivery");
            this.delivery = Names.required(chain, "chain");
            return this;
        }

        /**
         * @param scheduler runs reminders and review escalations; default one daemon thread per
         *                  {@code Latches} (started on first use) timed by the clock
         * @return this
         */
        public Builder scheduler(Scheduler scheduler) {
            once(this.scheduler, "scheduler");
            this.scheduler = Names.required(scheduler, "scheduler");
            return this;
        }

        /**
         * @param every how often latches on a shared store ({@link LatchStore#shared()}) poll it for
         *              due work scheduled by any instance, 1 second to 1 hour; {@link Duration#ZERO}
         *              turns polling off (then call {@link Latches#runDueWork()} from a job of your
         *              own). Default {@link Latches#DEFAULT_POLL}; the first poll runs at build.
         * @return this
         */
        public Builder pollDueWork(Duration every) {
            once(this.pollDueWork, "pollDueWork");
            Names.required(every, "every");
            if (!every.isZero() && (every.compareTo(Duration.ofSeconds(1)) < 0 || every.compareTo(Duration.ofHours(1)) > 0)) {
                throw new IllegalArgumentException("pollDueWork must be zero or 1 second to 1 hour");
            }
            this.pollDueWork = every;
            return this;
        }

        /**
         * @return the latches
         * @throws IllegalStateException when no pepper was set
         */
        public Latches build() {
            if (pepper == null) {
                throw new IllegalStateException("a pepper is required: Latches.builder().pepper(Pepper.fromBase64(...)) "
                        + "with 32+ random bytes kept outside the store (Latches.forDevelopment() generates a throw-away "
                        + "one for development only)");
            }
            return new Latches(this);
        }
    }
}
