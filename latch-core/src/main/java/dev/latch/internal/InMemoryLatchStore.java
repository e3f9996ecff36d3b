package dev.latch.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.latch.CodeInfo;
import dev.latch.LatchStoreException;
import dev.latch.LockoutPolicy;
import dev.latch.RateLimit;
import dev.latch.StaticKeyInfo;
import dev.latch.StoreFullException;
import dev.latch.spi.CodeRecord;
import dev.latch.spi.CounterRequest;
import dev.latch.spi.CounterResult;
import dev.latch.spi.IssueResult;
import dev.latch.spi.KeyRecord;
import dev.latch.spi.KeyResult;
import dev.latch.spi.LatchStore;
import dev.latch.spi.OpenRequest;
import dev.latch.spi.OpenResult;
import dev.latch.spi.RenewResult;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The embedded {@link LatchStore}: one Caffeine entry per latch and subject holds the pending
 * code, the failure count and the lock, so every decision is one atomic {@code compute}.
 *
 * <p>Entries expire (Caffeine's own clock) only when nothing in them can matter any more: an
 * hour after the code's expiry, after the lock ends and after the failures are forgotten.
 * Because the caller's clock decides validity, an entry kept longer is harmless. There is no
 * size-based eviction: at {@code maxEntries} new entries are refused with
 * {@link StoreFullException}, so a flood can never evict a lockout or a consumed code.
 */
public final class InMemoryLatchStore implements LatchStore {
    /** How long a finished code is kept so its holder hears USED or EXPIRED rather than WRONG_CODE. */
    static final Duration TOMBSTONE = Duration.ofHours(1);
    private static final int MAX_SOURCES = 32;

    /** Security state of one latch and subject. Immutable; replaced in {@code compute}. */
    record Slot(CodeRecord code, int failures, Instant lastFailure, Instant lockedUntil, Instant forgetAt,
                Instant writtenAt, long nextCounter) {
        Slot withCode(CodeRecord c, Instant now) {
            return new Slot(c, failures, lastFailure, lockedUntil, forgetAt, now, nextCounter);
        }

        Slot failed(int f, Instant now, Instant lockUntil, Instant forget) {
            return new Slot(code, f, now, lockUntil, forget, now, nextCounter);
        }

        Slot succeeded(CodeRecord c, long counter, Instant now) {
            return new Slot(c, 0, null, null, null, now, counter);
        }

        Instant retainUntil() {
            Instant keep = writtenAt;
            if (code != null) {
                keep = max(keep, code.expiresAt().compareTo(CodeRecord.NEVER) >= 0 ? CodeRecord.NEVER
                        : code.expiresAt().plus(TOMBSTONE));
            }
            if (lockedUntil != null) {
                keep = max(keep, lockedUntil);
            }
            if (failures > 0 && forgetAt != null) {
                keep = max(keep, forgetAt);
            }
            if (nextCounter >= 0) {
                keep = CodeRecord.NEVER; // a replay guard is kept for as long as the authenticator may be used
            }
            return keep;
        }
    }

    private final int maxEntries;
    private final Cache<String, Slot> slots;
    private final ConcurrentMap<String, String> slotByCodeId = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, KeyRecord> keys = new ConcurrentHashMap<>();
    private final Cache<String, long[]> issueTimes;
    private final Cache<String, Set<String>> sources;
    private final Cache<String, Marker> markers;

    /**
     * @param maxEntries the bound on live codes and keys, at least 1
     */
    public InMemoryLatchStore(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.slots = Caffeine.newBuilder()
                .executor(Runnable::run)
                .expireAfter(new Expiry<String, Slot>() {
                    @Override
                    public long expireAfterCreate(String key, Slot slot, long currentTime) {
                        return nanosToKeep(slot);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Slot slot, long currentTime, long currentDuration) {
                        return nanosToKeep(slot);
                    }

                    @Override
                    public long expireAfterRead(String key, Slot slot, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .removalListener((String key, Slot slot, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (slot != null && slot.code() != null && cause.wasEvicted()) {
                        slotByCodeId.remove(slot.code().codeId(), key);
                    }
                })
                .build();
        // Rate-limit windows are at most one day; losing one early only makes the limit stricter
        // for nobody (it can only forget issues, never invent them), so a size bound is safe here.
        this.issueTimes = Caffeine.newBuilder().executor(Runnable::run).expireAfterWrite(Duration.ofDays(1))
                .maximumSize(Math.max(1024, maxEntries)).build();
        // Markers (replay caches, revocations) live until their own expiry; never evicted for size.
        this.markers = Caffeine.newBuilder()
                .executor(Runnable::run)
                .expireAfter(new Expiry<String, Marker>() {
                    @Override
                    public long expireAfterCreate(String key, Marker m, long currentTime) {
                        return nanosBetween(m.writtenAt(), m.expiresAt());
                    }

                    @Override
                    public long expireAfterUpdate(String key, Marker m, long currentTime, long currentDuration) {
                        return nanosBetween(m.writtenAt(), m.expiresAt());
                    }

                    @Override
                    public long expireAfterRead(String key, Marker m, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
        // Seen sources feed alerts only; forgetting one means one extra alert.
        this.sources = Caffeine.newBuilder().executor(Runnable::run).expireAfterAccess(Duration.ofDays(90))
                .maximumSize(Math.max(1024, maxEntries)).build();
    }

    private static long nanosToKeep(Slot slot) {
        return nanosBetween(slot.writtenAt(), slot.retainUntil());
    }

    private static long nanosBetween(Instant from, Instant to) {
        // Kept a minute past the caller's expiry, so the store's own clock never forgets early.
        Duration keep = Duration.between(from, to).plusMinutes(1);
        if (keep.isNegative()) {
            return 0;
        }
        return keep.compareTo(Duration.ofDays(365L * 200)) > 0 ? Long.MAX_VALUE : keep.toNanos();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    static String slotKey(String latchId, String subject) {
        return latchId + '\u0000' + subject;
    }

    private long liveEntries() {
        return slots.estimatedSize() + keys.size() + markers.estimatedSize();
    }

    /**
     * Refuses a new entry when the store is full. Checked before the atomic step, never inside
     * it (maintenance must not run under a map lock), so concurrent writers may each add one
     * entry past the bound.
     */
    private <V> void ensureRoomFor(Cache<String, V> cache, String key) {
        if (cache.getIfPresent(key) == null) {
            ensureRoom();
        }
    }

    private void ensureRoom() {
        if (liveEntries() >= maxEntries) {
            slots.cleanUp();
            markers.cleanUp();
            if (liveEntries() >= maxEntries) {
                throw new StoreFullException("in-memory latch store is full (" + maxEntries
                        + " live entries); it never evicts live codes, lockouts or keys");
            }
        }
    }

    @Override
    public IssueResult issue(CodeRecord code, RateLimit limit, Instant now) {
        if (limit != null && !takeIssueSlot(code.subject(), limit, now)) {
            return IssueResult.rateLimited();
        }
        String key = slotKey(code.latchId(), code.subject());
        ensureRoomFor(slots, key);
        AtomicReference<String> replaced = new AtomicReference<>();
        slots.asMap().compute(key, (k, slot) -> {
            if (slot == null) {
                slotByCodeId.put(code.codeId(), k);
                return new Slot(code, 0, null, null, null, now, -1);
            }
            CodeRecord old = slot.code();
            if (old != null) {
                if (old.state() == CodeInfo.State.PENDING) {
                    replaced.set(old.codeId());
                }
                slotByCodeId.remove(old.codeId(), k);
            }
            slotByCodeId.put(code.codeId(), k);
            return slot.withCode(code, now);
        });
        return new IssueResult(true, replaced.get());
    }

    private boolean takeIssueSlot(String subject, RateLimit limit, Instant now) {
        long nowMs = now.toEpochMilli();
        long windowStart = nowMs - limit.window().toMillis();
        boolean[] taken = {false};
        issueTimes.asMap().compute(subject, (s, times) -> {
            long[] kept = times == null ? new long[0]
                    : java.util.Arrays.stream(times).filter(t -> t > windowStart && t <= nowMs).toArray();
            if (kept.length >= limit.count()) {
                return kept;
            }
            long[] next = java.util.Arrays.copyOf(kept, kept.length + 1);
            next[kept.length] = nowMs;
            taken[0] = true;
            return next;
        });
        return taken[0];
    }

    @Override
    public OpenResult open(OpenRequest request) {
        String key = slotKey(request.latchId(), request.subject());
        AtomicReference<OpenResult> result = new AtomicReference<>();
        slots.asMap().computeIfPresent(key, (k, slot) -> {
            Decision d = decide(slot, request);
            result.set(d.result);
            return d.slot;
        });
        OpenResult r = result.get();
        if (r == null) {
            return new OpenResult(OpenResult.Outcome.NO_CODE, null, 0, null, false, false, null);
        }
        if (r.outcome() == OpenResult.Outcome.OPENED && request.source() != null) {
            r = new OpenResult(r.outcome(), r.record(), r.failures(), r.lockedUntil(), r.lockedNow(), r.burnedNow(),
                    sight(request.subject(), request.source()));
        }
        return r;
    }

    private OpenResult.SourceSighting sight(String subject, String source) {
        AtomicReference<OpenResult.SourceSighting> sighting = new AtomicReference<>();
        sources.asMap().compute(subject, (s, seen) -> {
            if (seen == null) {
                sighting.set(OpenResult.SourceSighting.FIRST);
                return Set.of(source);
            }
            if (seen.contains(source)) {
                sighting.set(OpenResult.SourceSighting.KNOWN);
                return seen;
            }
            sighting.set(OpenResult.SourceSighting.NEW);
            LinkedHashSet<String> next = new LinkedHashSet<>(seen);
            next.add(source);
            while (next.size() > MAX_SOURCES) {
                next.remove(next.iterator().next());
            }
            return next;
        });
        return sighting.get();
    }

    private record Decision(Slot slot, OpenResult result) {
    }

    /** The whole open decision, on one slot. Pure: returns the new slot and the result. */
    static Decision decide(Slot slot, OpenRequest r) {
        Instant now = r.now();
        LockoutPolicy lockout = r.lockout();
        int failures = slot.failures();
        if (failures > 0 && slot.forgetAt() != null && !now.isBefore(slot.forgetAt())) {
            failures = 0;
        }
        if (slot.lockedUntil() != null && now.isBefore(slot.lockedUntil())) {
            return new Decision(slot, new OpenResult(OpenResult.Outcome.LOCKED, slot.code(), failures,
                    slot.lockedUntil(), false, false, null));
        }
        CodeRecord code = slot.code();
        if (code == null) {
            return new Decision(slot, new OpenResult(OpenResult.Outcome.NO_CODE, null, failures, null, false, false, null));
        }
        byte[] presented = r.digestFor(code.kind());
        int match = -1;
        if (presented != null) {
            for (int i = 0; i < code.digests().size(); i++) {
                boolean eq = MessageDigest.isEqual(presented, code.digests().get(i));
                match = eq && match < 0 ? i : match;
            }
        }
        if (match < 0) {
            OpenResult.Outcome outcome = presented == null ? OpenResult.Outcome.MALFORMED : OpenResult.Outcome.WRONG_CODE;
            CodeRecord next = code;
            boolean burnedNow = false;
            if (code.state() == CodeInfo.State.PENDING && code.attemptsLeft() != Integer.MAX_VALUE) {
                next = code.withAttemptsLeft(code.attemptsLeft() - 1);
                burnedNow = next.state() == CodeInfo.State.BURNED;
            }
            int f = failures + 1;
            Instant lockUntil = lockout.lockUntil(f, now);
            Slot s = slot.withCode(next, now).failed(f, now, lockUntil, now.plus(lockout.failureMemory()));
            return new Decision(s, new OpenResult(outcome, next, f, lockUntil, lockUntil != null, burnedNow, null));
        }
        OpenResult.Outcome refusal = null;
        if (code.state() == CodeInfo.State.BURNED) {
            refusal = OpenResult.Outcome.BURNED;
        } else if (code.state() == CodeInfo.State.REVOKED) {
            refusal = OpenResult.Outcome.REVOKED;
        } else if (code.state() == CodeInfo.State.CONSUMED || code.usesLeft() <= 0 || code.slotUsed(match)) {
            refusal = OpenResult.Outcome.USED;
        } else if (now.isBefore(code.notBefore())) {
            refusal = OpenResult.Outcome.NOT_YET_VALID;
        } else if (!now.isBefore(code.expiresAt())) {
            refusal = OpenResult.Outcome.EXPIRED;
        } else if (code.request() != null && (r.request() == null || !MessageDigest.isEqual(code.request(), r.request()))) {
            refusal = OpenResult.Outcome.REQUEST_MISMATCH;
        } else if (!code.conditions().isEmpty() && !r.conditionsCleared()) {
            refusal = OpenResult.Outcome.CONDITIONS_PENDING;
        }
        if (refusal != null) {
            return new Decision(slot, new OpenResult(refusal, code, failures, null, false, false, null));
        }
        CodeRecord consumed = code.consume(match);
        Slot s = slot.succeeded(consumed, slot.nextCounter(), now);
        return new Decision(s, new OpenResult(OpenResult.Outcome.OPENED, consumed, 0, null, false, false, null));
    }

    @Override
    public Optional<CodeRecord> find(String codeId) {
        String key = slotKey(codeId);
        if (key == null) {
            return Optional.empty();
        }
        Slot slot = slots.getIfPresent(key);
        return slot == null || slot.code() == null || !slot.code().codeId().equals(codeId)
                ? Optional.empty() : Optional.of(slot.code());
    }

    private String slotKey(String codeId) {
        return codeId == null ? null : slotByCodeId.get(codeId);
    }

    @Override
    public boolean revoke(String codeId, Instant now) {
        String key = slotKey(codeId);
        return key != null && revokeIn(key, codeId, now);
    }

    private boolean revokeIn(String key, String codeId, Instant now) {
        boolean[] done = {false};
        slots.asMap().computeIfPresent(key, (k, slot) -> {
            CodeRecord code = slot.code();
            if (code == null || code.state() != CodeInfo.State.PENDING
                    || (codeId != null && !code.codeId().equals(codeId))) {
                return slot;
            }
            done[0] = true;
            return slot.withCode(code.withState(CodeInfo.State.REVOKED), now);
        });
        return done[0];
    }

    @Override
    public int revokeLatch(String latchId, Instant now) {
        String prefix = latchId + '\u0000';
        AtomicInteger n = new AtomicInteger();
        for (String key : slots.asMap().keySet()) {
            if (key.startsWith(prefix) && revokeIn(key, null, now)) {
                n.incrementAndGet();
            }
        }
        return n.get();
    }

    @Override
    public int revokeSubject(String subject, Instant now) {
        String suffix = '\u0000' + subject;
        AtomicInteger n = new AtomicInteger();
        for (String key : slots.asMap().keySet()) {
            if (key.endsWith(suffix) && key.indexOf('\u0000') == key.length() - suffix.length()
                    && revokeIn(key, null, now)) {
                n.incrementAndGet();
            }
        }
        return n.get();
    }

    @Override
    public RenewResult renew(String codeId, Instant newExpiry, Instant now) {
        String key = slotKey(codeId);
        if (key == null) {
            return new RenewResult(RenewResult.Outcome.NOT_FOUND, null);
        }
        AtomicReference<RenewResult> result = new AtomicReference<>(new RenewResult(RenewResult.Outcome.NOT_FOUND, null));
        slots.asMap().computeIfPresent(key, (k, slot) -> {
            CodeRecord code = slot.code();
            if (code == null || !code.codeId().equals(codeId)) {
                return slot;
            }
            if (code.state() != CodeInfo.State.PENDING) {
                result.set(new RenewResult(RenewResult.Outcome.NOT_PENDING, code));
                return slot;
            }
            if (!now.isBefore(code.expiresAt())) {
                result.set(new RenewResult(RenewResult.Outcome.EXPIRED, code));
                return slot;
            }
            if (code.renewalsLeft() <= 0) {
                result.set(new RenewResult(RenewResult.Outcome.NO_RENEWALS_LEFT, code));
                return slot;
            }
            CodeRecord renewed = code.renew(now, newExpiry);
            result.set(new RenewResult(RenewResult.Outcome.RENEWED, renewed));
            return slot.withCode(renewed, now);
        });
        return result.get();
    }

    @Override
    public CounterResult acceptCounter(CounterRequest r) {
        Instant now = r.now();
        AtomicReference<CounterResult> result = new AtomicReference<>();
        String key = slotKey(r.latchId(), r.subject());
        ensureRoomFor(slots, key);
        slots.asMap().compute(key, (k, existing) -> {
            Slot slot = existing;
            if (slot == null) {
                slot = new Slot(null, 0, null, null, null, now, -1);
            }
            int failures = slot.failures();
            if (failures > 0 && slot.forgetAt() != null && !now.isBefore(slot.forgetAt())) {
                failures = 0;
            }
            if (slot.lockedUntil() != null && now.isBefore(slot.lockedUntil())) {
                result.set(new CounterResult(CounterResult.Outcome.LOCKED, -1, failures, slot.lockedUntil(), false));
                return existing == null ? null : slot;
            }
            if (!r.wellFormed() || r.matches().length == 0) {
                int f = failures + 1;
                Instant lockUntil = r.lockout().lockUntil(f, now);
                result.set(new CounterResult(r.wellFormed() ? CounterResult.Outcome.WRONG_CODE
                        : CounterResult.Outcome.MALFORMED, -1, f, lockUntil, lockUntil != null));
                return slot.failed(f, now, lockUntil, now.plus(r.lockout().failureMemory()));
            }
            long next = Math.max(slot.nextCounter(), 0);
            for (long m : r.matches()) {
                if (m >= next) {
                    result.set(new CounterResult(CounterResult.Outcome.ACCEPTED, m, 0, null, false));
                    return slot.succeeded(slot.code(), m + 1, now);
                }
            }
            result.set(new CounterResult(CounterResult.Outcome.REPLAYED, -1, failures, null, false));
            return existing == null ? null : slot;
        });
        return result.get();
    }

    @Override
    public OptionalLong nextCounter(String latchId, String subject) {
        Slot slot = slots.getIfPresent(slotKey(latchId, subject));
        return slot == null || slot.nextCounter() < 0 ? OptionalLong.empty() : OptionalLong.of(slot.nextCounter());
    }

    /** A marker and when it may be forgotten. */
    record Marker(String value, Instant expiresAt, Instant writtenAt) {
    }

    @Override
    public boolean putOnce(String key, Instant expiresAt, Instant now) {
        boolean[] first = {false};
        ensureRoomFor(markers, key);
        markers.asMap().compute(key, (k, m) -> {
            if (m != null && now.isBefore(m.expiresAt())) {
                return m;
            }
            first[0] = true;
            return new Marker("", expiresAt, now);
        });
        return first[0];
    }

    @Override
    public void putMarker(String key, String value, Instant expiresAt, Instant now) {
        if (value.length() > 256) {
            throw new IllegalArgumentException("marker values are at most 256 characters");
        }
        ensureRoomFor(markers, key);
        markers.put(key, new Marker(value, expiresAt, now));
    }

    @Override
    public Optional<String> getMarker(String key, Instant now) {
        Marker m = markers.getIfPresent(key);
        return m == null || !now.isBefore(m.expiresAt()) ? Optional.empty() : Optional.of(m.value());
    }

    @Override
    public void putKey(KeyRecord key) {
        ensureRoom();
        if (keys.putIfAbsent(key.keyId(), key) != null) {
            throw new LatchStoreException("a key with id " + key.keyId() + " already exists");
        }
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        return keyId == null ? Optional.empty() : Optional.ofNullable(keys.get(keyId));
    }

    @Override
    public KeyResult useKey(String keyId, byte[] digest, Instant now, String source) {
        AtomicReference<KeyResult> result = new AtomicReference<>(new KeyResult(KeyResult.Outcome.NO_KEY, null));
        keys.computeIfPresent(keyId, (id, key) -> {
            if (!MessageDigest.isEqual(key.digest(), digest)) {
                result.set(new KeyResult(KeyResult.Outcome.WRONG_SECRET, key));
                return key;
            }
            if (key.state() == StaticKeyInfo.State.REVOKED) {
                result.set(new KeyResult(KeyResult.Outcome.REVOKED, key));
                return key;
            }
            if ((key.expiresAt() != null && !now.isBefore(key.expiresAt()))
                    || (key.validUntil() != null && !now.isBefore(key.validUntil()))) {
                result.set(new KeyResult(KeyResult.Outcome.EXPIRED, key));
                return key;
            }
            KeyRecord used = key.used(now, source);
            result.set(new KeyResult(KeyResult.Outcome.OK, used));
            return used;
        });
        return result.get();
    }

    @Override
    public Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now) {
        AtomicReference<KeyRecord> result = new AtomicReference<>();
        keys.computeIfPresent(keyId, (id, key) -> {
            if (key.state() != StaticKeyInfo.State.ACTIVE) {
                return key;
            }
            KeyRecord rotated = key.rotated(validUntil, successorId);
            result.set(rotated);
            return rotated;
        });
        return Optional.ofNullable(result.get());
    }

    @Override
    public boolean revokeKey(String keyId, Instant now) {
        boolean[] done = {false};
        keys.computeIfPresent(keyId, (id, key) -> {
            if (key.state() == StaticKeyInfo.State.REVOKED) {
                return key;
            }
            done[0] = true;
            return key.revoked();
        });
        return done[0];
    }

    /** @return live entries (approximate), for tests and monitoring */
    public long size() {
        slots.cleanUp();
        markers.cleanUp();
        return liveEntries();
    }

    @Override
    public String toString() {
        return "InMemoryLatchStore[max=" + maxEntries + ", size≈" + (liveEntries()) + "]";
    }
}
