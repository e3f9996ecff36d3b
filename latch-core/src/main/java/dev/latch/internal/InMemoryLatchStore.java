package dev.latch.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.latch.CodeInfo;
import dev.latch.LatchStoreException;
import dev.latch.LockoutPolicy;
import dev.latch.RateLimit;
import dev.latch.StaticKeyInfo;
import dev.latch.StoreFullException;
import dev.latch.spi.CodeRecord;
import dev.latch.spi.CounterRequest;
import dev.latch.spi.CounterResult;
import dev.latch.spi.EventCount;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The embedded {@link LatchStore}: one Caffeine entry per latch and subject holds a slot with
 * the pending code, the failure count, the lock and the OTP counter; every decision runs under
 * that slot's monitor, so it is atomic, and opening a code is a Caffeine read, not a write.
 *
 * <p>Entries expire (Caffeine's own clock) only when nothing in them can matter any more: an
 * hour after the code's expiry, after the lock ends and after the failures are forgotten.
 * Because the caller's clock decides validity, an entry kept longer is harmless. There is no
 * size-based eviction: at {@code maxEntries} new entries are refused with
 * {@link StoreFullException}, so a flood can never evict a lockout or a consumed code.
 *
 * <p>Thread-safe: every decision runs under the monitor of its slot (or key holder), and
 * Caffeine and {@code ConcurrentHashMap} hold them.
 */
public final class InMemoryLatchStore implements LatchStore {
    /** How long a finished code is kept so its holder hears USED or EXPIRED rather than WRONG_CODE. */
    static final Duration TOMBSTONE = Duration.ofHours(1);
    private static final int MAX_SOURCES = 32;

    /**
     * Security state of one latch and subject: the pending code, the failure count, the lock and
     * the OTP counter. Mutable, and every read or change happens under its own monitor, so each
     * decision is atomic; Caffeine only holds it and expires it.
     */
    static final class Slot {
        CodeRecord code;
        int failures;
        Instant lastFailure;
        Instant lockedUntil;
        Instant forgetAt;
        Instant writtenAt;
        long nextCounter = -1;

        Slot(Instant now) {
            this.writtenAt = now;
        }

        synchronized Instant retainUntil() {
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

        synchronized Instant writtenAt() {
            return writtenAt;
        }

        /** Failures, after forgetting those older than the failure memory. */
        int failures(Instant now) {
            if (failures > 0 && forgetAt != null && !now.isBefore(forgetAt)) {
                failures = 0;
            }
            return failures;
        }

        /** Counts a failure and applies the lockout; returns the lock end or null. */
        Instant fail(Instant now, LockoutPolicy lockout) {
            failures = failures(now) + 1;
            lastFailure = now;
            lockedUntil = lockout.lockUntil(failures, now);
            forgetAt = now.plus(lockout.failureMemory());
            writtenAt = now;
            return lockedUntil;
        }

        void succeed(Instant now) {
            failures = 0;
            lastFailure = null;
            lockedUntil = null;
            forgetAt = null;
            writtenAt = now;
        }
    }

    /**
     * Caffeine's clock: the latest time a caller passed in, in nanoseconds. Entries expire by the
     * injected clock's time, like every decision, and a cache read costs a volatile read instead
     * of a {@code System.nanoTime()} call (30-40 ns on a VM). It only moves forward: a caller
     * whose clock runs behind sees entries kept longer, never shorter, than its own clock needs,
     * within the 60 s every retention adds.
     */
    private volatile long tick;
    private final Ticker ticker = () -> tick;

    private void observe(Instant now) {
        long seconds = Math.min(now.getEpochSecond(), 9_000_000_000L); // nanoseconds fit a long until 2255
        long nanos = seconds * 1_000_000_000L + now.getNano();
        // Moved in steps of at least a second: every caller writing the shared field on every call
        // made the cores fight over its cache line (2 threads opened at 1.08x the rate of one).
        // An entry's deadline may so be up to a second off, and every deadline lies 60 s past
        // the last moment its entry matters (nanosBetween, windowNanos): never dropped early.
        if (nanos - tick >= 1_000_000_000L) {
            tick = nanos; // a racing lower write only delays expiry a little
        }
    }

    private final int maxEntries;
    private final Cache<SlotKey, Slot> slots;
    private final Policy.VarExpiration<SlotKey, Slot> slotExpiry;
    private final ConcurrentMap<String, SlotKey> slotByCodeId = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, KeyHolder> keys = new ConcurrentHashMap<>();
    private final Cache<String, long[]> issueTimes;
    private final Cache<String, Set<String>> sources;
    private final Cache<String, Marker> markers;
    private final Cache<String, EventWindow> events;

    /**
     * @param maxEntries the bound on live codes and keys, at least 1
     */
    public InMemoryLatchStore(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.slots = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .expireAfter(new Expiry<SlotKey, Slot>() {
                    @Override
                    public long expireAfterCreate(SlotKey key, Slot slot, long currentTime) {
                        return nanosToKeep(slot);
                    }

                    @Override
                    public long expireAfterUpdate(SlotKey key, Slot slot, long currentTime, long currentDuration) {
                        return nanosToKeep(slot);
                    }

                    @Override
                    public long expireAfterRead(SlotKey key, Slot slot, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .removalListener((SlotKey key, Slot slot, RemovalCause cause) -> {
                    if (slot != null && cause.wasEvicted()) {
                        CodeRecord code;
                        synchronized (slot) {
                            code = slot.code;
                        }
                        if (code != null) {
                            slotByCodeId.remove(code.codeId(), key);
                        }
                    }
                })
                .build();
        this.slotExpiry = slots.policy().expireVariably().orElseThrow();
        // Rate-limit windows are security state too: never evicted for size (that would forget
        // issues and loosen a subject's limit); each expires when its newest issue has left the
        // window, and they count towards maxEntries.
        this.issueTimes = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .expireAfter(new Expiry<String, long[]>() {
                    @Override
                    public long expireAfterCreate(String key, long[] w, long currentTime) {
                        return windowNanos(w);
                    }

                    @Override
                    public long expireAfterUpdate(String key, long[] w, long currentTime, long currentDuration) {
                        return windowNanos(w);
                    }

                    @Override
                    public long expireAfterRead(String key, long[] w, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
        // Markers (replay caches, revocations) live until their own expiry; never evicted for size.
        this.markers = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
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
        // Trigger windows are bounded per key (threshold times) and, like markers, never evicted for size.
        this.events = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .expireAfter(new Expiry<String, EventWindow>() {
                    @Override
                    public long expireAfterCreate(String key, EventWindow w, long currentTime) {
                        return nanosBetween(w.writtenAt, w.keepUntil);
                    }

                    @Override
                    public long expireAfterUpdate(String key, EventWindow w, long currentTime, long currentDuration) {
                        return nanosBetween(w.writtenAt, w.keepUntil);
                    }

                    @Override
                    public long expireAfterRead(String key, EventWindow w, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
        // Seen sources feed alerts only; forgetting one means one extra alert.
        this.sources = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run).expireAfterAccess(Duration.ofDays(90))
                .maximumSize(Math.max(1024, maxEntries)).build();
    }

    private static long nanosToKeep(Slot slot) {
        return nanosBetween(slot.writtenAt(), slot.retainUntil());
    }

    /** Kept a minute past the caller's expiry, so the store's own clock never forgets early. */
    private static long nanosBetween(Instant from, Instant to) {
        // Whole seconds, and no Duration arithmetic: Duration.between throws (and catches) an
        // ArithmeticException internally when the nanoseconds overflow, as they do for NEVER.
        long seconds = to.getEpochSecond() - from.getEpochSecond() + 60;
        if (seconds <= 0) {
            return 0;
        }
        return seconds >= 200L * 365 * 24 * 3600 ? Long.MAX_VALUE : seconds * 1_000_000_000L;
    }

    /** After a change that may keep a slot longer (a failure, a lock, a counter), tell Caffeine. */
    private void retain(SlotKey key, Slot slot) {
        slotExpiry.setExpiresAfter(key, nanosToKeep(slot), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * A slot's key: a latch and a subject. Two references instead of a concatenated string: no
     * copy and no hash to compute per lookup (both strings cache theirs), 24 bytes per live slot
     * instead of about 64.
     */
    record SlotKey(String latchId, String subject) {
    }

    static SlotKey slotKey(String latchId, String subject) {
        return new SlotKey(latchId, subject);
    }

    private long liveEntries() {
        return slots.estimatedSize() + keys.size() + markers.estimatedSize() + issueTimes.estimatedSize()
                + events.estimatedSize();
    }

    /**
     * Refuses a new entry when the store is full. Checked before the atomic step, never inside
     * it (maintenance must not run under a map lock), so concurrent writers may each add one
     * entry past the bound.
     */
    private <K, V> void ensureRoomFor(Cache<K, V> cache, K key) {
        if (cache.getIfPresent(key) == null) {
            ensureRoom();
        }
    }

    private void ensureRoom() {
        if (liveEntries() >= maxEntries) {
            slots.cleanUp();
            markers.cleanUp();
            issueTimes.cleanUp();
            events.cleanUp();
            if (liveEntries() >= maxEntries) {
                throw new StoreFullException("in-memory latch store is full (" + maxEntries
                        + " live entries); it never evicts live codes, lockouts or keys");
            }
        }
    }

    /** The slot of a key, created atomically when absent. */
    private Slot slotFor(SlotKey key, Instant now) {
        Slot slot = slots.getIfPresent(key);
        if (slot != null) {
            return slot;
        }
        ensureRoom();
        return slots.get(key, k -> new Slot(now));
    }

    @Override
    public IssueResult issue(CodeRecord code, RateLimit limit, Instant now) {
        observe(now);
        if (limit != null && !takeIssueSlot(code.subject(), limit, now)) {
            return IssueResult.rateLimited();
        }
        SlotKey key = slotKey(code.latchId(), code.subject());
        while (true) {
            Slot slot = slotFor(key, now);
            String replaced = issueInto(slot, key, code, now);
            retain(key, slot);
            if (slots.asMap().get(key) == slot) {
                return new IssueResult(true, replaced);
            }
            // The slot expired between lookup and write (its retention had just ended): redo it.
            slotByCodeId.remove(code.codeId(), key);
        }
    }

    private String issueInto(Slot slot, SlotKey key, CodeRecord code, Instant now) {
        String replaced = null;
        synchronized (slot) {
            CodeRecord old = slot.code;
            if (old != null) {
                if (old.state() == CodeInfo.State.PENDING) {
                    replaced = old.codeId();
                }
                slotByCodeId.remove(old.codeId(), key);
            }
            slotByCodeId.put(code.codeId(), key);
            slot.code = code;
            slot.writtenAt = now;
        }
        return replaced;
    }

    /** A window array is {windowMillis, issue times...}; it is kept for one window after its newest issue. */
    private static long windowNanos(long[] w) {
        return (w[0] + 60_000L) * 1_000_000L;
    }

    private boolean takeIssueSlot(String subject, RateLimit limit, Instant now) {
        long nowMs = now.toEpochMilli();
        long windowMs = limit.window().toMillis();
        long windowStart = nowMs - windowMs;
        ensureRoomFor(issueTimes, subject);
        boolean[] taken = {false};
        issueTimes.asMap().compute(subject, (s, times) -> {
            // Room for the times kept plus this one: sized by what is there, not by the limit
            // (a limit of 1,000 per window made every issue allocate and clear 8 KB).
            int previous = times == null ? 0 : times.length - 1;
            long[] next = new long[Math.min(previous, limit.count()) + 2];
            next[0] = windowMs;
            int kept = 1;
            if (times != null) {
                for (int i = 1; i < times.length; i++) {
                    long t = times[i];
                    if (t > windowStart && t <= nowMs && kept <= limit.count()) {
                        next[kept++] = t;
                    }
                }
            }
            if (kept - 1 < limit.count()) {
                next[kept++] = nowMs;
                taken[0] = true;
            }
            return java.util.Arrays.copyOf(next, kept);
        });
        return taken[0];
    }

    @Override
    public OpenResult open(OpenRequest request) {
        observe(request.now());
        SlotKey key = slotKey(request.latchId(), request.subject());
        Slot slot = slots.getIfPresent(key);
        if (slot == null) {
            return new OpenResult(OpenResult.Outcome.NO_CODE, null, 0, null, false, false, null);
        }
        OpenResult r;
        synchronized (slot) {
            r = decide(slot, request);
        }
        if (r.outcome() == OpenResult.Outcome.WRONG_CODE || r.outcome() == OpenResult.Outcome.MALFORMED) {
            retain(key, slot); // a failure or a lock may keep the slot longer
        }
        if (r.outcome() == OpenResult.Outcome.OPENED && request.source() != null) {
            r = new OpenResult(r.outcome(), r.code(), r.failures(), r.lockedUntil(), r.lockedNow(), r.burnedNow(),
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

    /** The whole open decision on one slot, under its monitor. */
    static OpenResult decide(Slot slot, OpenRequest r) {
        Instant now = r.now();
        int failures = slot.failures(now);
        if (slot.lockedUntil != null && now.isBefore(slot.lockedUntil)) {
            return new OpenResult(OpenResult.Outcome.LOCKED, slot.code, failures, slot.lockedUntil, false, false, null);
        }
        CodeRecord code = slot.code;
        if (code == null) {
            return new OpenResult(OpenResult.Outcome.NO_CODE, null, failures, null, false, false, null);
        }
        byte[] presented = r.digestFor(code.kind());
        int match = -1;
        if (presented != null) {
            List<byte[]> digests = code.digests();
            for (int i = 0; i < digests.size(); i++) {
                boolean eq = MessageDigest.isEqual(presented, digests.get(i));
                match = eq && match < 0 ? i : match;
            }
        }
        if (match < 0) {
            OpenResult.Outcome outcome = presented == null ? OpenResult.Outcome.MALFORMED : OpenResult.Outcome.WRONG_CODE;
            boolean burnedNow = false;
            if (code.state() == CodeInfo.State.PENDING && code.attemptsLeft() != Integer.MAX_VALUE) {
                slot.code = code.withAttemptsLeft(code.attemptsLeft() - 1);
                burnedNow = slot.code.state() == CodeInfo.State.BURNED;
            }
            Instant lockUntil = slot.fail(now, r.lockout());
            return new OpenResult(outcome, slot.code, slot.failures, lockUntil, lockUntil != null, burnedNow, null);
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
            return new OpenResult(refusal, code, failures, null, false, false, null);
        }
        slot.code = code.consume(match);
        slot.succeed(now);
        return new OpenResult(OpenResult.Outcome.OPENED, slot.code, 0, null, false, false, null);
    }

    @Override
    public Optional<CodeRecord> find(String codeId) {
        SlotKey key = slotKey(codeId);
        Slot slot = key == null ? null : slots.getIfPresent(key);
        if (slot == null) {
            return Optional.empty();
        }
        synchronized (slot) {
            return slot.code == null || !slot.code.codeId().equals(codeId) ? Optional.empty() : Optional.of(slot.code);
        }
    }

    private SlotKey slotKey(String codeId) {
        return codeId == null ? null : slotByCodeId.get(codeId);
    }

    @Override
    public boolean revoke(String codeId, Instant now) {
        observe(now);
        SlotKey key = slotKey(codeId);
        return key != null && revokeIn(key, codeId, now);
    }

    private boolean revokeIn(SlotKey key, String codeId, Instant now) {
        Slot slot = slots.getIfPresent(key);
        if (slot == null) {
            return false;
        }
        synchronized (slot) {
            CodeRecord code = slot.code;
            if (code == null || code.state() != CodeInfo.State.PENDING
                    || (codeId != null && !code.codeId().equals(codeId))) {
                return false;
            }
            slot.code = code.withState(CodeInfo.State.REVOKED);
            slot.writtenAt = now;
            return true;
        }
    }

    @Override
    public int revokeLatch(String latchId, Instant now) {
        observe(now);
        AtomicInteger n = new AtomicInteger();
        for (SlotKey key : slots.asMap().keySet()) {
            if (key.latchId().equals(latchId) && revokeIn(key, null, now)) {
                n.incrementAndGet();
            }
        }
        return n.get();
    }

    @Override
    public int revokeSubject(String subject, Instant now) {
        observe(now);
        AtomicInteger n = new AtomicInteger();
        for (SlotKey key : slots.asMap().keySet()) {
            if (key.subject().equals(subject) && revokeIn(key, null, now)) {
                n.incrementAndGet();
            }
        }
        return n.get();
    }

    @Override
    public RenewResult renew(String codeId, Instant newExpiry, Instant now) {
        observe(now);
        SlotKey key = slotKey(codeId);
        Slot slot = key == null ? null : slots.getIfPresent(key);
        if (slot == null) {
            return new RenewResult(RenewResult.Outcome.NOT_FOUND, null);
        }
        RenewResult result;
        synchronized (slot) {
            CodeRecord code = slot.code;
            if (code == null || !code.codeId().equals(codeId)) {
                return new RenewResult(RenewResult.Outcome.NOT_FOUND, null);
            }
            if (code.state() != CodeInfo.State.PENDING) {
                return new RenewResult(RenewResult.Outcome.NOT_PENDING, code);
            }
            if (!now.isBefore(code.expiresAt())) {
                return new RenewResult(RenewResult.Outcome.EXPIRED, code);
            }
            if (code.renewalsLeft() <= 0) {
                return new RenewResult(RenewResult.Outcome.NO_RENEWALS_LEFT, code);
            }
            slot.code = code.renew(now, newExpiry);
            slot.writtenAt = now;
            result = new RenewResult(RenewResult.Outcome.RENEWED, slot.code);
        }
        retain(key, slot);
        return result;
    }

    @Override
    public CounterResult acceptCounter(CounterRequest r) {
        Instant now = r.now();
        observe(now);
        SlotKey key = slotKey(r.latchId(), r.subject());
        while (true) {
            Slot slot = slotFor(key, now);
            boolean keptForGood;
            synchronized (slot) {
                keptForGood = slot.nextCounter >= 0;
            }
            CounterResult result = acceptInto(slot, r, now);
            if (result.outcome() == CounterResult.Outcome.LOCKED || result.outcome() == CounterResult.Outcome.REPLAYED
                    || (keptForGood && result.outcome() == CounterResult.Outcome.ACCEPTED)) {
                return result; // nothing changed, or the slot is already retained for good (never expires)
            }
            retain(key, slot);
            if (slots.asMap().get(key) == slot) {
                return result;
            }
            // The slot expired between lookup and write; its state had run out, so decide again.
        }
    }

    private CounterResult acceptInto(Slot slot, CounterRequest r, Instant now) {
        CounterResult result;
        synchronized (slot) {
            int failures = slot.failures(now);
            if (slot.lockedUntil != null && now.isBefore(slot.lockedUntil)) {
                return new CounterResult(CounterResult.Outcome.LOCKED, -1, failures, slot.lockedUntil, false);
            }
            if (!r.wellFormed() || r.matches().length == 0) {
                Instant lockUntil = slot.fail(now, r.lockout());
                result = new CounterResult(r.wellFormed() ? CounterResult.Outcome.WRONG_CODE
                        : CounterResult.Outcome.MALFORMED, -1, slot.failures, lockUntil, lockUntil != null);
            } else {
                long next = Math.max(slot.nextCounter, 0);
                result = new CounterResult(CounterResult.Outcome.REPLAYED, -1, failures, null, false);
                for (long m : r.matches()) {
                    if (m >= next) {
                        slot.nextCounter = m + 1;
                        slot.succeed(now);
                        result = new CounterResult(CounterResult.Outcome.ACCEPTED, m, 0, null, false);
                        break;
                    }
                }
            }
        }
        return result;
    }

    @Override
    public OptionalLong nextCounter(String latchId, String subject) {
        Slot slot = slots.getIfPresent(slotKey(latchId, subject));
        if (slot == null) {
            return OptionalLong.empty();
        }
        synchronized (slot) {
            return slot.nextCounter < 0 ? OptionalLong.empty() : OptionalLong.of(slot.nextCounter);
        }
    }

    /** A marker and when it may be forgotten. */
    record Marker(String value, Instant expiresAt, Instant writtenAt) {
    }

    @Override
    public boolean putOnce(String key, Instant expiresAt, Instant now) {
        observe(now);
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
        observe(now);
        if (value.length() > 4096) {
            throw new IllegalArgumentException("marker values are at most 4096 characters");
        }
        ensureRoomFor(markers, key);
        markers.put(key, new Marker(value, expiresAt, now));
    }

    @Override
    public Optional<String> getMarker(String key, Instant now) {
        observe(now);
        Marker m = markers.getIfPresent(key);
        return m == null || !now.isBefore(m.expiresAt()) ? Optional.empty() : Optional.of(m.value());
    }

    /**
     * The most recent event times of one trigger key (a ring of at most the threshold) and its
     * cooldown. Changed only inside the map's compute for its key.
     */
    static final class EventWindow {
        long[] times; // epoch millis, unordered ring
        int size;
        int next;
        long cooldownUntil = Long.MIN_VALUE;
        Instant writtenAt;
        Instant keepUntil;
    }

    @Override
    public EventCount countEvent(String key, int threshold, Duration window, Duration cooldown, Instant now) {
        observe(now);
        EventCount.checkArguments(key, threshold, window, cooldown);
        EventCount[] out = new EventCount[1];
        ensureRoomFor(events, key);
        events.asMap().compute(key, (k, w) -> {
            long t = now.toEpochMilli();
            if (w == null || w.times.length != threshold) {
                EventWindow fresh = new EventWindow();
                fresh.times = new long[threshold];
                if (w != null) {
                    fresh.cooldownUntil = w.cooldownUntil;
                }
                w = fresh;
            }
            w.times[w.next] = t;
            w.next = (w.next + 1) % threshold;
            w.size = Math.min(threshold, w.size + 1);
            long from = t - window.toMillis();
            int inWindow = 0;
            for (int i = 0; i < w.size; i++) {
                if (w.times[i] > from && w.times[i] <= t) {
                    inWindow++;
                }
            }
            boolean reached = inWindow >= threshold;
            boolean cooling = reached && t < w.cooldownUntil;
            boolean fired = reached && !cooling;
            if (fired) {
                w.size = 0;
                w.next = 0;
                w.cooldownUntil = t + cooldown.toMillis();
            }
            w.writtenAt = now;
            Instant windowEnd = now.plus(window);
            Instant coolEnd = Instant.ofEpochMilli(Math.max(w.cooldownUntil, t));
            w.keepUntil = windowEnd.isAfter(coolEnd) ? windowEnd : coolEnd;
            out[0] = new EventCount(inWindow, fired, cooling);
            return w;
        });
        return out[0];
    }

    /**
     * A key and its last use. The record changes only on rotation and revocation (under the
     * holder's monitor); the last use is written on every authentication without a lock, as a
     * best-effort note (two concurrent uses keep one of them).
     */
    static final class KeyHolder {
        KeyRecord record;
        volatile Instant lastUsedAt;
        volatile String lastUsedFrom;

        KeyHolder(KeyRecord record) {
            this.record = record;
            this.lastUsedAt = record.lastUsedAt();
            this.lastUsedFrom = record.lastUsedFrom();
        }

        synchronized KeyRecord record() {
            return record;
        }

        KeyRecord view() {
            KeyRecord r = record();
            Instant at = lastUsedAt;
            return at == null ? r : r.used(at, lastUsedFrom);
        }
    }

    @Override
    public void putKey(KeyRecord key) {
        ensureRoom();
        if (keys.putIfAbsent(key.keyId(), new KeyHolder(key)) != null) {
            throw new LatchStoreException("a key with id " + key.keyId() + " already exists");
        }
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        KeyHolder h = keyId == null ? null : keys.get(keyId);
        return h == null ? Optional.empty() : Optional.of(h.view());
    }

    @Override
    public KeyResult useKey(String keyId, byte[] digest, Instant now, String source) {
        observe(now);
        KeyHolder h = keyId == null ? null : keys.get(keyId);
        if (h == null) {
            return new KeyResult(KeyResult.Outcome.NO_KEY, null);
        }
        KeyRecord key = h.record();
        if (!MessageDigest.isEqual(key.digest(), digest)) {
            return new KeyResult(KeyResult.Outcome.WRONG_SECRET, key);
        }
        if (key.state() == StaticKeyInfo.State.REVOKED) {
            return new KeyResult(KeyResult.Outcome.REVOKED, key);
        }
        if ((key.expiresAt() != null && !now.isBefore(key.expiresAt()))
                || (key.validUntil() != null && !now.isBefore(key.validUntil()))) {
            return new KeyResult(KeyResult.Outcome.EXPIRED, key);
        }
        h.lastUsedAt = now;
        h.lastUsedFrom = source;
        return new KeyResult(KeyResult.Outcome.OK, key);
    }

    @Override
    public Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now) {
        observe(now);
        KeyHolder h = keyId == null ? null : keys.get(keyId);
        if (h == null) {
            return Optional.empty();
        }
        synchronized (h) {
            if (h.record.state() != StaticKeyInfo.State.ACTIVE) {
                return Optional.empty();
            }
            h.record = h.record.rotated(validUntil, successorId);
            return Optional.of(h.record);
        }
    }

    @Override
    public boolean revokeKey(String keyId, Instant now) {
        observe(now);
        KeyHolder h = keyId == null ? null : keys.get(keyId);
        if (h == null) {
            return false;
        }
        synchronized (h) {
            if (h.record.state() == StaticKeyInfo.State.REVOKED) {
                return false;
            }
            h.record = h.record.revoked();
            return true;
        }
    }

    /** @return live entries (approximate), for tests and monitoring */
    public long size() {
        slots.cleanUp();
        markers.cleanUp();
        issueTimes.cleanUp();
        events.cleanUp();
        return liveEntries();
    }

    @Override
    public String toString() {
        return "InMemoryLatchStore[max=" + maxEntries + ", size≈" + (liveEntries()) + "]";
    }
}
