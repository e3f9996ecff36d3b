package dev.latch.spi;

import dev.latch.RateLimit;

import java.time.Instant;
import java.util.Optional;

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
 * to make room: it throws {@link dev.latch.StoreFullException} instead. Any other failure is a
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
     * @throws dev.latch.StoreFullException when full
     */
    void putKey(KeyRecord key);

    /**
     * @param keyId a key id
     * @return the key
     */
    Optional<KeyRecord> findKey(String keyId);

    /**
     * Compares the digest in constant time, checks state and lifetime, and records the use.
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
     * @throws dev.latch.StoreFullException when full
     */
    boolean putOnce(String key, Instant expiresAt, Instant now);

    /**
     * Sets a small marker value until {@code expiresAt} (revoked token ids, stored policies).
     *
     * @param key       the key, namespaced by the caller
     * @param value     the value, at most 4096 characters
     * @param expiresAt when it may be forgotten
     * @param now       the time
     * @throws dev.latch.StoreFullException when full
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
     * @throws dev.latch.StoreFullException when full
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
     * @throws dev.latch.StoreFullException when a new record does not fit
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
        /** Validates. */
        public Claim {
            Names.required(work, "work");
        }
    }

    /**
     * Adds an item, or replaces the item with the same id (its claim, if any, is dropped).
     *
     * @param work the item
     * @param now  the time
     * @throws dev.latch.StoreFullException when it does not fit
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
}
