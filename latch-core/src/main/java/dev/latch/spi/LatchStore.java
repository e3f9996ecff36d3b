package dev.latch.spi;

import dev.latch.RateLimit;
import dev.latch.internal.InMemoryLatchStore;

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
 *         .store(LatchStore.inMemory(500_000))
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

    /** The default bound of {@link #inMemory()}. */
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

    /**
     * @return the embedded in-memory store, bounded at {@value #DEFAULT_MAX_ENTRIES} entries
     */
    static LatchStore inMemory() {
        return inMemory(DEFAULT_MAX_ENTRIES);
    }

    /**
     * The embedded store: slots in hash tables of its own, forgotten by a sweep on the callers'
     * clock once nothing in them matters (within about twenty minutes of store time after that,
     * never before), markers and trigger windows in Caffeine caches; it never evicts live
     * security state, and when {@code maxEntries} live entries are held, new codes and keys are
     * refused with {@link dev.latch.StoreFullException}. State is per process: use a shared
     * store (such as latch-redis) when several instances check the same codes.
     *
     * @param maxEntries the bound, at least 1
     * @return a new store
     */
    static LatchStore inMemory(int maxEntries) {
        return new InMemoryLatchStore(maxEntries);
    }
}
