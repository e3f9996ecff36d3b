package dev.latch.spi;

import dev.latch.CodeFormat;
import dev.latch.CodeInfo;
import dev.latch.LockoutPolicy;
import dev.latch.RateLimit;
import dev.latch.StaticKeyInfo;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where latch keeps its state: pending codes (as keyed digests), failure counts and lockouts,
 * static keys and the sources seen per subject.
 *
 * <p><b>Contract.</b> Every method is one atomic step: no other call can observe or change the
 * state halfway. Each is shaped so a remote store can run it in one round trip (for Redis, one
 * Lua script): {@link #open(OpenRequest)} finds the code, checks lock and expiry, compares the
 * digest in constant time and either counts the failure or consumes a use, all at once. All
 * times come from the caller ({@code now}, from the injected {@link java.time.Clock}); a store
 * may expire state by its own clock only after the caller's expiry has surely passed, and must
 * never evict live security state (a pending or consumed code, a failure count, a lock, a key)
 * to make room: it throws {@link dev.latch.LatchStoreException.StoreFullException} instead. Any other failure is a
 * {@link dev.latch.LatchStoreException}. Implementations pass {@code LatchStoreConformanceTest}
 * from the {@code latch-core} test-jar.
 *
 * <pre>{@code
 * Latches latches = Latches.builder()
 *         .store(Latches.inMemoryStore(500_000))
 *         .pepper(pepper)
 *         .build();
 * }</pre>
 *
 * <p>Every method refuses a null argument with {@link IllegalArgumentException} before it reads
 * or changes anything ({@link Names#required}), except the ones documented as "or null" (an
 * issue's rate limit, a key use's source); the conformance suite calls each method with null in
 * each argument on every store.
 *
 * <p>Implementations must be thread-safe.
 */
public interface LatchStore {

    /** The default bound of {@code Latches.inMemoryStore()}. */
    int DEFAULT_MAX_ENTRIES = 1_000_000;

    /**
     * Stores a new code as the pending code of its latch and subject, replacing any earlier one
     * (which stops working at once) and keeping the failure count. With a limit, first takes a
     * slot of the subject's issue rate limit, and issues nothing when none is free.
     *
     * @param code  the record
     * @param limit the per-subject issue limit, or null for none
     * @param now   the time
     * @return whether it was issued, and what it replaced
     */
    IssueResult issue(CodeRecord code, RateLimit limit, Instant now);

    /**
     * Decides one presentation atomically; see {@link OpenResult.Outcome} for the decisions. A
     * wrong or malformed code counts a failure (and burns the code at its attempt limit, and
     * may start a lock); a right code that is valid consumes one use and resets the failures.
     * The result names the code the presentation met as a {@link CodeSummary}: a store may
     * return its {@link CodeRecord} or, to keep a network reply small and free of digests,
     * {@link CodeSummary#of}.
     *
     * @param request the presentation
     * @return the decision
     */
    OpenResult open(OpenRequest request);

    /**
     * @param codeId a code id
     * @return the record, while it is kept
     */
    Optional<CodeRecord> find(String codeId);

    /**
     * @param codeId a code id
     * @param now    the time
     * @return true when a pending code was revoked
     */
    boolean revoke(String codeId, Instant now);

    /**
     * @param latchId a latch
     * @param now     the time
     * @return how many pending codes were revoked
     */
    int revokeLatch(String latchId, Instant now);

    /**
     * @param subject a subject
     * @param now     the time
     * @return how many pending codes were revoked
     */
    int revokeSubject(String subject, Instant now);

    /**
     * Extends a pending, unexpired code that has renewals left.
     *
     * @param codeId    the code
     * @param newExpiry the new expiry
     * @param now       the time
     * @return the decision
     */
    RenewResult renew(String codeId, Instant newExpiry, Instant now);

    /**
     * @param key a new key
     * @throws dev.latch.LatchStoreException.StoreFullException when full
     */
    void putKey(KeyRecord key);

    /**
     * @param keyId a key id
     * @return the key
     */
    Optional<KeyRecord> findKey(String keyId);

    /**
     * Compares the digest in constant time, checks state and lifetime, and records the use. The
     * last use may be kept coarsely, so that a busy key is not written on every use: the
     * in-memory store keeps it to the second (a use in the second and from the source already
     * recorded writes nothing), latch-jdbc's key cache at most once per its time to live.
     *
     * @param keyId  the key id
     * @param digest the digest of the presented secret
     * @param now    the time
     * @param source the source address, or null
     * @return the decision
     */
    KeyResult useKey(String keyId, byte[] digest, Instant now, String source);

    /**
     * Marks an active key as rotated: it stays valid until {@code validUntil}.
     *
     * @param keyId       the key
     * @param validUntil  when the overlap ends
     * @param successorId the new key
     * @param now         the time
     * @return the rotated key, or empty when unknown or not active
     */
    Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now);

    /**
     * @param keyId the key
     * @param now   the time
     * @return true when a key that was not yet revoked is now revoked
     */
    boolean revokeKey(String keyId, Instant now);

    /**
     * Replaces a key's digest with the digest of the same secret under another pepper, atomically
     * and only while the stored digest is still {@code oldDigest} (compared in constant time):
     * after a pepper rotation, latch rehashes a key the first time it verifies under the old one.
     *
     * @param keyId     the key
     * @param oldDigest the digest the key verified against
     * @param newDigest the new digest, 32 bytes
     * @param pepperId  the new digest's pepper id
     * @param now       the time
     * @return true when replaced; false when the key is gone or its digest changed meanwhile
     */
    boolean rehashKey(String keyId, byte[] oldDigest, byte[] newDigest, String pepperId, Instant now);

    /**
     * Decides one presentation of a counter-based one-time password atomically: a lock denies
     * (not counted); no match or malformed input counts a failure (and may lock); a match at or
     * above the next acceptable counter is accepted, that counter and all below it become used,
     * and the failures reset; a match below it is a replay. The smallest acceptable match wins.
     *
     * @param request the presentation
     * @return the decision
     */
    CounterResult acceptCounter(CounterRequest request);

    /**
     * @param latchId the latch
     * @param subject the subject
     * @return the next acceptable counter (one past the last accepted), or empty when none was accepted yet
     */
    java.util.OptionalLong nextCounter(String latchId, String subject);

    /**
     * Records a key until {@code expiresAt} if it is not recorded yet: a replay cache.
     *
     * @param key       the key (a token id, namespaced by the caller)
     * @param expiresAt how long to remember it
     * @param now       the time
     * @return true the first time, false while it is remembered
     * @throws dev.latch.LatchStoreException.StoreFullException when full
     */
    boolean putOnce(String key, Instant expiresAt, Instant now);

    /**
     * Sets a small marker value until {@code expiresAt} (revoked token ids, stored policies).
     *
     * @param key       the key, namespaced by the caller
     * @param value     the value, at most 4096 characters
     * @param expiresAt when it may be forgotten
     * @param now       the time
     * @throws dev.latch.LatchStoreException.StoreFullException when full
     */
    void putMarker(String key, String value, Instant expiresAt, Instant now);

    /**
     * @param key a key
     * @param now the time
     * @return the marker's value while it is not expired
     */
    Optional<String> getMarker(String key, Instant now);

    /** Most events {@link #countEvent} keeps per key: the largest threshold. */
    int MAX_EVENT_THRESHOLD = 1000;

    /**
     * Counts one event of a key towards a sliding-window threshold, atomically: records
     * {@code now}, keeping only the {@code threshold} most recent times of the key (so memory per
     * key is bounded however many events arrive); the event fires when {@code threshold} recorded
     * times fall inside {@code (now - window, now]} and no cooldown runs. Firing forgets the
     * recorded times and starts a cooldown of {@code cooldown} from {@code now}, so one burst
     * fires once. State expires once both the window and the cooldown have passed.
     *
     * @param key       the key (a trigger and, for example, a subject), namespaced by the caller
     * @param threshold events that fire, 1 to {@value #MAX_EVENT_THRESHOLD}
     * @param window    the sliding window, positive
     * @param cooldown  quiet time after firing, zero or positive
     * @param now       the time of the event
     * @return the decision
     * @throws dev.latch.LatchStoreException.StoreFullException when full
     */
    EventCount countEvent(String key, int threshold, java.time.Duration window, java.time.Duration cooldown,
                          Instant now);

    // ---------------------------------------------------------------- durable records

    /** Longest key of {@link #getRecord} and {@link #compareAndSet}. */
    int MAX_RECORD_KEY = 256;
    /** Longest value of {@link #compareAndSet}, in characters. */
    int MAX_RECORD_VALUE = 16_384;

    /**
     * A durable record as stored: its value and the version {@link #compareAndSet} gave it.
     * Gate definitions and votes, break-glass requests and post-use reviews are records; latch
     * changes one only by comparing and setting its version, so every transition (a vote, an
     * acknowledgement, a decision) is atomic across instances. For example
     * {@code store.getRecord("review:" + codeId, now).map(Versioned::value)}.
     *
     * <p>Thread-safe: immutable.
     *
     * @param value   the value
     * @param version 1 for a new record, one more with every change
     */
    record Versioned(String value, long version) {
        /** Validates. */
        public Versioned {
            Names.required(value, "value");
            if (version < 1) {
                throw new IllegalArgumentException("a record version is at least 1");
            }
        }

        @Override
        public String toString() {
            return "Versioned[version=" + version + ", " + value.length() + " characters]";
        }
    }

    /**
     * @param key a record key, 1 to {@value #MAX_RECORD_KEY} characters, namespaced by the caller
     * @param now the time
     * @return the record while it is not expired
     */
    Optional<Versioned> getRecord(String key, Instant now);

    /**
     * Writes a record only when its version is still {@code expectedVersion} (0: only when no live
     * record exists), atomically: of two racing writers with the same expected version exactly one
     * succeeds. The written record has version {@code expectedVersion + 1} and is kept until
     * {@code expiresAt}.
     *
     * @param key             the key, as for {@link #getRecord}
     * @param expectedVersion the version read, or 0 to create
     * @param value           the new value, at most {@value #MAX_RECORD_VALUE} characters
     * @param expiresAt       when the record may be forgotten
     * @param now             the time
     * @return true when written; false when the version had moved on (nothing changed)
     * @throws dev.latch.LatchStoreException.StoreFullException when a new record does not fit
     */
    boolean compareAndSet(String key, long expectedVersion, String value, Instant expiresAt, Instant now);

    // ---------------------------------------------------------------- scheduled work

    /** Longest id of a {@link Work} item. */
    int MAX_WORK_ID = 256;
    /** Longest payload of a {@link Work} item, in characters. */
    int MAX_WORK_PAYLOAD = 4096;
    /** Most items one {@link #claimDue} call may claim. */
    int MAX_CLAIM = 1000;

    /**
     * One item of scheduled work (a reminder, a review escalation): what to do, on what, and
     * when. Every instance on a store sees the same items; {@link #claimDue} hands each due item
     * to one of them at a time. For example
     * {@code new LatchStore.Work("remind:" + codeId, "REMINDER", payload, dueAt)}.
     *
     * <p>Thread-safe: immutable.
     *
     * @param id      unique per item, 1 to {@value #MAX_WORK_ID} characters; scheduling an id again replaces the item
     * @param kind    what to do, 1 to 64 characters of {@code A-Z 0-9 _}
     * @param payload what it applies to, at most {@value #MAX_WORK_PAYLOAD} characters (no secrets)
     * @param dueAt   when it falls due
     */
    record Work(String id, String kind, String payload, Instant dueAt) {
        /** Validates. */
        public Work {
            Names.required(id, "id");
            Names.required(kind, "kind");
            Names.required(payload, "payload");
            Names.required(dueAt, "dueAt");
            if (id.isEmpty() || id.length() > MAX_WORK_ID) {
                throw new IllegalArgumentException("a work id has 1 to " + MAX_WORK_ID + " characters");
            }
            if (kind.isEmpty() || kind.length() > 64 || !kind.chars().allMatch(c -> c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9' || c == '_')) {
                throw new IllegalArgumentException("a work kind has 1 to 64 characters of A-Z 0-9 _");
            }
            if (payload.length() > MAX_WORK_PAYLOAD) {
                throw new IllegalArgumentException("a work payload has at most " + MAX_WORK_PAYLOAD + " characters");
            }
        }
    }

    /**
     * A claimed item: while its lease runs no other claim gets it; {@link #complete} with the
     * token removes it. A lease that ran out (its holder crashed) makes the item due again.
     *
     * <p>Thread-safe: immutable.
     *
     * @param work    the item
     * @param token   this claim's token: one more than the item's previous claim
     * @param attempt how many times the item has been claimed, this time included
     */
    record Claim(Work work, long token, int attempt) {
        /** Earliest due first, then by id: the order {@link #claimDue} returns claims in. */
        public static final java.util.Comparator<Claim> EARLIEST_DUE = java.util.Comparator
                .comparing((Claim c) -> c.work().dueAt()).thenComparing(c -> c.work().id());

        /** Validates. */
        public Claim {
            Names.required(work, "work");
        }
    }

    /**
     * The argument rule of {@link #claimDue}, for stores to check before anything else.
     *
     * @param now   the time
     * @param lease the lease
     * @param max   most items
     * @throws IllegalArgumentException when an argument is null or out of range
     */
    static void checkClaim(Instant now, java.time.Duration lease, int max) {
        Names.required(now, "now");
        Names.required(lease, "lease");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("a lease is positive");
        }
        if (max < 1 || max > MAX_CLAIM) {
            throw new IllegalArgumentException("max is 1 to " + MAX_CLAIM);
        }
    }

    /**
     * The argument rule of {@link #compareAndSet}, for stores to check before anything else.
     *
     * @param key             the key
     * @param expectedVersion the expected version
     * @param value           the value
     * @param expiresAt       the expiry
     * @param now             the time
     * @throws IllegalArgumentException when an argument is null or out of range
     */
    static void checkRecord(String key, long expectedVersion, String value, Instant expiresAt, Instant now) {
        checkRecordKey(key);
        Names.required(value, "value");
        Names.required(expiresAt, "expiresAt");
        Names.required(now, "now");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion is 0 or more");
        }
        if (value.length() > MAX_RECORD_VALUE) {
            throw new IllegalArgumentException("a record value has at most " + MAX_RECORD_VALUE + " characters");
        }
    }

    /**
     * @param key a record key
     * @throws IllegalArgumentException when it is null, empty or longer than {@value #MAX_RECORD_KEY}
     */
    static void checkRecordKey(String key) {
        Names.required(key, "key");
        if (key.isEmpty() || key.length() > MAX_RECORD_KEY) {
            throw new IllegalArgumentException("a record key has 1 to " + MAX_RECORD_KEY + " characters");
        }
    }

    /**
     * The argument rule of {@link #rehashKey}, for stores to check before anything else.
     *
     * @param keyId     the key
     * @param oldDigest the old digest
     * @param newDigest the new digest
     * @param pepperId  the pepper id
     * @param now       the time
     * @throws IllegalArgumentException when an argument is null or the new digest is not 32 bytes
     */
    static void checkRehash(String keyId, byte[] oldDigest, byte[] newDigest, String pepperId, Instant now) {
        Names.required(keyId, "keyId");
        Names.required(oldDigest, "oldDigest");
        Names.required(newDigest, "newDigest");
        Names.required(pepperId, "pepperId");
        Names.required(now, "now");
        if (newDigest.length != 32) {
            throw new IllegalArgumentException("key digests are 32 bytes");
        }
    }

    /**
     * Adds an item, or replaces the item with the same id (its claim, if any, is dropped).
     *
     * @param work the item
     * @param now  the time
     * @throws dev.latch.LatchStoreException.StoreFullException when it does not fit
     */
    void schedule(Work work, Instant now);

    /**
     * Claims, atomically, up to {@code max} items due at {@code now} that no live lease holds,
     * earliest due first, and leases each until {@code now + lease}: with several instances
     * claiming at once every item goes to exactly one of them.
     *
     * @param now   the time
     * @param lease how long the claim holds, positive
     * @param max   most items, 1 to {@value #MAX_CLAIM}
     * @return the claims, earliest due first
     */
    java.util.List<Claim> claimDue(Instant now, java.time.Duration lease, int max);

    /**
     * Removes a claimed item when the claim is still the item's latest (its token matches).
     *
     * @param id    the item's id
     * @param token the claim's token
     * @param now   the time
     * @return true when removed; false when the item is gone, replaced or claimed again since
     */
    boolean complete(String id, long token, Instant now);

    /**
     * @param id  an item's id
     * @param now the time
     * @return true when an item was removed
     */
    boolean cancel(String id, Instant now);

    /**
     * Whether other processes may share this store's state (or it outlives this process). Latches
     * on a shared store poll it for due work scheduled by other instances (or before a restart);
     * on a store private to one process it relies on its own timers.
     *
     * @return true unless the store lives in this process's memory only
     */
    default boolean shared() {
        return true;
    }

    /**
     * {@link #open} without blocking the caller, for stores with an asynchronous client (latch-redis
     * answers from Lettuce's event loop). The default runs {@link #open} on the calling thread and
     * returns its completed result, so every store supports it; a store that blocks (JDBC) blocks
     * here too. The stage fails with the exception {@link #open} would throw.
     *
     * @param request as for {@link #open}
     * @return the result, when the store has decided
     */
    default java.util.concurrent.CompletionStage<OpenResult> openAsync(OpenRequest request) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(open(request));
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * {@link #issue} without blocking the caller; the default as for {@link #openAsync}. Calls made
     * one after another without waiting are pipelined by stores whose client pipelines (latch-redis).
     *
     * @param code  as for {@link #issue}
     * @param limit as for {@link #issue}
     * @param now   as for {@link #issue}
     * @return the result, when the store has decided
     */
    default java.util.concurrent.CompletionStage<IssueResult> issueAsync(CodeRecord code, RateLimit limit, Instant now) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(issue(code, limit, now));
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    // ---------------------------------------------------------------- the values the methods take and give

    /**
     * A dynamic code (or a set of recovery codes) as a store keeps it: keyed digests, never the
     * code. One record per latch and subject is pending at a time.
     *
     * <pre>{@code
     * store.find(codeId).map(CodeRecord::state);
     * }</pre>
     *
     * @param codeId         the non-secret id
     * @param latchId        the latch
     * @param subject        who it is for
     * @param policy         the policy name
     * @param kind           the code kind, to pick the matching presented digest
     * @param digests        HMAC-SHA256 digests, 32 bytes each; one per code (several for recovery sets).
     *                       Arrays are never modified after construction
     * @param usedSlots      for several digests: bit i set when digest i was used
     * @param state          pending, consumed, revoked or burned
     * @param issuedAt       when it was issued or last renewed (expiresAt - issuedAt is its lifetime)
     * @param notBefore      when it starts to open
     * @param expiresAt      when it expires ({@link #NEVER} for none)
     * @param attemptsLeft   wrong attempts it survives ({@link Integer#MAX_VALUE}: not counted per code)
     * @param usesLeft       opens left
     * @param renewalsLeft   renewals left
     * @param reviewRequired whether opening leaves a post-use review due
     * @param conditions     the policy's conditions in their canonical text form, empty for none
     * @param request        SHA-256 of the request the code is bound to, or null
     *
     * <p>{@code toString} leaves out the digests. Thread-safe: immutable.
     */
    public record CodeRecord(String codeId, String latchId, String subject, String policy, CodeFormat.Kind kind,
                             List<byte[]> digests, long usedSlots, CodeInfo.State state, Instant issuedAt,
                             Instant notBefore, Instant expiresAt, int attemptsLeft, int usesLeft, int renewalsLeft,
                             boolean reviewRequired, String conditions, byte[] request)
            implements CodeSummary {

        /** The expiry of codes that do not expire (recovery codes): 9999-12-31T23:59:59Z. */
        public static final Instant NEVER = Instant.ofEpochSecond(253402300799L);

        /** Validates. */
        public CodeRecord {
            Names.required(codeId, "codeId");
            Names.required(latchId, "latchId");
            Names.required(subject, "subject");
            Names.required(kind, "kind");
            Names.required(state, "state");
            Names.required(issuedAt, "issuedAt");
            Names.required(notBefore, "notBefore");
            Names.required(expiresAt, "expiresAt");
            digests = List.copyOf(digests);
            if (digests.isEmpty() || digests.size() > 64) {
                throw new IllegalArgumentException("a code record has 1 to 64 digests");
            }
            for (byte[] d : digests) {
                if (d.length != 32) {
                    throw new IllegalArgumentException("digests are 32 bytes");
                }
            }
            if (request != null && request.length != 32) {
                throw new IllegalArgumentException("request digests are 32 bytes");
            }
            conditions = conditions == null ? "" : conditions;
        }

        /**
         * @param now       the time of renewal, which becomes {@link #issuedAt()}
         * @param newExpiry the new expiry
         * @return a copy renewed once
         */
        public CodeRecord renew(Instant now, Instant newExpiry) {
            return new CodeRecord(codeId, latchId, subject, policy, kind, digests, usedSlots, state, now, notBefore,
                    newExpiry, attemptsLeft, usesLeft, renewalsLeft - 1, reviewRequired, conditions, request);
        }

        /** @return the public view of this record */
        public CodeInfo info() {
            return new CodeInfo(codeId, latchId, subject, policy, state, issuedAt, notBefore, expiresAt, attemptsLeft,
                    usesLeft, renewalsLeft);
        }

        @Override
        public String toString() {
            return "CodeRecord[id=" + codeId + ", latch=" + latchId + ", subject=" + subject + ", policy=" + policy
                    + ", kind=" + kind + ", digests=" + digests.size() + "×***, state=" + state + ", expiresAt=" + expiresAt
                    + ", attemptsLeft=" + attemptsLeft + ", usesLeft=" + usesLeft + "]";
        }
    }

    /**
     * What the core needs to know about the code a presentation met, after
     * {@link LatchStore#open(OpenRequest)} decided: enough for the audit trail, the verdict and the
     * post-use review, and nothing secret. A {@link CodeRecord} is one; a remote store can return
     * a smaller object so that an open does not ship the whole record (and never its digests) back
     * over the network.
     *
     * <pre>{@code
     * OpenResult r = store.open(request);
     * String codeId = r.code() == null ? null : r.code().codeId();
     * }</pre>
     *
     * <p>Implementations must be immutable, hence thread-safe.
     */
    public interface CodeSummary {
        /** @return the code's non-secret id */
        String codeId();

        /** @return the name of the policy it was issued under */
        String policy();

        /** @return opens left after the decision */
        int usesLeft();

        /** @return whether opening leaves a post-use review due */
        boolean reviewRequired();

        /** @return the policy's conditions in their canonical text form, empty for none */
        String conditions();

        /**
         * A summary made of its parts, for stores that do not keep a {@link CodeRecord} in memory.
         *
         * <pre>{@code
         * CodeSummary s = CodeSummary.of("c_1", "STANDARD", 0, false, "");
         * }</pre>
         *
         * @param codeId         the code's id
         * @param policy         the policy name
         * @param usesLeft       opens left
         * @param reviewRequired whether a review is due after an open
         * @param conditions     canonical conditions, null or empty for none
         * @return the summary; its {@code toString} holds no secret (there is none in it)
         */
        static CodeSummary of(String codeId, String policy, int usesLeft, boolean reviewRequired, String conditions) {
            return new Parts(codeId, policy, usesLeft, reviewRequired, conditions == null ? "" : conditions);
        }

        /**
         * The plain implementation behind {@link #of}.
         *
         * <pre>{@code
         * CodeSummary s = new CodeSummary.Parts("c_1", "HIGH", 0, false, "");
         * }</pre>
         *
         * @param codeId         the code's id
         * @param policy         the policy name
         * @param usesLeft       opens left
         * @param reviewRequired whether a review is due after an open
         * @param conditions     canonical conditions, empty for none
         *
         * <p>Thread-safe: immutable.
         */
        record Parts(String codeId, String policy, int usesLeft, boolean reviewRequired, String conditions)
                implements CodeSummary {
            /** Validates. */
            public Parts {
                Names.required(codeId, "codeId");
                Names.required(conditions, "conditions");
            }
        }
    }

    /**
     * One presentation of a counter-based one-time password (HOTP or TOTP), as a module hands it to
     * {@link LatchStore#acceptCounter(CounterRequest)}. The module computes the codes for the
     * counters (or time steps) in its window and sends the counters whose code matched; the store
     * decides atomically: lock, replay guard, failure count.
     *
     * <pre>{@code
     * CounterResult r = store.acceptCounter(new CounterRequest(latchId, subject, new long[]{step}, true, now, lockout));
     * }</pre>
     *
     * @param latchId   the latch (the enrolled authenticator)
     * @param subject   who presents the code
     * @param matches   counters whose code matched, ascending; empty when none did
     * @param wellFormed false when the input was not a code at all (counted as a failure)
     * @param now       the injected clock's time
     * @param lockout   the lockout rules to apply on failure
     *
     * <p>Thread-safe: immutable (the array is copied).
     */
    public record CounterRequest(String latchId, String subject, long[] matches, boolean wellFormed, Instant now,
                                 LockoutPolicy lockout) {
        /** Validates and copies. */
        public CounterRequest {
            Names.required(latchId, "latchId");
            Names.required(subject, "subject");
            Names.required(now, "now");
            Names.required(lockout, "lockout");
            matches = matches.clone();
            Arrays.sort(matches);
            for (long m : matches) {
                if (m < 0) {
                    throw new IllegalArgumentException("counters are not negative");
                }
            }
        }

        @Override
        public String toString() {
            return "CounterRequest[latch=" + latchId + ", subject=" + subject + ", matches=" + matches.length
                    + ", wellFormed=" + wellFormed + ", now=" + now + "]";
        }
    }

    /**
     * What {@link LatchStore#acceptCounter(CounterRequest)} decided.
     *
     * <pre>{@code
     * if (result.outcome() == CounterResult.Outcome.ACCEPTED) { ... }
     * }</pre>
     *
     * @param outcome     the decision
     * @param counter     the accepted counter, or -1
     * @param failures    consecutive failures after the decision
     * @param lockedUntil when the current lock ends, or null
     * @param lockedNow   true when this presentation started a lock
     *
     * <p>Thread-safe: immutable.
     */
    public record CounterResult(Outcome outcome, long counter, int failures, Instant lockedUntil, boolean lockedNow) {
        /**
         * The decision. For example {@code if (result.outcome() == CounterResult.Outcome.ACCEPTED) ...}
         *
         * <p>Thread-safe: enum constants are immutable.
         */
        public enum Outcome {
            /** A matching counter at or above the next acceptable one; it and all below are now used. */
            ACCEPTED,
            /** No counter matched (counted). */
            WRONG_CODE,
            /** The input was not a code (counted). */
            MALFORMED,
            /** Locked for the subject (not counted). */
            LOCKED,
            /** Every matching counter was already used (not counted: the code was right once). */
            REPLAYED
        }
    }

    /**
     * What {@link LatchStore#countEvent} decided for one event.
     *
     * <pre>{@code
     * EventCount c = store.countEvent("trigger:login:alice", 3, Duration.ofMinutes(10), Duration.ofMinutes(15), now);
     * if (c.fired()) { issueChallenge(); }
     * }</pre>
     *
     * @param inWindow    events of the key inside the window after this one, at most the threshold
     * @param fired       true when this event reached the threshold outside a cooldown: the caller acts
     * @param coolingDown true when the threshold was reached but a cooldown from an earlier firing runs
     *
     * <p>Thread-safe: immutable.
     */
    public record EventCount(int inWindow, boolean fired, boolean coolingDown) {

        /**
         * Checks the arguments of {@link LatchStore#countEvent}; stores call it before their atomic step.
         *
         * @param key       the key
         * @param threshold 1 to {@value LatchStore#MAX_EVENT_THRESHOLD}
         * @param window    positive
         * @param cooldown  zero or positive
         * @throws IllegalArgumentException when one is out of range
         */
        public static void checkArguments(String key, int threshold, java.time.Duration window,
                                          java.time.Duration cooldown) {
            Names.required(key, "key");
            if (threshold < 1 || threshold > LatchStore.MAX_EVENT_THRESHOLD || window.isNegative() || window.isZero()
                    || cooldown.isNegative()) {
                throw new IllegalArgumentException("threshold must be 1 to " + LatchStore.MAX_EVENT_THRESHOLD
                        + ", the window positive and the cooldown not negative");
            }
        }
    }

    /**
     * What {@link LatchStore#issue} did.
     *
     * <pre>{@code
     * IssueResult r = store.issue(record, limit, now);
     * if (!r.issued()) { // rate limited }
     * }</pre>
     *
     * @param issued         false when the per-subject rate limit refused the issue
     * @param replacedCodeId the id of the pending code this one replaced, or null
     *
     * <p>Thread-safe: immutable.
     */
    public record IssueResult(boolean issued, String replacedCodeId) {
        /** @return the result of a refused issue */
        public static IssueResult rateLimited() {
            return new IssueResult(false, null);
        }
    }

    /**
     * A static key as a store keeps it: id, keyed digest of the secret, subject, scopes, lifetime,
     * rotation and last use. Never the secret.
     *
     * <pre>{@code
     * store.findKey(keyId).map(KeyRecord::info);
     * }</pre>
     *
     * @param keyId        the id
     * @param prefix       the key prefix
     * @param subject      who it authenticates
     * @param scopes       its scopes
     * @param digest       HMAC-SHA256 of the secret, 32 bytes, never modified
     * @param createdAt    when it was issued
     * @param expiresAt    when it expires, or null
     * @param state        active, rotated or revoked
     * @param validUntil   for a rotated key, when the overlap ends, or null
     * @param successorId  for a rotated key, the key that replaced it, or null
     * @param lastUsedAt   when it last authenticated, or null
     * @param lastUsedFrom the source of that use, or null
     * @param conditions   the key's conditions in their stored text form ({@code ""} for none), as
     *                     the store received them; the core checks them after a successful use
     * @param pepperId     the id of the pepper the digest was made with (null reads as
     *                     {@code "default"}, the id of a pepper given without one)
     *
     * <p>{@code toString} leaves out the digest. Thread-safe: immutable.
     */
    public record KeyRecord(String keyId, String prefix, String subject, Set<String> scopes, byte[] digest,
                            Instant createdAt, Instant expiresAt, StaticKeyInfo.State state, Instant validUntil,
                            String successorId, Instant lastUsedAt, String lastUsedFrom, String conditions,
                            String pepperId) {
        /** The pepper id of records that name none. */
        public static final String DEFAULT_PEPPER = "default";

        /** Validates. */
        public KeyRecord {
            conditions = conditions == null ? "" : conditions;
            pepperId = pepperId == null ? DEFAULT_PEPPER : pepperId;
            Names.required(keyId, "keyId");
            Names.required(prefix, "prefix");
            Names.required(subject, "subject");
            Names.required(createdAt, "createdAt");
            Names.required(state, "state");
            scopes = Set.copyOf(scopes);
            if (digest == null || digest.length != 32) {
                throw new IllegalArgumentException("key digests are 32 bytes");
            }
        }

        /**
         * @param at   the time of use
         * @param from the source, or null
         * @return a copy with the last use recorded
         */
        public KeyRecord used(Instant at, String from) {
            return new KeyRecord(keyId, prefix, subject, scopes, digest, createdAt, expiresAt, state, validUntil,
                    successorId, at, from, conditions, pepperId);
        }

        /**
         * @param until     when the overlap ends
         * @param successor the new key
         * @return a rotated copy
         */
        public KeyRecord rotated(Instant until, String successor) {
            return new KeyRecord(keyId, prefix, subject, scopes, digest, createdAt, expiresAt,
                    StaticKeyInfo.State.ROTATED, until, successor, lastUsedAt, lastUsedFrom, conditions, pepperId);
        }

        /** @return a revoked copy */
        public KeyRecord revoked() {
            return new KeyRecord(keyId, prefix, subject, scopes, digest, createdAt, expiresAt,
                    StaticKeyInfo.State.REVOKED, validUntil, successorId, lastUsedAt, lastUsedFrom, conditions, pepperId);
        }

        /**
         * @param newDigest the digest of the same secret under another pepper
         * @param newPepper that pepper's id
         * @return a copy hashed under the other pepper
         */
        public KeyRecord rehashed(byte[] newDigest, String newPepper) {
            return new KeyRecord(keyId, prefix, subject, scopes, newDigest, createdAt, expiresAt, state, validUntil,
                    successorId, lastUsedAt, lastUsedFrom, conditions, newPepper);
        }

        /**
         * The decision of one use of this key, as every store makes it: the digest compared in
         * constant time, then the state, then the lifetime. The store records the use when OK.
         *
         * @param presented the digest of the presented secret
         * @param now       the time
         * @return the outcome (never {@link KeyResult.Outcome#NO_KEY})
         */
        public KeyResult.Outcome decide(byte[] presented, Instant now) {
            if (!java.security.MessageDigest.isEqual(digest, presented)) {
                return KeyResult.Outcome.WRONG_SECRET;
            }
            if (state == StaticKeyInfo.State.REVOKED) {
                return KeyResult.Outcome.REVOKED;
            }
            if ((expiresAt != null && !now.isBefore(expiresAt)) || (validUntil != null && !now.isBefore(validUntil))) {
                return KeyResult.Outcome.EXPIRED;
            }
            return KeyResult.Outcome.OK;
        }

        /** @return the public view */
        public StaticKeyInfo info() {
            return new StaticKeyInfo(keyId, prefix, subject, scopes, state, createdAt, Optional.ofNullable(expiresAt),
                    Optional.ofNullable(validUntil), Optional.ofNullable(successorId), Optional.ofNullable(lastUsedAt),
                    Optional.ofNullable(lastUsedFrom));
        }

        @Override
        public String toString() {
            return "KeyRecord[id=" + keyId + ", prefix=" + prefix + ", subject=" + subject + ", scopes=" + scopes
                    + ", digest=***, pepper=" + pepperId + ", state=" + state + ", expiresAt=" + expiresAt + ", validUntil=" + validUntil + "]";
        }
    }

    /**
     * What {@link LatchStore#useKey} decided, atomically.
     *
     * <pre>{@code
     * KeyResult r = store.useKey(keyId, digest, now, source);
     * }</pre>
     *
     * @param outcome the decision
     * @param record  the key after the decision (last use recorded on OK), or null when unknown
     *
     * <p>Thread-safe: immutable.
     */
    public record KeyResult(Outcome outcome, KeyRecord record) {
        /**
         * The decision. For example {@code if (result.outcome() == KeyResult.Outcome.OK) ...}
         *
         * <p>Thread-safe: enum constants are immutable.
         */
        public enum Outcome {
            /** Matched and valid; last use recorded. */
            OK,
            /** No key with that id. */
            NO_KEY,
            /** The secret's digest did not match. */
            WRONG_SECRET,
            /** Right secret, revoked key. */
            REVOKED,
            /** Right secret, expired key or ended rotation overlap. */
            EXPIRED
        }
    }

    /**
     * One presentation of a code, as the core hands it to {@link LatchStore#open(OpenRequest)}.
     * The core never sends the clear code: it sends the keyed digests of the canonical forms the
     * input can have (case-folded Crockford/numeric and exact base64url), and the set of kinds the
     * input is well-formed for. An empty set means the input was malformed and only counts as a
     * failure.
     *
     * <pre>{@code
     * OpenResult result = store.open(request);
     * }</pre>
     *
     * @param latchId           the latch
     * @param subject           who presents the code
     * @param foldedDigest      digest of the case-folded form (numeric and base32 codes), or null
     * @param exactDigest       digest of the exact form (opaque codes), or null
     * @param kinds             kinds the input is well-formed for; empty when malformed
     * @param request           SHA-256 of the request the caller presents the code for, or null
     * @param source            the canonical source address, or null
     * @param conditionsCleared true when the core has checked the record's conditions
     * @param now               the injected clock's time
     * @param lockout           the lockout rules to apply on failure
     * @param previousFolded    the folded form's digest under the previous pepper while peppers
     *                          rotate, or null: a stored digest matching it matches as well
     * @param previousExact     the exact form's digest under the previous pepper, or null
     *
     * <p>{@code toString} leaves out the digests. Thread-safe: immutable.
     */
    public record OpenRequest(String latchId, String subject, byte[] foldedDigest, byte[] exactDigest,
                              Set<CodeFormat.Kind> kinds, byte[] request, String source, boolean conditionsCleared,
                              Instant now, LockoutPolicy lockout, byte[] previousFolded, byte[] previousExact) {
        /** Validates. */
        public OpenRequest {
            Names.required(latchId, "latchId");
            Names.required(subject, "subject");
            Names.required(now, "now");
            Names.required(lockout, "lockout");
            kinds = Set.copyOf(kinds);
        }

        /**
         * A presentation without digests under a previous pepper.
         *
         * @param latchId           the latch
         * @param subject           who presents the code
         * @param foldedDigest      digest of the case-folded form, or null
         * @param exactDigest       digest of the exact form, or null
         * @param kinds             kinds the input is well-formed for
         * @param request           SHA-256 of the bound request, or null
         * @param source            the canonical source address, or null
         * @param conditionsCleared true when the core has checked the record's conditions
         * @param now               the time
         * @param lockout           the lockout rules
         */
        public OpenRequest(String latchId, String subject, byte[] foldedDigest, byte[] exactDigest,
                           Set<CodeFormat.Kind> kinds, byte[] request, String source, boolean conditionsCleared,
                           Instant now, LockoutPolicy lockout) {
            this(latchId, subject, foldedDigest, exactDigest, kinds, request, source, conditionsCleared, now, lockout,
                    null, null);
        }

        /**
         * @param kind the kind of the stored code
         * @return the digest to compare with it, or null when the input is not of that kind
         */
        public byte[] digestFor(CodeFormat.Kind kind) {
            if (!kinds.contains(kind)) {
                return null;
            }
            return kind == CodeFormat.Kind.OPAQUE ? exactDigest : foldedDigest;
        }

        /**
         * @param kind the kind of the stored code
         * @return the digest under the previous pepper to compare with it as well, or null
         */
        public byte[] previousDigestFor(CodeFormat.Kind kind) {
            if (!kinds.contains(kind)) {
                return null;
            }
            return kind == CodeFormat.Kind.OPAQUE ? previousExact : previousFolded;
        }

        /**
         * @return a copy marked as having passed the record's conditions
         */
        public OpenRequest withConditionsCleared() {
            return new OpenRequest(latchId, subject, foldedDigest, exactDigest, kinds, request, source, true, now, lockout,
                    previousFolded, previousExact);
        }

        @Override
        public String toString() {
            return "OpenRequest[latch=" + latchId + ", subject=" + subject + ", kinds=" + kinds + ", source=" + source
                    + ", now=" + now + "]";
        }
    }

    /**
     * What {@link LatchStore#open(OpenRequest)} decided, atomically.
     *
     * <pre>{@code
     * if (result.outcome() == OpenResult.Outcome.OPENED) { ... }
     * }</pre>
     *
     * @param outcome     the decision
     * @param code        the code the presentation met, after the decision, or null when there was none;
     *                    a {@link CodeRecord} or any smaller {@link CodeSummary}
     * @param failures    consecutive failures of the subject on the latch after the decision
     * @param lockedUntil when the current lock ends, or null
     * @param lockedNow   true when this presentation started a lock
     * @param burnedNow   true when this presentation burned the code
     * @param sighting    for an opened latch with a source: whether the source was new for the subject
     *
     * <p>Thread-safe: immutable.
     */
    public record OpenResult(Outcome outcome, CodeSummary code, int failures, Instant lockedUntil, boolean lockedNow,
                             boolean burnedNow, SourceSighting sighting) {

        /**
         * The decision. For example {@code if (result.outcome() == OpenResult.Outcome.OPENED) ...}
         *
         * <p>Thread-safe: enum constants are immutable.
         */
        public enum Outcome {
            /** Matched, valid, consumed one use. */
            OPENED,
            /** No code for this latch and subject (counts as nothing; there is no state to count on). */
            NO_CODE,
            /** The digest did not match (counted). */
            WRONG_CODE,
            /** The input was not of the stored code's kind (counted). */
            MALFORMED,
            /** The latch is locked for the subject (not counted). */
            LOCKED,
            /** The right code, but burned by too many wrong attempts. */
            BURNED,
            /** The right code, expired. */
            EXPIRED,
            /** The right code, before its not-before time. */
            NOT_YET_VALID,
            /** The right code, no uses left. */
            USED,
            /** The right code, revoked. */
            REVOKED,
            /** The right code, bound to another request. */
            REQUEST_MISMATCH,
            /** The right code; the core must check the record's conditions and present again with them cleared. Nothing changed. */
            CONDITIONS_PENDING
        }

        /**
         * Whether a source address was seen before for a subject. For example
         * {@code if (result.sighting() == OpenResult.SourceSighting.NEW) alert();}
         *
         * <p>Thread-safe: enum constants are immutable.
         */
        public enum SourceSighting {
            /** The subject's first recorded source. */
            FIRST,
            /** Seen before. */
            KNOWN,
            /** Not seen before, while others were. */
            NEW
        }
    }

    /**
     * What {@link LatchStore#renew} did.
     *
     * <pre>{@code
     * if (store.renew(id, newExpiry, now).outcome() == RenewResult.Outcome.RENEWED) { ... }
     * }</pre>
     *
     * @param outcome the decision
     * @param record  the record after it, or null when unknown
     *
     * <p>Thread-safe: immutable.
     */
    public record RenewResult(Outcome outcome, CodeRecord record) {
        /**
         * The decision. For example {@code if (result.outcome() == RenewResult.Outcome.RENEWED) ...}
         *
         * <p>Thread-safe: enum constants are immutable.
         */
        public enum Outcome {
            /** Extended. */
            RENEWED,
            /** No such code (or it was replaced). */
            NOT_FOUND,
            /** Used, revoked or burned: never renewed. */
            NOT_PENDING,
            /** Already expired. */
            EXPIRED,
            /** Its policy allows no more renewals. */
            NO_RENEWALS_LEFT
        }
    }
}
