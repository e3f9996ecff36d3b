package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.LatchStoreException.StoreFullException;

import dev.latch.Condition.TimeWindow;

import dev.latch.DeliveryChain.DeliveryReceipt;

import dev.latch.internal.Alphabets;
import dev.latch.internal.ExecutorScheduler;
import dev.latch.internal.InMemoryLatchStore;
import dev.latch.internal.LoggingAuditSink;
import dev.latch.internal.StripedSecureRandom;
import dev.latch.spi.AuditSink;
import dev.latch.spi.Names;
import dev.latch.spi.Delivery;
import dev.latch.spi.LatchStore.EventCount;
import dev.latch.spi.LatchStore;
import dev.latch.spi.RiskAssessor;
import dev.latch.spi.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

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
public final class Latches extends Part {
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
    /**
     * By default a source address may present at most 20 unknown or wrong static keys a minute;
     * after that its keys are refused ({@link Verdict.DenialReason#LOCKED}) for a minute without a
     * store lookup. See {@link Builder#keySourceLimit}.
     */
    public static final RateLimit DEFAULT_KEY_SOURCE_LIMIT = RateLimit.of(20, Duration.ofMinutes(1));
    /** How often latches on a shared store poll it for due work by default. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Latches.class);
    private final Scheduler scheduler;
    private final Reviews reviews;
    private final DueWork dueWork;
    private final Codes codes;
    private final StaticKeyring keyring;
    private final Recovery recovery;
    private final Deliveries deliveries;
    private final RiskAssessor riskAssessor;
    private final KeyRotation keyRotation;

    private Latches(Builder b) {
        super(b);
        // The default executor starts its one daemon thread only when a task is first scheduled.
        this.scheduler = b.scheduler == null ? ExecutorScheduler.daemon(this.clock) : b.scheduler;
        this.reviews = new Reviews(this);
        this.dueWork = new DueWork(this, scheduler, b.pollDueWork == null ? DEFAULT_POLL : b.pollDueWork);
        this.codes = new Codes(this, reviews);
        this.keyring = new StaticKeyring(this);
        this.recovery = new Recovery(this, codes);
        this.deliveries = new Deliveries(this, codes, dueWork);
        this.keyRotation = new KeyRotation(this, keyring, dueWork, deliveries);
        this.riskAssessor = b.riskAssessor == null ? RiskAssessor.standard() : b.riskAssessor;
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
        SecureRandom r = builder.random == null ? StripedSecureRandom.shared() : builder.random;
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
        return codes.issue(policy, latchId, subject);
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
        return codes.issue(policy, latchId, subject, request);
    }

    /**
     * Assesses a request's risk with the {@link Builder#riskAssessor risk assessor} and picks the
     * tier of that level: what {@link #issue(LatchPolicy.RiskTiers.Decision)} then issues. Latch
     * adds what it knows (the context's source and attributes, whether now is outside the
     * {@link Builder#businessHours business hours}); the caller adds what it counts.
     *
     * <pre>{@code
     * LatchPolicy.RiskTiers.Decision d = latches.assess(LatchPolicy.RiskTiers.standard(LatchPolicy.HIGH),
     *         "login:alice", "alice", AccessContext.builder("alice").source(ip).build(), !knownDevice, failedLogins);
     * IssuedCode code = latches.issue(d);
     * }</pre>
     *
     * <p>An assessor that throws or answers null makes the level {@code CRITICAL} with the reason
     * {@code ASSESSOR_FAILED}, audited as an {@code ALERT} ({@code RISK_ASSESSOR_FAILED}).
     *
     * @param tiers          the strength of each level
     * @param latchId        the latch
     * @param subject        who
     * @param context        the request (source address, attributes)
     * @param newSource      whether the caller has not seen this source for the subject before
     * @param recentFailures the subject's recent failures as the caller counts them, 0 or more
     * @return the decision
     * @throws IllegalArgumentException when an argument is null, malformed or negative
     */
    public LatchPolicy.RiskTiers.Decision assess(LatchPolicy.RiskTiers tiers, String latchId, String subject,
                                                 AccessContext context, boolean newSource, int recentFailures) {
        Names.required(tiers, "tiers");
        checkLatchId(latchId);
        AccessContext.checkText("subject", subject);
        Names.required(context, "context");
        if (recentFailures < 0) {
            throw new IllegalArgumentException("recentFailures must be 0 or more, got " + recentFailures);
        }
        java.time.Instant now = clock.instant();
        String source = context.source().orElse(null);
        RiskAssessor.Signals signals = new RiskAssessor.Signals(latchId, subject, source, newSource,
                businessHours != null && !businessHours.contains(now), recentFailures, context.attributes(), now);
        RiskAssessor.Risk risk;
        try {
            risk = riskAssessor.assess(signals);
        } catch (RuntimeException e) {
            risk = null;
        }
        if (risk == null) {
            audit(AuditEvent.Type.ALERT, now, latchId, null, subject, source, AuditEvent.Outcome.ALERT,
                    "RISK_ASSESSOR_FAILED");
            risk = new RiskAssessor.Risk(RiskAssessor.Level.CRITICAL, List.of("ASSESSOR_FAILED"));
        }
        return new LatchPolicy.RiskTiers.Decision(latchId, subject, risk, tiers.strength(risk.level()),
                tiers.policy(risk.level()));
    }

    /**
     * Issues a code as strong as a risk decision asks. The {@code ISSUED} event carries
     * {@code RISK} (the level), {@code RISK_REASONS} (the reasons joined by {@code +}) and
     * {@code APPROVERS}.
     *
     * @param decision from {@link #assess}
     * @return the code, shown once
     * @throws IssueRateLimitedException when the subject reached the issue rate limit
     * @throws IllegalArgumentException  when the decision is null
     */
    public IssuedCode issue(LatchPolicy.RiskTiers.Decision decision) {
        Names.required(decision, "decision");
        checkLatchId(decision.latchId());
        return codes.issueCode(decision.policy(), decision.latchId(), decision.subject(), null, riskDetails(decision));
    }

    /**
     * Issues a code as strong as a risk decision asks and delivers it through the delivery chain,
     * using only the channels the decision's tier allows (all of them when it names none).
     *
     * @param decision  from {@link #assess}
     * @param recipient where the channels send it
     * @return which channel delivered it
     * @throws DeliveryFailedException when every allowed channel failed (or the tier allows none of the chain's)
     * @throws IllegalStateException   when no delivery chain was configured
     */
    public DeliveryReceipt issueAndDeliver(LatchPolicy.RiskTiers.Decision decision, String recipient) {
        Names.required(decision, "decision");
        checkLatchId(decision.latchId());
        return deliveries.issueAndDeliver(decision, recipient, riskDetails(decision));
    }

    private static java.util.Map<String, String> riskDetails(LatchPolicy.RiskTiers.Decision d) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("RISK", d.risk().level().name());
        if (!d.risk().reasons().isEmpty()) {
            m.put("RISK_REASONS", String.join("+", d.risk().reasons()));
        }
        m.put("APPROVERS", Integer.toString(d.strength().approvers()));
        return m;
    }

    /**
     * {@link #open} without blocking the caller on the store: for callers on an event loop. The
     * hashing runs on the calling thread; the store's decision completes the stage (on
     * latch-redis, on Lettuce's event loop; stores without an asynchronous client decide on the
     * calling thread). Bad input is {@code Denied(MALFORMED)} as for {@link #open}; a failing store
     * fails the stage with a {@link LatchStoreException} (inside a
     * {@link java.util.concurrent.CompletionException} when joined), audited; nothing opens.
     *
     * <pre>{@code
     * latches.openAsync("login:alice", code, context).thenAccept(v -> respond(v.isOpen()));
     * }</pre>
     *
     * @param latchId the latch
     * @param code    the code as typed
     * @param context who presents it, from where
     * @return the verdict, when the store has decided
     */
    public java.util.concurrent.CompletionStage<Verdict> openAsync(String latchId, String code, AccessContext context) {
        return codes.openAsync(latchId, code, context);
    }

    /**
     * {@link #issue(LatchPolicy, String, String)} without blocking the caller on the store. Issues
     * started one after another without waiting are pipelined on latch-redis (all sent before any
     * reply is awaited). The stage fails with {@link IssueRateLimitedException} or
     * {@link LatchStoreException} where {@code issue} throws them.
     *
     * <pre>{@code
     * List<CompletableFuture<IssuedCode>> all = subjects.stream()
     *         .map(s -> latches.issueAsync(LatchPolicy.HIGH, "deploy:prod", s).toCompletableFuture()).toList();
     * }</pre>
     *
     * @param policy  how the code behaves
     * @param latchId the latch
     * @param subject who may open it
     * @return the code, when the store has taken it
     * @throws IllegalArgumentException when an argument is null, malformed or a reserved latch id
     */
    public java.util.concurrent.CompletionStage<IssuedCode> issueAsync(LatchPolicy policy, String latchId, String subject) {
        return codes.issueAsync(policy, latchId, subject);
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
        return codes.open(latchId, code, context);
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
        return codes.revoke(codeId);
    }

    /**
     * @param latchId a latch
     * @return how many pending codes of the latch were revoked
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public int revokeLatch(String latchId) {
        return codes.revokeLatch(latchId);
    }

    /**
     * @param subject a subject
     * @return how many pending codes of the subject (including recovery codes) were revoked
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public int revokeSubject(String subject) {
        return codes.revokeSubject(subject);
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
        return codes.renew(codeId);
    }

    /**
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param codeId a code id
     * @return the code's state, while the store keeps it
     */
    public Optional<CodeInfo> find(String codeId) {
        return codes.find(codeId);
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
        return codes.openCounter(latchId, context, matches, wellFormed);
    }

    /**
     * @param latchId the latch of an authenticator
     * @param subject the subject
     * @return the next acceptable counter (for HOTP look-ahead), or empty before the first accepted code
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public OptionalLong nextCounter(String latchId, String subject) {
        return codes.nextCounter(latchId, subject);
    }

    // ---------------------------------------------------------------- static keys

    /**
     * Issues a static key. Only its id and a keyed digest of its secret are stored.
     *
     * <p>With a {@link StaticKeySpec.Rotation rotation schedule}, the schedule is kept in the store:
     * the owner is warned through the delivery chain before the key's maximum age, and an automatic
     * rotation issues the successor, delivers it ({@link dev.latch.spi.Delivery.Kind#KEY}) and only
     * then lets the old key expire after the overlap. Any instance on the store runs these, once;
     * if an instance dies between delivering a successor and retiring the old key, the item runs
     * again after its lease and the owner may receive a second successor (the first stays valid).
     *
     * @param spec subject, scopes, lifetime, prefix and optionally a rotation schedule
     * @return the key, shown once
     * @throws IllegalStateException    when the spec has a rotation schedule and no delivery chain was configured
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public IssuedStaticKey issueStaticKey(StaticKeySpec spec) {
        if (spec != null && spec.rotation() != null) {
            return keyRotation.issue(spec);
        }
        return keyring.issueStaticKey(spec);
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
        return keyring.authenticate(key, context);
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
        IssuedStaticKey fresh = keyring.rotate(keyId, overlap);
        keyRotation.rotatedOnRequest(keyId, fresh);
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
        return keyring.revokeKey(keyId);
    }

    /**
     * <p>An id latch did not make, null included, finds nothing.
     *
     * @param keyId a key
     * @return what is known about it, including its last use
     */
    public Optional<StaticKeyInfo> keyInfo(String keyId) {
        return keyring.keyInfo(keyId);
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
        return recovery.issueRecoveryCodes(subject, n);
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
        return recovery.redeemRecoveryCode(code, context);
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
        return deliveries.issueAndDeliver(policy, latchId, subject, recipient, request);
    }

    DeliveryChain requireDelivery() {
        return deliveries.requireDelivery();
    }

    /** Delivers a freshly issued code; on total failure revokes it (or keeps it for backup codes) and throws. */
    DeliveryReceipt deliver(IssuedCode issued, LatchPolicy policy, String recipient) {
        return deliveries.deliver(issued, policy, recipient);
    }

    /** Delivers one message through the chain, auditing each attempt. */
    DeliveryReceipt deliverMessage(Delivery message, String subject) {
        return deliveries.deliverMessage(message, subject);
    }

    /** Sends a due reminder (no code in it), auditing each attempt and whether it is late. */
    void remindOf(Delivery message, String subject, Duration late) {
        deliveries.remindOf(message, subject, late);
    }

    /** Runs a due reminder: only while the code is pending and unexpired; follows renewals. */
    void remindDue(String payload, Duration late) {
        deliveries.remindDue(payload, late);
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

    KeyRotation keyRotation() {
        return keyRotation;
    }

    Reviews reviews() {
        return reviews;
    }

    /**
     * The administrator's override when every delivery channel failed: an approver other than the
     * subject grants a time-boxed code ({@link LatchPolicy#OVERRIDE}: 10 minutes, single use,
     * post-use review required) for the latch and subject whose code no channel delivered, and
     * passes it on by a way of their own (in person, by phone). Allowed once per undelivered
     * code, only while that code would still have been valid; every grant and refusal is an
     * {@link AuditEvent.Type#APPROVAL} event naming the approver, and opening the code leaves a
     * {@link Review} due like break-glass.
     *
     * <pre>{@code
     * } catch (DeliveryFailedException e) {
     *     IssuedCode code = latches.override("login:alice", "alice", "dave", "INC-9: mail relay down");
     *     tellAliceInPerson(code.code());
     * }
     * }</pre>
     *
     * @param latchId  the latch of the undelivered code
     * @param subject  whose code it was
     * @param approver who grants the override; never the subject
     * @param reason   why, for the audit trail (no secrets)
     * @return the code, shown once, to the approver
     * @throws IllegalArgumentException when the approver is the subject, or an argument breaks its rule
     * @throws IllegalStateException    when no undelivered code awaits an override, or it was overridden already
     * @throws IssueRateLimitedException when the subject reached the issue rate limit
     * @throws LatchStoreException      when the store fails
     */
    public IssuedCode override(String latchId, String subject, String approver, String reason) {
        return deliveries.override(latchId, subject, approver, reason);
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
     * <p>An id latch did not make, null included, finds nothing and is audited as
     * {@code MALFORMED_ID} (without the id); an unknown id is audited as {@code NO_GATE}.
     *
     * @param gateId a gate id ({@link ApprovalGate#id()})
     * @return the gate, while the store keeps it (a day past its expiry)
     * @throws LatchStoreException when the store fails
     */
    public Optional<ApprovalGate> gate(String gateId) {
        Instant now = clock.instant();
        if (!validId(gateId)) {
            malformedId(AuditEvent.Type.APPROVAL, now);
            return Optional.empty();
        }
        Optional<ApprovalGate> gate = ApprovalGate.find(this, gateId);
        if (gate.isEmpty()) {
            audit(AuditEvent.Type.APPROVAL, now, null, gateId, null, null, AuditEvent.Outcome.FAILURE, "NO_GATE");
        }
        return gate;
    }

    String newId(String prefix) {
        return prefix + Alphabets.id(random);
    }

    String newCode(CodeFormat format) {
        return Codes.generate(random, format);
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

    /** Holds a latch for a subject until the challenge code {@code codeId} is used, or {@code until}. */
    void hold(String latchId, String subject, String codeId, Instant until) {
        recovery.hold(latchId, subject, codeId, until);
    }

    /** @return true while a hold runs and its challenge has not been answered */
    boolean held(String latchId, String subject) {
        return recovery.held(latchId, subject);
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
        return recovery.answerWithRecoveryCode(latchId, code, context);
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
        LatchStore store;
        Clock clock;
        Pepper pepper;
        List<Pepper> olderPeppers = List.of();
        List<AuditSink> sinks;
        SecureRandom random;
        RateLimit issueLimit;
        LockoutPolicy lockout;
        TimeWindow businessHours;
        DeliveryChain delivery;
        Scheduler scheduler;
        Duration pollDueWork;
        RateLimit keySourceLimit;
        boolean keySourceLimitOff;
        RiskAssessor riskAssessor;

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
         * revoke the keys that never were. Codes and recovery codes are hashed under the primary;
         * those hashed under the first older pepper (the previous primary) still open, and are
         * not rehashed: reissue recovery codes before leaving it out.
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
         * @param random the source of codes, ids and keys; default the JVM's shared DRBG
         *               generators (NIST SP 800-90A Hash_DRBG, each seeded from the platform's
         *               entropy): a few independent ones that threads are spread over, so that
         *               issuing on many threads does not queue on one lock as a plain
         *               {@code new SecureRandom()} (NativePRNG on Linux) does
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
         * @param assessor what {@link Latches#assess} asks for a request's risk; default {@link RiskAssessor#standard()}
         * @return this
         */
        public Builder riskAssessor(RiskAssessor assessor) {
            once(this.riskAssessor, "riskAssessor");
            this.riskAssessor = Names.required(assessor, "assessor");
            return this;
        }

        /**
         * How many well-formed static keys that are unknown or have a wrong secret one source
         * address may present within the window before {@link Latches#authenticate} refuses that
         * source's keys ({@code Denied(LOCKED)}, audited {@code RATE_LIMITED}/{@code KEY_SOURCE_LIMIT})
         * for one window, without a store lookup. Failures are counted in the store, so every
         * instance counts together; each instance refuses the source once it sees a failure while
         * the limit holds. Keys presented without a source address are not limited; malformed keys
         * cost no lookup and are not counted. Default {@link Latches#DEFAULT_KEY_SOURCE_LIMIT}.
         *
         * @param limit the limit, or null to turn it off
         * @return this
         */
        public Builder keySourceLimit(RateLimit limit) {
            once(this.keySourceLimit != null || this.keySourceLimitOff ? "" : null, "keySourceLimit");
            this.keySourceLimit = limit;
            this.keySourceLimitOff = limit == null;
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
