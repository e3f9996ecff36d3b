package dev.latch.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.latch.CodeFormat;
import dev.latch.CodeInfo;
import dev.latch.LatchStoreException;
import dev.latch.LockoutPolicy;
import dev.latch.RateLimit;
import dev.latch.StaticKeyInfo;
import dev.latch.StoreFullException;
import dev.latch.spi.CodeRecord;
import dev.latch.spi.CodeSummary;
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

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The embedded {@link LatchStore}: one slot per latch and subject holds the pending code, the
 * failure count, the lock and the OTP counter; every decision runs under that slot's monitor, so
 * it is atomic, and opening a code is one hash lookup and a few field changes, not a map write.
 *
 * <p>Slots and issue-rate windows are forgotten only when nothing in them can matter any more
 * (an hour after the code's expiry, after the lock ends, after the failures are forgotten, one
 * window after the newest issue) plus a minute of slack, by the injected clock's time. A sweep
 * spread over ten minutes of store time finds them; {@link #size()} sweeps everything first.
 * Because the caller's clock decides validity, an entry kept longer is harmless. Markers,
 * trigger windows and seen sources live in Caffeine caches with the same clock. There is no
 * size-based eviction: at {@code maxEntries} new entries are refused with
 * {@link StoreFullException}, so a flood can never evict a lockout or a consumed code.
 *
 * <p>Thread-safe: every decision runs under the monitor of its slot (or key holder), and
 * {@code ConcurrentHashMap} and Caffeine hold them.
 */
public final class InMemoryLatchStore implements LatchStore {
    /** How long a finished code is kept so its holder hears USED or EXPIRED rather than WRONG_CODE. */
    static final Duration TOMBSTONE = Duration.ofHours(1);
    private static final int MAX_SOURCES = 32;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * Security state of one latch and subject: the pending code, the failure count, the lock and
     * the OTP counter. Mutable, and every read or change happens under its own monitor, so each
     * decision is atomic. The code's changing parts (state, attempts, uses, used digests) are
     * fields here, so an open changes a few ints instead of copying the whole record. A slot is
     * its own key in the slot map and the value of the code-id index.
     */
    static final class Slot extends SlotKey {
        /*
         * The code, field by field (codeId null: none), rather than a CodeRecord: no record, digest
         * list or Instant objects to hold per live code (about 90 bytes less), and an open reads
         * no object but the slot and the digest. Times are epoch seconds and nanoseconds.
         */
        String codeId;
        String policy;
        CodeFormat.Kind kind;
        /** The code's digest when it has one, as four longs (no array to hold or follow); see {@link #digests}. */
        long digest0;
        long digest1;
        long digest2;
        long digest3;
        /** All digests when there are several (a recovery set), else null. */
        List<byte[]> digests;
        long issuedSecond;
        long notBeforeSecond;
        long expiresSecond;
        int issuedNano;
        int notBeforeNano;
        int expiresNano;
        int renewalsLeft;
        boolean reviewRequired;
        String conditions;
        byte[] request;
        CodeInfo.State state;
        int attemptsLeft;
        int usesLeft;
        long usedSlots;
        int failures;
        Instant lastFailure;
        Instant lockedUntil;
        Instant forgetAt;
        /** When the slot last changed in a way that keeps it, in epoch seconds (rounded up). */
        long writtenSecond;
        long nextCounter = -1;
        /** Set (under the monitor) when the sweep removed the slot from the map: writers look again. */
        boolean dead;

        Slot(SlotKey key, Instant now) {
            super(key.latchId, key.subject);
            written(now);
        }

        void written(Instant now) {
            writtenSecond = now.getEpochSecond() + (now.getNano() > 0 ? 1 : 0);
        }

        void load(CodeRecord r) {
            codeId = r.codeId();
            policy = r.policy();
            kind = r.kind();
            List<byte[]> all = r.digests();
            if (all.size() == 1) {
                byte[] d = all.get(0);
                digest0 = (long) LONG_BE.get(d, 0);
                digest1 = (long) LONG_BE.get(d, 8);
                digest2 = (long) LONG_BE.get(d, 16);
                digest3 = (long) LONG_BE.get(d, 24);
                digests = null;
            } else {
                digest0 = digest1 = digest2 = digest3 = 0;
                digests = all;
            }
            issuedSecond = r.issuedAt().getEpochSecond();
            issuedNano = r.issuedAt().getNano();
            notBeforeSecond = r.notBefore().getEpochSecond();
            notBeforeNano = r.notBefore().getNano();
            expiresSecond = r.expiresAt().getEpochSecond();
            expiresNano = r.expiresAt().getNano();
            renewalsLeft = r.renewalsLeft();
            reviewRequired = r.reviewRequired();
            conditions = r.conditions();
            request = r.request();
            state = r.state();
            attemptsLeft = r.attemptsLeft();
            usesLeft = r.usesLeft();
            usedSlots = r.usedSlots();
        }

        /** The code as a record, with its current state; null when there is none. */
        CodeRecord current() {
            if (codeId == null) {
                return null;
            }
            return new CodeRecord(codeId, latchId, subject, policy, kind,
                    digests != null ? digests : List.of(digestBytes()), usedSlots, state,
                    Instant.ofEpochSecond(issuedSecond, issuedNano), Instant.ofEpochSecond(notBeforeSecond, notBeforeNano),
                    expiresAt(), attemptsLeft, usesLeft, renewalsLeft, reviewRequired, conditions, request);
        }

        private byte[] digestBytes() {
            byte[] d = new byte[32];
            LONG_BE.set(d, 0, digest0);
            LONG_BE.set(d, 8, digest1);
            LONG_BE.set(d, 16, digest2);
            LONG_BE.set(d, 24, digest3);
            return d;
        }

        Instant expiresAt() {
            return Instant.ofEpochSecond(expiresSecond, expiresNano);
        }

        CodeSummary summary() {
            return codeId == null ? null : new CodeSummary.Parts(codeId, policy, usesLeft, reviewRequired, conditions);
        }

        /** The index of the digest equal to {@code presented} (compared with all, in constant time), or -1. */
        int match(byte[] presented) {
            if (digests == null) {
                if (presented.length != 32) {
                    return -1;
                }
                long diff = ((long) LONG_BE.get(presented, 0) ^ digest0) | ((long) LONG_BE.get(presented, 8) ^ digest1)
                        | ((long) LONG_BE.get(presented, 16) ^ digest2) | ((long) LONG_BE.get(presented, 24) ^ digest3);
                return diff == 0 ? 0 : -1; // every word compared, no early exit
            }
            int match = -1;
            for (int i = 0; i < digests.size(); i++) {
                boolean eq = MessageDigest.isEqual(presented, digests.get(i));
                match = eq && match < 0 ? i : match;
            }
            return match;
        }

        static boolean before(Instant now, long second, int nano) {
            long s = now.getEpochSecond();
            return s < second || (s == second && now.getNano() < nano);
        }

        /** When nothing in the slot can matter any more (before the sweep's minute of slack). */
        Instant retainUntil() {
            Instant keep = Instant.ofEpochSecond(writtenSecond);
            if (codeId != null) {
                Instant expires = expiresAt();
                keep = max(keep, expires.compareTo(CodeRecord.NEVER) >= 0 ? CodeRecord.NEVER : expires.plus(TOMBSTONE));
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
            written(now);
            return lockedUntil;
        }

        /**
         * Clears the failure count and the lock. Writes nothing when there is none, the common
         * case: a slot with a code or an OTP counter is kept by those, not by its write time.
         */
        void succeed(Instant now) {
            if (failures == 0 && lockedUntil == null && lastFailure == null) {
                return;
            }
            failures = 0;
            lastFailure = null;
            lockedUntil = null;
            forgetAt = null;
            written(now);
        }

        /** Counts a wrong attempt against a pending code; returns true when that burned it. */
        boolean failAttempt() {
            if (state != CodeInfo.State.PENDING || attemptsLeft == Integer.MAX_VALUE) {
                return false;
            }
            attemptsLeft--;
            if (attemptsLeft > 0) {
                return false;
            }
            state = CodeInfo.State.BURNED;
            return true;
        }

        /** Whether the code cannot open again through digest {@code match}. */
        boolean used(int match) {
            return state == CodeInfo.State.CONSUMED || usesLeft <= 0
                    || (digests != null && (usedSlots & (1L << match)) != 0);
        }

        /** Consumes one use through digest {@code match}, in place. */
        void consume(int match) {
            usesLeft--;
            if (digests != null) {
                usedSlots |= 1L << match;
            }
            if (usesLeft <= 0) {
                state = CodeInfo.State.CONSUMED;
            }
        }
    }

    /**
     * The store's clock: the latest time a caller passed in, in epoch seconds. The sweep forgets
     * entries by it, so they expire by the injected clock's time, like every decision. It only
     * moves forward, and only when a caller's time is at least a second past it: every caller
     * writing the shared field on every call made the cores fight over its cache line.
     */
    private volatile long tick = Long.MIN_VALUE;

    private void observe(Instant now) {
        long seconds = now.getEpochSecond();
        if (seconds > tick) {
            tick = seconds; // a racing lower write only delays forgetting a little
            sweepSome();
        }
    }

    private final int maxEntries;
    /**
     * Slots in a plain map: an open is one hash lookup. Expiring caches pay on every read to keep
     * their expiry order (a read buffer replayed into a timer wheel), which cost open about 20%
     * of its time and its scaling on two threads; here the sweep pays instead, once a second.
     */
    private final ConcurrentHashMap<SlotKey, Slot> slots = new ConcurrentHashMap<>();
    /** The slot holding each code id; a lookup by id is one lookup (callers check {@code dead} and the id). */
    private final ConcurrentMap<String, Slot> slotByCodeId = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, KeyHolder> keys = new ConcurrentHashMap<>();
    /** Issue times per subject: {windowMillis, epoch millis...}; swept like the slots. */
    private final ConcurrentHashMap<String, long[]> issueTimes = new ConcurrentHashMap<>();
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
        Ticker ticker = () -> Math.max(0, Math.min(tick, 9_000_000_000L)) * 1_000_000_000L; // nanoseconds fit a long until 2255
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

    /** Kept a minute past the caller's expiry, so the store's own clock never forgets early. */
    private static long nanosBetween(Instant from, Instant to) {
        // Whole seconds, and no Duration arithmetic: Duration.between throws (and catches) an
        // ArithmeticException internally when the nanoseconds overflow, as they do for NEVER.
        long seconds = to.getEpochSecond() - from.getEpochSecond() + SLACK_SECONDS;
        if (seconds <= 0) {
            return 0;
        }
        return seconds >= 200L * 365 * 24 * 3600 ? Long.MAX_VALUE : seconds * 1_000_000_000L;
    }

    // ---------------------------------------------------------------- the sweep

    /** Every entry is kept this long past the last moment it matters: a caller's clock may run behind. */
    private static final long SLACK_SECONDS = 60;
    /** A full pass over the slots and windows takes at most this many seconds of store time. */
    private static final long SWEEP_PASS_SECONDS = 600;
    private final ReentrantLock sweepLock = new ReentrantLock();
    private Iterator<Slot> slotSweep;
    private Iterator<String> windowSweep;
    private long lastFullSweep = Long.MIN_VALUE;

    /**
     * Once per second of store time: looks at a share of the slots and windows (a full pass every
     * ten minutes) and removes those whose time has passed. So an entry outlives its last moment
     * of use by at most the slack plus one pass, and the work is spread thin: about 1,700 entries
     * a second at 10^6 live ones, on whichever caller moves the clock. Never blocks: a caller that
     * finds another one sweeping goes on.
     */
    private void sweepSome() {
        if (!sweepLock.tryLock()) {
            return;
        }
        try {
            long budget = Math.max(256, (slots.mappingCount() + issueTimes.mappingCount()) / SWEEP_PASS_SECONDS);
            long now = tick;
            if (slotSweep == null || !slotSweep.hasNext()) {
                slotSweep = slots.values().iterator();
            }
            for (long i = 0; i < budget && slotSweep.hasNext(); i++) {
                forgetIfDone(slotSweep.next(), now);
            }
            if (windowSweep == null || !windowSweep.hasNext()) {
                windowSweep = issueTimes.keySet().iterator();
            }
            for (long i = 0; i < budget && windowSweep.hasNext(); i++) {
                forgetWindowIfDone(windowSweep.next(), now);
            }
        } finally {
            sweepLock.unlock();
        }
    }

    /** Sweeps everything now (for {@link #size()}, and at most once a second when the store is full). */
    private void sweepAll() {
        sweepLock.lock();
        try {
            long now = tick;
            lastFullSweep = now;
            slots.values().forEach(slot -> forgetIfDone(slot, now));
            for (String subject : issueTimes.keySet()) {
                forgetWindowIfDone(subject, now);
            }
            slotSweep = null;
            windowSweep = null;
        } finally {
            sweepLock.unlock();
        }
        markers.cleanUp();
        events.cleanUp();
    }

    private void forgetIfDone(Slot slot, long now) {
        synchronized (slot) {
            if (slot.dead || slot.retainUntil().getEpochSecond() > now - SLACK_SECONDS) {
                return;
            }
            slot.dead = true;
            slots.remove(slot, slot);
            if (slot.codeId != null) {
                slotByCodeId.remove(slot.codeId, slot);
            }
        }
    }

    private void forgetWindowIfDone(String subject, long now) {
        issueTimes.computeIfPresent(subject, (k, w) -> windowDone(w, now) ? null : w);
    }

    /** A window is done one window (plus the slack) after its newest issue. */
    private static boolean windowDone(long[] w, long nowSeconds) {
        long newest = Long.MIN_VALUE;
        for (int i = 1; i < w.length; i++) {
            newest = Math.max(newest, w[i]);
        }
        long until = newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest + w[0];
        return Math.floorDiv(until, 1000) <= nowSeconds - SLACK_SECONDS;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * A slot's key: a latch and a subject. Two references instead of a concatenated string: no
     * copy and no hash to compute per lookup (both strings cache theirs). A {@link Slot} is its
     * own key in the map, so a lookup reads the slot once and holds no separate key object
     * (24 bytes and one pointer to follow per live slot); a bare SlotKey is only a probe.
     */
    static class SlotKey {
        final String latchId;
        final String subject;

        SlotKey(String latchId, String subject) {
            this.latchId = latchId;
            this.subject = subject;
        }

        @Override
        public final boolean equals(Object o) {
            return o instanceof SlotKey && latchId.equals(((SlotKey) o).latchId) && subject.equals(((SlotKey) o).subject);
        }

        @Override
        public final int hashCode() {
            return latchId.hashCode() * 31 + subject.hashCode();
        }
    }

    static SlotKey slotKey(String latchId, String subject) {
        return new SlotKey(latchId, subject);
    }

    /** Entries held now, without sweeping (package-private for tests). */
    long liveEntries() {
        return slots.mappingCount() + keys.size() + markers.estimatedSize() + issueTimes.mappingCount()
                + events.estimatedSize();
    }

    /**
     * Refuses a new entry when the store is full. Checked before the atomic step, never inside
     * it, so concurrent writers may each add one entry past the bound.
     */
    private void ensureRoom() {
        if (liveEntries() >= maxEntries) {
            if (tick != lastFullSweep) { // a full store sweeps once per second, not once per refused call
                sweepAll();
            } else {
                markers.cleanUp();
                events.cleanUp();
            }
            if (liveEntries() >= maxEntries) {
                throw new StoreFullException("in-memory latch store is full (" + maxEntries
                        + " live entries); it never evicts live codes, lockouts or keys");
            }
        }
    }

    private <K, V> void ensureRoomFor(Cache<K, V> cache, K key) {
        if (cache.getIfPresent(key) == null) {
            ensureRoom();
        }
    }

    /** The live slot of a key, created when absent; the caller locks it and checks {@code dead}. */
    private Slot slotFor(SlotKey key, Instant now) {
        Slot slot = slots.get(key);
        if (slot != null) {
            return slot;
        }
        ensureRoom();
        Slot fresh = new Slot(key, now);
        Slot prior = slots.putIfAbsent(fresh, fresh);
        return prior != null ? prior : fresh;
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
            synchronized (slot) {
                if (slot.dead) {
                    continue; // swept between lookup and lock (its retention had just ended): take a new one
                }
                String replaced = null;
                if (slot.codeId != null) {
                    if (slot.state == CodeInfo.State.PENDING) {
                        replaced = slot.codeId;
                    }
                    slotByCodeId.remove(slot.codeId, slot);
                }
                slotByCodeId.put(code.codeId(), slot); // the slot is its own key
                slot.load(code);
                slot.written(now);
                return new IssueResult(true, replaced);
            }
        }
    }

    private boolean takeIssueSlot(String subject, RateLimit limit, Instant now) {
        long nowMs = now.toEpochMilli();
        long windowMs = limit.window().toMillis();
        long windowStart = nowMs - windowMs;
        if (!issueTimes.containsKey(subject)) {
            ensureRoom();
        }
        boolean[] taken = {false};
        issueTimes.compute(subject, (s, times) -> {
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
            return kept == next.length ? next : java.util.Arrays.copyOf(next, kept);
        });
        return taken[0];
    }

    @Override
    public OpenResult open(OpenRequest request) {
        observe(request.now());
        Slot slot = slots.get(slotKey(request.latchId(), request.subject()));
        if (slot == null) {
            return new OpenResult(OpenResult.Outcome.NO_CODE, null, 0, null, false, false, null);
        }
        OpenResult r;
        synchronized (slot) {
            r = slot.dead ? new OpenResult(OpenResult.Outcome.NO_CODE, null, 0, null, false, false, null)
                    : decide(slot, request);
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
            return new OpenResult(OpenResult.Outcome.LOCKED, slot.summary(), failures, slot.lockedUntil, false, false,
                    null);
        }
        if (slot.codeId == null) {
            return new OpenResult(OpenResult.Outcome.NO_CODE, null, failures, null, false, false, null);
        }
        byte[] presented = r.digestFor(slot.kind);
        int match = presented == null ? -1 : slot.match(presented);
        CodeInfo.State state = slot.state;
        if (match < 0) {
            OpenResult.Outcome outcome = presented == null ? OpenResult.Outcome.MALFORMED : OpenResult.Outcome.WRONG_CODE;
            boolean burnedNow = slot.failAttempt();
            Instant lockUntil = slot.fail(now, r.lockout());
            return new OpenResult(outcome, slot.summary(), slot.failures, lockUntil, lockUntil != null, burnedNow, null);
        }
        OpenResult.Outcome refusal = null;
        if (state == CodeInfo.State.BURNED) {
            refusal = OpenResult.Outcome.BURNED;
        } else if (state == CodeInfo.State.REVOKED) {
            refusal = OpenResult.Outcome.REVOKED;
        } else if (slot.used(match)) {
            refusal = OpenResult.Outcome.USED;
        } else if (Slot.before(now, slot.notBeforeSecond, slot.notBeforeNano)) {
            refusal = OpenResult.Outcome.NOT_YET_VALID;
        } else if (!Slot.before(now, slot.expiresSecond, slot.expiresNano)) {
            refusal = OpenResult.Outcome.EXPIRED;
        } else if (slot.request != null && (r.request() == null || !MessageDigest.isEqual(slot.request, r.request()))) {
            refusal = OpenResult.Outcome.REQUEST_MISMATCH;
        } else if (!slot.conditions.isEmpty() && !r.conditionsCleared()) {
            refusal = OpenResult.Outcome.CONDITIONS_PENDING;
        }
        if (refusal != null) {
            return new OpenResult(refusal, slot.summary(), failures, null, false, false, null);
        }
        slot.consume(match);
        slot.succeed(now);
        return new OpenResult(OpenResult.Outcome.OPENED, slot.summary(), 0, null, false, false, null);
    }

    @Override
    public Optional<CodeRecord> find(String codeId) {
        Slot slot = slotOf(codeId);
        if (slot == null) {
            return Optional.empty();
        }
        synchronized (slot) {
            return slot.dead || slot.codeId == null || !slot.codeId.equals(codeId) ? Optional.empty()
                    : Optional.of(slot.current());
        }
    }

    private Slot slotOf(String codeId) {
        return codeId == null ? null : slotByCodeId.get(codeId);
    }

    @Override
    public boolean revoke(String codeId, Instant now) {
        observe(now);
        return revokeIn(slotOf(codeId), codeId, now);
    }

    private static boolean revokeIn(Slot slot, String codeId, Instant now) {
        if (slot == null) {
            return false;
        }
        synchronized (slot) {
            if (slot.dead || slot.codeId == null || slot.state != CodeInfo.State.PENDING
                    || (codeId != null && !slot.codeId.equals(codeId))) {
                return false;
            }
            slot.state = CodeInfo.State.REVOKED;
            slot.written(now);
            return true;
        }
    }

    @Override
    public int revokeLatch(String latchId, Instant now) {
        return revokeWhere(slot -> slot.latchId.equals(latchId), now);
    }

    @Override
    public int revokeSubject(String subject, Instant now) {
        return revokeWhere(slot -> slot.subject.equals(subject), now);
    }

    private int revokeWhere(Predicate<Slot> which, Instant now) {
        observe(now);
        int n = 0;
        for (Slot slot : slots.values()) {
            if (which.test(slot) && revokeIn(slot, null, now)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public RenewResult renew(String codeId, Instant newExpiry, Instant now) {
        observe(now);
        Slot slot = slotOf(codeId);
        if (slot == null) {
            return new RenewResult(RenewResult.Outcome.NOT_FOUND, null);
        }
        synchronized (slot) {
            CodeRecord code = slot.dead ? null : slot.current();
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
            CodeRecord renewed = code.renew(now, newExpiry);
            slot.load(renewed);
            slot.written(now);
            return new RenewResult(RenewResult.Outcome.RENEWED, renewed);
        }
    }

    @Override
    public CounterResult acceptCounter(CounterRequest r) {
        Instant now = r.now();
        observe(now);
        SlotKey key = slotKey(r.latchId(), r.subject());
        while (true) {
            Slot slot = slotFor(key, now);
            synchronized (slot) {
                if (!slot.dead) {
                    return acceptInto(slot, r, now);
                }
            }
            // The slot was swept between lookup and lock; its state had run out, so decide again.
        }
    }

    /** The counter decision, under the slot's monitor. */
    private static CounterResult acceptInto(Slot slot, CounterRequest r, Instant now) {
        int failures = slot.failures(now);
        if (slot.lockedUntil != null && now.isBefore(slot.lockedUntil)) {
            return new CounterResult(CounterResult.Outcome.LOCKED, -1, failures, slot.lockedUntil, false);
        }
        if (!r.wellFormed() || r.matches().length == 0) {
            Instant lockUntil = slot.fail(now, r.lockout());
            return new CounterResult(r.wellFormed() ? CounterResult.Outcome.WRONG_CODE
                    : CounterResult.Outcome.MALFORMED, -1, slot.failures, lockUntil, lockUntil != null);
        }
        long next = Math.max(slot.nextCounter, 0);
        for (long m : r.matches()) {
            if (m >= next) {
                slot.nextCounter = m + 1;
                slot.succeed(now);
                return new CounterResult(CounterResult.Outcome.ACCEPTED, m, 0, null, false);
            }
        }
        return new CounterResult(CounterResult.Outcome.REPLAYED, -1, failures, null, false);
    }

    @Override
    public OptionalLong nextCounter(String latchId, String subject) {
        Slot slot = slots.get(slotKey(latchId, subject));
        if (slot == null) {
            return OptionalLong.empty();
        }
        synchronized (slot) {
            return slot.dead || slot.nextCounter < 0 ? OptionalLong.empty() : OptionalLong.of(slot.nextCounter);
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
     * holder's monitor) and is read without a lock. The last use is written on every
     * authentication as one object in one volatile field: a best-effort note, of which two
     * concurrent uses keep one, and never a time from one use with the source of another.
     */
    static final class KeyHolder {
        /** When and from where a key was last used. */
        record LastUse(Instant at, String from) {
        }

        volatile KeyRecord record;
        volatile LastUse lastUse;

        KeyHolder(KeyRecord record) {
            this.record = record;
            this.lastUse = record.lastUsedAt() == null ? null : new LastUse(record.lastUsedAt(), record.lastUsedFrom());
        }

        KeyRecord view() {
            KeyRecord r = record;
            LastUse u = lastUse;
            return u == null ? r : r.used(u.at(), u.from());
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
        KeyRecord key = h.record;
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
        h.lastUse = new KeyHolder.LastUse(now, source);
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

    /** @return live entries, after sweeping those whose time has passed; for tests and monitoring */
    public long size() {
        sweepAll();
        return liveEntries();
    }

    @Override
    public String toString() {
        return "InMemoryLatchStore[max=" + maxEntries + ", size≈" + (liveEntries()) + "]";
    }
}
