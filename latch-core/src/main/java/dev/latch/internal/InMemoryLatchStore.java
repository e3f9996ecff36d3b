package dev.latch.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.latch.CodeFormat;
import dev.latch.CodeInfo;
import dev.latch.LockoutPolicy;
import dev.latch.RateLimit;
import dev.latch.LatchStoreException.StoreFullException;
import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore.CodeSummary;
import dev.latch.spi.LatchStore.CounterRequest;
import dev.latch.spi.LatchStore.CounterResult;
import dev.latch.spi.LatchStore.EventCount;
import dev.latch.spi.LatchStore.IssueResult;
import dev.latch.spi.LatchStore.KeyRecord;
import dev.latch.spi.LatchStore.KeyResult;
import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;
import dev.latch.spi.LatchStore.OpenRequest;
import dev.latch.spi.LatchStore.OpenResult;
import dev.latch.spi.LatchStore.RenewResult;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded {@link LatchStore}: one slot per latch and subject holds the pending code, the
 * failure count, the lock and the OTP counter; every decision runs under that slot's monitor, so
 * it is atomic, and opening a code is one hash lookup and a few field changes, not a map write.
 * A subject's slots are chained behind its first one, which holds the subject's issue-rate
 * window too; two {@link OpenTable}s find slots by subject and by code id.
 *
 * <p>Slots are forgotten only when nothing in them can matter any more (an hour after the
 * code's expiry, after the lock ends, after the failures are forgotten, one window after the
 * newest issue) plus a minute of slack, by the injected clock's time. A sweep spread over ten
 * minutes of store time finds them (within two passes); {@link #size()} sweeps everything first.
 * Because the caller's clock decides validity, an entry kept longer is harmless. Markers,
 * trigger windows and seen sources live in Caffeine caches with the same clock. There is no
 * size-based eviction: at {@code maxEntries} new entries are refused with
 * {@link StoreFullException}, so a flood can never evict a lockout or a consumed code.
 *
 * <p>Thread-safe: every decision runs under the monitor of its slot (or key holder); the tables
 * are read without locks and written under their own monitors; Caffeine holds the rest. Lock
 * order: at most one slot at a time, then a table's monitor, never the other way round.
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
     * fields here, so an open changes a few ints instead of copying the whole record.
     *
     * <p>The slots of one subject form a chain (one per latch), whose first slot is the one the
     * subject table holds; that first slot also holds the subject's issue-rate window. What most
     * slots never need (several digests, a bound request, failures and locks, an OTP counter)
     * lives in a {@link Rare} part, made when first needed: a live
     * code costs its slot (160 bytes, the id packed in it) and about 17 bytes of table.
     */
    static final class Slot {
        private static final CodeInfo.State[] STATES = CodeInfo.State.values();
        private static final CodeFormat.Kind[] KINDS = CodeFormat.Kind.values();

        final String latchId;
        final String subject;
        /** The subject's next slot (another latch), or null; changed under the subject table's monitor. */
        volatile Slot next;
        /*
         * The code, field by field (none: idLow 0 and otherId null), rather than a CodeRecord: no
         * record, digest list or Instant objects to hold per live code, and an open reads no
         * object but the slot. Times are epoch seconds and nanoseconds. The id changes under the
         * slot's monitor; while the slot is in the code-id table, a change that moves it there (a
         * new table hash) holds the table's monitor too. Readers outside the monitor may see a
         * torn id, which matches nothing a caller holds but by chance, and every decision on a
         * match is taken again under the monitor.
         */
        /** An id of {@link CodeIds}' form, packed ({@link CodeIds#high}, {@link CodeIds#low}): 16 bytes, no string. */
        long idHigh;
        long idLow;
        /** An id of any other form (a store written by something else than {@code Latches}), or null. */
        String otherId;
        String policy;
        String conditions;
        Rare rare;
        private byte kind;
        private byte state;
        boolean reviewRequired;
        /** Set (under the monitor) when the sweep removed the slot from the tables: writers look again. */
        boolean dead;
        /** The code's digest when it has one, as four longs (no array to hold or follow); see {@link Rare#digests}. */
        long digest0;
        long digest1;
        long digest2;
        long digest3;
        long issuedSecond;
        long notBeforeSecond;
        long expiresSecond;
        /** When the slot last changed in a way that keeps it, in epoch seconds rounded up, as an unsigned int (saturated in 2106). */
        int writtenSecond;
        int issuedNano;
        int notBeforeNano;
        int expiresNano;
        int attemptsLeft;
        int usesLeft;
        int renewalsLeft;
        /** The newest issue in the subject's rate window (epoch ms; first slot of a subject only). */
        long newestIssue = Long.MIN_VALUE;
        /**
         * The window's other issues (epoch ms) at the front, then {@link Long#MIN_VALUE} in the
         * cells not in use; null while the window holds at most one. Rewritten in place, grown
         * when full. Here rather than in {@link Rare}: an issue then follows one reference, not two.
         */
        long[] olderIssues;
        /**
         * When the newest issue leaves the window, in epoch seconds rounded up, as an unsigned
         * int (0: no window; saturated in 2106): the window matters until then. Seconds suffice
         * for the sweep, and with {@link #olderIssues} this takes the 16 bytes two longs did.
         */
        int windowEnd;

        Slot(String latchId, String subject, Instant now) {
            this.latchId = latchId;
            this.subject = subject;
            written(now);
        }

        /** The fields few slots need. */
        static final class Rare {
            /** All digests when there are several (a recovery set), else null. */
            List<byte[]> digests;
            long usedSlots;
            byte[] request;
            int failures;
            Instant lockedUntil;
            Instant forgetAt;
            long nextCounter = NO_COUNTER;

            boolean empty() {
                return digests == null && request == null && failures == 0 && lockedUntil == null && forgetAt == null
                        && nextCounter == NO_COUNTER;
            }
        }

        Rare rare() {
            Rare r = rare;
            if (r == null) {
                r = new Rare();
                rare = r;
            }
            return r;
        }

        /** Drops the rare part when nothing is left in it. */
        private void tidy() {
            if (rare != null && rare.empty()) {
                rare = null;
            }
        }

        CodeInfo.State state() {
            return STATES[state];
        }

        void state(CodeInfo.State s) {
            state = (byte) s.ordinal();
        }

        CodeFormat.Kind kind() {
            return KINDS[kind];
        }

        List<byte[]> digests() {
            return rare == null ? null : rare.digests;
        }

        Instant lockedUntil() {
            return rare == null ? null : rare.lockedUntil;
        }

        long nextCounter() {
            return rare == null ? NO_COUNTER : rare.nextCounter;
        }

        void written(Instant now) {
            writtenSecond = unsignedSeconds(now.getEpochSecond() + (now.getNano() > 0 ? 1 : 0));
        }

        void load(CodeRecord r) {
            String id = r.codeId();
            if (CodeIds.packable(id)) {
                idHigh = CodeIds.high(id);
                idLow = CodeIds.low(id);
                otherId = null;
            } else {
                idHigh = 0;
                idLow = 0;
                otherId = id;
            }
            // A reference is written only when it changes: a re-issue under the same policy
            // leaves the slot's card clean (a written reference into the long-lived table, even
            // the same one, is card-marked and then scanned by the collector's refinement threads,
            // which on a busy machine take the time from the callers).
            String p = r.policy();
            if (policy != p) {
                policy = p;
            }
            kind = (byte) r.kind().ordinal();
            List<byte[]> all = r.digests();
            if (all.size() == 1) {
                byte[] d = all.get(0);
                digest0 = (long) LONG_BE.get(d, 0);
                digest1 = (long) LONG_BE.get(d, 8);
                digest2 = (long) LONG_BE.get(d, 16);
                digest3 = (long) LONG_BE.get(d, 24);
                if (rare != null) {
                    rare.digests = null;
                    rare.usedSlots = 0;
                }
            } else {
                digest0 = digest1 = digest2 = digest3 = 0;
                rare().digests = all;
                rare.usedSlots = r.usedSlots();
            }
            issuedSecond = r.issuedAt().getEpochSecond();
            issuedNano = r.issuedAt().getNano();
            notBeforeSecond = r.notBefore().getEpochSecond();
            notBeforeNano = r.notBefore().getNano();
            expiresSecond = r.expiresAt().getEpochSecond();
            expiresNano = r.expiresAt().getNano();
            renewalsLeft = r.renewalsLeft();
            reviewRequired = r.reviewRequired();
            String c = r.conditions();
            if (conditions != c) {
                conditions = c;
            }
            if (r.request() != null) {
                rare().request = r.request();
            } else if (rare != null) {
                rare.request = null;
            }
            state(r.state());
            attemptsLeft = r.attemptsLeft();
            usesLeft = r.usesLeft();
            tidy();
        }

        /** Whether the slot holds a code (of any state). */
        boolean hasCode() {
            return idLow != 0 || otherId != null;
        }

        /** The held code's id (made from its packed form), or null. */
        String codeId() {
            return idLow != 0 ? CodeIds.unpack(idHigh, idLow) : otherId;
        }

        /** Whether the slot holds the code with this id, compared without making the held id's text. */
        boolean holds(String id) {
            if (idLow != 0) {
                return CodeIds.packable(id) && CodeIds.high(id) == idHigh && CodeIds.low(id) == idLow;
            }
            return otherId != null && otherId.equals(id);
        }

        /** Where the held code is filed in the code-id table ({@link CodeIds#tableHash}); 0 without one. */
        int idHash() {
            return idLow != 0 ? CodeIds.tableHash(idHigh) : otherId != null ? otherId.hashCode() : 0;
        }

        /** The code as a record, with its current state; null when there is none. */
        CodeRecord current() {
            if (!hasCode()) {
                return null;
            }
            List<byte[]> several = digests();
            return new CodeRecord(codeId(), latchId, subject, policy, kind(),
                    several != null ? several : List.of(digestBytes()), several != null ? rare.usedSlots : 0, state(),
                    Instant.ofEpochSecond(issuedSecond, issuedNano), Instant.ofEpochSecond(notBeforeSecond, notBeforeNano),
                    expiresAt(), attemptsLeft, usesLeft, renewalsLeft, reviewRequired, conditions,
                    rare == null ? null : rare.request);
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
            return hasCode() ? new CodeSummary.Parts(codeId(), policy, usesLeft, reviewRequired, conditions) : null;
        }

        /** The index of the digest equal to {@code presented} (compared with all, in constant time), or -1. */
        int match(byte[] presented) {
            List<byte[]> several = digests();
            if (several == null) {
                if (presented.length != 32) {
                    return -1;
                }
                long diff = ((long) LONG_BE.get(presented, 0) ^ digest0) | ((long) LONG_BE.get(presented, 8) ^ digest1)
                        | ((long) LONG_BE.get(presented, 16) ^ digest2) | ((long) LONG_BE.get(presented, 24) ^ digest3);
                return diff == 0 ? 0 : -1; // every word compared, no early exit
            }
            int match = -1;
            for (int i = 0; i < several.size(); i++) {
                boolean eq = MessageDigest.isEqual(presented, several.get(i));
                match = eq && match < 0 ? i : match;
            }
            return match;
        }

        static boolean before(Instant now, long second, int nano) {
            long s = now.getEpochSecond();
            return s < second || (s == second && now.getNano() < nano);
        }

        /**
         * When nothing in the slot can matter any more (before the sweep's minute of slack), in
         * epoch seconds: the latest of its times, each cut to its second, without an Instant.
         */
        long retainUntilSecond() {
            long never = CodeRecord.NEVER.getEpochSecond();
            long keep = Integer.toUnsignedLong(writtenSecond);
            if (hasCode()) {
                keep = Math.max(keep, expiresSecond >= never ? never : expiresSecond + TOMBSTONE.getSeconds());
            }
            if (windowEnd != 0) {
                keep = Math.max(keep, Integer.toUnsignedLong(windowEnd));
            }
            Rare r = rare;
            if (r != null) {
                if (r.lockedUntil != null) {
                    keep = Math.max(keep, r.lockedUntil.getEpochSecond());
                }
                if (r.failures > 0 && r.forgetAt != null) {
                    keep = Math.max(keep, r.forgetAt.getEpochSecond());
                }
                if (r.nextCounter != NO_COUNTER) {
                    keep = never; // a replay guard is kept for as long as the authenticator may be used
                }
            }
            return keep;
        }

        /** Failures, after forgetting those older than the failure memory. */
        int failures(Instant now) {
            Rare r = rare;
            if (r == null) {
                return 0;
            }
            if (r.failures > 0 && r.forgetAt != null && !now.isBefore(r.forgetAt)) {
                r.failures = 0;
            }
            return r.failures;
        }

        /** Counts a failure and applies the lockout; returns the lock end or null. */
        Instant fail(Instant now, LockoutPolicy lockout) {
            int failures = failures(now) + 1;
            Rare r = rare();
            r.failures = failures;
            r.lockedUntil = lockout.lockUntil(failures, now);
            r.forgetAt = now.plus(lockout.failureMemory());
            written(now);
            return r.lockedUntil;
        }

        /**
         * Clears the failure count and the lock. Writes nothing when there is none, the common
         * case: a slot with a code or an OTP counter is kept by those, not by its write time.
         */
        void succeed(Instant now) {
            Rare r = rare;
            if (r == null || (r.failures == 0 && r.lockedUntil == null && r.forgetAt == null)) {
                return;
            }
            r.failures = 0;
            r.lockedUntil = null;
            r.forgetAt = null;
            tidy();
            written(now);
        }

        /** Counts a wrong attempt against a pending code; returns true when that burned it. */
        boolean failAttempt() {
            if (state() != CodeInfo.State.PENDING || attemptsLeft == Integer.MAX_VALUE) {
                return false;
            }
            attemptsLeft--;
            if (attemptsLeft > 0) {
                return false;
            }
            state(CodeInfo.State.BURNED);
            return true;
        }

        /** Whether the code cannot open again through digest {@code match}. */
        boolean used(int match) {
            return state() == CodeInfo.State.CONSUMED || usesLeft <= 0
                    || (digests() != null && (rare.usedSlots & (1L << match)) != 0);
        }

        /** Consumes one use through digest {@code match}, in place. */
        void consume(int match) {
            usesLeft--;
            if (digests() != null) {
                rare.usedSlots |= 1L << match;
            }
            if (usesLeft <= 0) {
                state(CodeInfo.State.CONSUMED);
            }
        }

        /**
         * Takes one issue from the subject's rate window, which this slot holds (it is the
         * subject's first): at most {@code limit} issues in any {@code windowMs}.
         *
         * @return false when the window is full
         */
        boolean takeIssue(long nowMs, long windowMs, int limit) {
            long start = nowMs - windowMs;
            boolean newestHeld = newestIssue > start && newestIssue <= nowMs;
            long[] older = olderIssues;
            if (older == null) { // the common case: at most one issue held, no array
                if (newestHeld && limit == 1) {
                    return false;
                }
                if (newestHeld) {
                    older = new long[Math.min(4, limit - 1)]; // limit > 1 here
                    Arrays.fill(older, Long.MIN_VALUE);
                    older[0] = newestIssue;
                    olderIssues = older;
                }
                newestIssue = nowMs;
                windowEnd = windowEnd(nowMs, windowMs);
                return true;
            }
            // Keep the older issues still in the window, in place (no array per issue). None is
            // dropped for the limit: a store shared by callers with different limits holds what
            // the largest allows, so a smaller limit cannot make it forget issues.
            int k = 0;
            int n = 0;
            for (; n < older.length && older[n] != Long.MIN_VALUE; n++) {
                long t = older[n];
                if (t > start && t <= nowMs) {
                    older[k++] = t;
                }
            }
            boolean taken = k + (newestHeld ? 1 : 0) < limit;
            if (taken) { // the new issue is the newest (every held time is at most now)
                if (newestHeld) {
                    if (k == older.length) { // k + 1 < limit here, so the copy has room
                        older = Arrays.copyOf(older, (int) Math.min(2L * k, limit - 1L));
                        Arrays.fill(older, k, older.length, Long.MIN_VALUE);
                        olderIssues = older;
                    }
                    older[k++] = newestIssue;
                }
                newestIssue = nowMs;
            } else if (!newestHeld) { // full without the newest (it left the window or lies ahead of now): the newest held one takes its place
                int newest = 0;
                for (int i = 1; i < k; i++) {
                    newest = older[i] > older[newest] ? i : newest;
                }
                newestIssue = older[newest];
                older[newest] = older[--k];
            }
            windowEnd = windowEnd(newestIssue, windowMs);
            if (k == 0) {
                olderIssues = null;
            } else if (k < n) {
                Arrays.fill(older, k, n, Long.MIN_VALUE);
            }
            return taken;
        }

        /** Epoch seconds as an unsigned int: 0 before 1970, saturated after 2106 (after that, only the slot's other times keep it). */
        static int unsignedSeconds(long seconds) {
            return (int) Math.max(0L, Math.min(seconds, 0xFFFF_FFFFL));
        }

        /** {@link #windowEnd} for a newest issue at {@code issueMs}: seconds rounded up, saturated. */
        static int windowEnd(long issueMs, long windowMs) {
            long endMs = issueMs + windowMs;
            if (((issueMs ^ endMs) & (windowMs ^ endMs)) < 0) { // overflow: ends after any date an int holds
                return -1;
            }
            long seconds = Math.floorDiv(endMs, 1000L) + (Math.floorMod(endMs, 1000L) > 0 ? 1 : 0);
            return (int) Math.max(1L, Math.min(seconds, 0xFFFF_FFFFL));
        }
    }

    /**
     * The store's clock: the latest time a caller passed in, in epoch seconds. The sweep forgets
     * entries by it, so they expire by the injected clock's time, like every decision. It only
     * moves forward, and only when a caller's time is at least a second past it: every caller
     * writing the shared field on every call made the cores fight over its cache line.
     */
    private volatile long tick = Long.MIN_VALUE;

    void observe(Instant now) {
        long seconds = now.getEpochSecond();
        if (seconds > tick) {
            tick = seconds; // a racing lower write only delays forgetting a little
            sweepSome();
        }
    }

    private final int maxEntries;
    /**
     * The first slot of each subject, in a table of our own: an open is one lookup, no map node
     * is held per slot, and no expiry order is kept on reads (an expiring cache's read buffer and
     * timer wheel cost open about 20% of its time and its scaling on two threads); the sweep pays
     * instead, once a second. Chains are changed under this table's monitor.
     */
    private final SlotsBySubject slots = new SlotsBySubject(StripedSecureRandom.shared());
    /** The slot holding each code id (callers check {@code dead} and the id, under the slot's monitor). */
    final SlotsByCodeId slotByCodeId = new SlotsByCodeId(); // package-private: a test holds its monitor
    /** Slots held, changed under the subject table's monitor. */
    private volatile int slotCount;

    /**
     * First slots by subject, placed by SipHash under a key drawn for this table: subjects may be
     * chosen by whoever presents a code, and colliding {@link String#hashCode()}s are easy to
     * make, so a table placed by them could be filled with one long probe run on purpose.
     */
    static final class SlotsBySubject extends OpenTable<Slot, String> {
        private final long k0;
        private final long k1;

        SlotsBySubject(java.util.random.RandomGenerator random) {
            this.k0 = random.nextLong();
            this.k1 = random.nextLong();
        }

        @Override
        int hash(String subject) {
            return SipHash.hash(k0, k1, subject);
        }

        @Override
        int hashOf(Slot slot) {
            return SipHash.hash(k0, k1, slot.subject);
        }

        @Override
        boolean hasKey(Slot slot, String subject, int hash) {
            String held = slot.subject;
            return held == subject || held.equals(subject); // no hashCode() filter: a new subject string has none cached
        }
    }

    /**
     * Slots by the id of the code they hold, filed by {@link CodeIds#tableHash}: a slot stays in
     * its place while new codes with the same tag replace each other in it, and a reader that
     * meets it while its id changes compares either id and checks again under the slot's monitor.
     */
    static final class SlotsByCodeId extends OpenTable<Slot, String> {
        @Override
        int hash(String codeId) {
            return CodeIds.tableHash(codeId);
        }

        @Override
        int hashOf(Slot slot) {
            return slot.idHash();
        }

        @Override
        boolean hasKey(Slot slot, String codeId, int hash) {
            return slot.idHash() == hash && slot.holds(codeId); // the hash first: other slots' probes decode nothing
        }
    }
    private final Cache<String, Set<String>> sources;
    private final InMemoryMarkers markers;
    private final InMemoryEvents events;
    private final InMemoryKeys keys;
    private final InMemoryDurable durable = new InMemoryDurable();

    /**
     * @param maxEntries the bound on live codes and keys, at least 1
     */
    public InMemoryLatchStore(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        Ticker ticker = () -> Math.max(0, Math.min(tick, 9_000_000_000L)) * 1_000_000_000L; // nanoseconds fit a long until 2255
        this.markers = new InMemoryMarkers(this, ticker);
        this.events = new InMemoryEvents(this, ticker);
        this.keys = new InMemoryKeys(this);
        // Seen sources feed alerts only; forgetting one means one extra alert.
        this.sources = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run).expireAfterAccess(Duration.ofDays(90))
                .maximumSize(Math.max(1024, maxEntries)).build();
    }

    /** Kept a minute past the caller's expiry, so the store's own clock never forgets early. */
    static long nanosBetween(Instant from, Instant to) {
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
    /** A full pass over the slots takes at most this many seconds of store time. */
    private static final long SWEEP_PASS_SECONDS = 600;
    private final ReentrantLock sweepLock = new ReentrantLock();
    /** The subject table's cells as the current pass found them, and the next cell to look at. */
    private Object[] sweepCells;
    private int sweepAt;
    private long lastFullSweep = Long.MIN_VALUE;

    /**
     * Once per second of store time: looks at a share of the subject table (a full pass every
     * ten minutes) and removes the slots whose time has passed. A pass walks the table's array as
     * it was when the pass began (an entry another removal moves, or a slot made during a pass, is
     * looked at by the next pass at the latest; the sweep alone removes from the subject table,
     * under {@link #sweepLock}). So a slot outlives
     * its last moment of use by at most the slack plus two passes. The work is spread thin: about
     * 3,500 cells a second at 10^6 live slots, on whichever caller moves the clock. Never blocks:
     * a caller that finds another one sweeping goes on.
     */
    private void sweepSome() {
        if (!sweepLock.tryLock()) {
            return;
        }
        try {
            long now = tick;
            if (sweepCells == null || sweepAt >= sweepCells.length) {
                sweepCells = slots.snapshot();
                sweepAt = 0;
            }
            sweepAt = sweepCells(sweepCells, sweepAt, Math.max(512, sweepCells.length / SWEEP_PASS_SECONDS), now);
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
            sweepCells(slots.snapshot(), 0, Integer.MAX_VALUE, now);
            sweepCells = null;
        } finally {
            sweepLock.unlock();
        }
        markers.cleanUp();
        events.cleanUp();
        durable.sweep(Instant.ofEpochSecond(tick));
    }

    /**
     * Looks at up to {@code budget} cells of the subject table from {@code at}; returns where to go
     * on. A cell whose entry was just removed is looked at again, since the removal may have moved
     * a later entry into it.
     */
    private int sweepCells(Object[] cells, int at, long budget, long now) {
        for (long i = 0; i < budget && at < cells.length; i++) {
            Slot first = OpenTable.entryAt(cells, at);
            forgetChainIfDone(first, now);
            if (first == null || OpenTable.entryAt(cells, at) == first) {
                at++;
            }
        }
        return at;
    }

    /** Forgets the finished slots of a subject's chain, starting at {@code first} (null: none). */
    private void forgetChainIfDone(Slot first, long now) {
        for (Slot slot = first; slot != null; ) {
            Slot next = slot.next;
            forgetIfDone(slot, now);
            slot = next;
        }
    }

    private void forgetIfDone(Slot slot, long now) {
        synchronized (slot) {
            if (slot.dead || slot.retainUntilSecond() > now - SLACK_SECONDS) {
                return;
            }
            slot.dead = true;
            unlink(slot);
            if (slot.hasCode()) {
                slotByCodeId.remove(slot, slot.idHash());
            }
        }
    }

    /** Takes a slot out of its subject's chain (the caller holds the slot's monitor). */
    private void unlink(Slot slot) {
        synchronized (slots) {
            int h = slots.hash(slot.subject);
            Slot first = slots.get(slot.subject, h);
            if (first == slot) {
                slots.replace(slot, h, slot.next); // the next one (or none) is first now
            } else {
                for (Slot s = first; s != null; s = s.next) {
                    if (s.next == slot) {
                        s.next = slot.next; // a reader standing on the removed slot still reaches the rest
                        break;
                    }
                }
            }
            slotCount--;
        }
    }

    /** Calls {@code action} with every slot held now. */
    private void forEachSlot(java.util.function.Consumer<Slot> action) {
        slots.forEach(first -> {
            for (Slot s = first; s != null; s = s.next) {
                action.accept(s);
            }
        });
    }

    /**
     * The slot of a latch and subject, or null: one table lookup, then the subject's chain, which
     * rarely holds more than one slot.
     */
    private Slot slotOf(String latchId, String subject) {
        return slotOf(latchId, subject, slots.hash(subject));
    }

    /** {@link #slotOf(String, String)} with the subject's table hash ({@code slots.hash(subject)}) at hand. */
    private Slot slotOf(String latchId, String subject, int subjectHash) {
        for (Slot s = slots.get(subject, subjectHash); s != null; s = s.next) {
            if (s.latchId.equals(latchId)) {
                return s;
            }
        }
        return null;
    }

    /** Entries held now, without sweeping (package-private for tests). */
    long liveEntries() {
        return slotCount + keys.size() + markers.size() + events.size() + durable.size();
    }

    /**
     * Refuses a new entry when the store is full. Checked before the atomic step, never inside
     * it, so concurrent writers may each add one entry past the bound.
     */
    void ensureRoom() {
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

    /** The live slot of a latch and subject, created when absent; the caller locks it and checks {@code dead}. */
    private Slot slotFor(String latchId, String subject, int subjectHash, Instant now) {
        Slot slot = slotOf(latchId, subject, subjectHash);
        if (slot != null) {
            return slot;
        }
        ensureRoom();
        synchronized (slots) { // no chain changes meanwhile, so the look below is exact
            slot = slotOf(latchId, subject, subjectHash);
            if (slot != null) {
                return slot;
            }
            Slot fresh = new Slot(latchId, subject, now);
            Slot first = slots.putIfAbsent(fresh, subject, subjectHash);
            if (first != fresh) {
                fresh.next = first.next;
                first.next = fresh; // volatile: readers see the slot whole
            }
            slotCount++;
            return fresh;
        }
    }

    @Override
    public IssueResult issue(CodeRecord code, RateLimit limit, Instant now) {
        Names.required(code, "code");
        Names.required(now, "now");
        observe(now);
        int subjectHash = slots.hash(code.subject()); // a keyed hash: computed once per issue
        if (limit != null && !takeIssueSlot(code.latchId(), code.subject(), subjectHash, limit, now)) {
            return IssueResult.rateLimited();
        }
        while (true) {
            Slot slot = slotFor(code.latchId(), code.subject(), subjectHash, now);
            synchronized (slot) {
                if (slot.dead) {
                    continue; // swept between lookup and lock (its retention had just ended): take a new one
                }
                boolean previous = slot.hasCode();
                String replaced = previous && slot.state() == CodeInfo.State.PENDING ? slot.codeId() : null;
                int idHash = CodeIds.tableHash(code.codeId()); // once, for the test and the table
                int previousHash = previous ? slot.idHash() : 0;
                if (previous && idHash == previousHash) {
                    slot.load(code); // filed in the same place (same tag): the table is not touched
                } else {
                    synchronized (slotByCodeId) { // a slot moves in the table only while it is held
                        if (previous) {
                            slotByCodeId.remove(slot, previousHash);
                        }
                        slot.load(code);
                        slotByCodeId.put(slot, code.codeId(), idHash);
                    }
                }
                slot.written(now);
                return new IssueResult(true, replaced);
            }
        }
    }

    /**
     * Takes an issue from the subject's rate window, held by the subject's first slot (made here
     * when the subject has none: the code about to be issued needs it anyway).
     */
    private boolean takeIssueSlot(String latchId, String subject, int subjectHash, RateLimit limit, Instant now) {
        long nowMs = now.toEpochMilli();
        long windowMs = limit.window().toMillis();
        while (true) {
            Slot first = slots.get(subject, subjectHash);
            if (first == null) {
                slotFor(latchId, subject, subjectHash, now);
                continue;
            }
            synchronized (first) {
                if (!first.dead) { // a removed first slot's window had ended; its successor starts empty
                    return first.takeIssue(nowMs, windowMs, limit.count());
                }
            }
        }
    }

    @Override
    public OpenResult open(OpenRequest request) {
        Names.required(request, "request");
        observe(request.now());
        Slot slot = slotOf(request.latchId(), request.subject());
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
        Instant lockedUntil = slot.lockedUntil();
        if (lockedUntil != null && now.isBefore(lockedUntil)) {
            return new OpenResult(OpenResult.Outcome.LOCKED, slot.summary(), failures, lockedUntil, false, false, null);
        }
        if (!slot.hasCode()) {
            return new OpenResult(OpenResult.Outcome.NO_CODE, null, failures, null, false, false, null);
        }
        byte[] presented = r.digestFor(slot.kind());
        int match = presented == null ? -1 : slot.match(presented);
        byte[] previous = r.previousDigestFor(slot.kind());
        if (previous != null) {
            // peppers rotate: a code hashed under the previous one matches too (both compared, always)
            int before = slot.match(previous);
            match = match >= 0 ? match : before;
        }
        CodeInfo.State state = slot.state();
        if (match < 0) {
            OpenResult.Outcome outcome = presented == null ? OpenResult.Outcome.MALFORMED : OpenResult.Outcome.WRONG_CODE;
            boolean burnedNow = slot.failAttempt();
            Instant lockUntil = slot.fail(now, r.lockout());
            return new OpenResult(outcome, slot.summary(), slot.rare.failures, lockUntil, lockUntil != null, burnedNow,
                    null);
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
        } else if (slot.rare != null && slot.rare.request != null
                && (r.request() == null || !MessageDigest.isEqual(slot.rare.request, r.request()))) {
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
        Names.required(codeId, "codeId");
        Slot slot = slotByCode(codeId);
        if (slot == null) {
            return Optional.empty();
        }
        synchronized (slot) {
            return slot.dead || !slot.holds(codeId) ? Optional.empty()
                    : Optional.of(slot.current());
        }
    }

    private Slot slotByCode(String codeId) {
        return codeId == null ? null : slotByCodeId.get(codeId);
    }

    @Override
    public boolean revoke(String codeId, Instant now) {
        Names.required(codeId, "codeId");
        Names.required(now, "now");
        observe(now);
        return revokeIn(slotByCode(codeId), codeId, now);
    }

    private static boolean revokeIn(Slot slot, String codeId, Instant now) {
        if (slot == null) {
            return false;
        }
        synchronized (slot) {
            if (slot.dead || !slot.hasCode() || slot.state() != CodeInfo.State.PENDING
                    || (codeId != null && !slot.holds(codeId))) {
                return false;
            }
            slot.state(CodeInfo.State.REVOKED);
            slot.written(now);
            return true;
        }
    }

    /**
     * Revokes the pending code of every slot of the latch: a walk of the whole subject table.
     * Holds the sweep's lock, so no slot leaves the table meanwhile: a removal moves entries
     * within the table, and a walk that raced one could pass over a slot that must be revoked.
     */
    @Override
    public int revokeLatch(String latchId, Instant now) {
        Names.required(latchId, "latchId");
        Names.required(now, "now");
        observe(now);
        int[] n = {0};
        sweepLock.lock();
        try {
            forEachSlot(slot -> {
                if (slot.latchId.equals(latchId) && revokeIn(slot, null, now)) {
                    n[0]++;
                }
            });
        } finally {
            sweepLock.unlock();
        }
        return n[0];
    }

    /**
     * Revokes the pending code of every slot of the subject: its chain, found with one lookup
     * (which looks again if entries moved), so neither the table nor the sweep is held up.
     */
    @Override
    public int revokeSubject(String subject, Instant now) {
        Names.required(subject, "subject");
        Names.required(now, "now");
        observe(now);
        int n = 0;
        for (Slot s = slots.get(subject); s != null; s = s.next) {
            if (revokeIn(s, null, now)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public RenewResult renew(String codeId, Instant newExpiry, Instant now) {
        Names.required(codeId, "codeId");
        Names.required(newExpiry, "newExpiry");
        Names.required(now, "now");
        observe(now);
        Slot slot = slotByCode(codeId);
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
            slot.load(renewed); // the same id: the code-id table is unchanged
            slot.written(now);
            return new RenewResult(RenewResult.Outcome.RENEWED, renewed);
        }
    }

    @Override
    public CounterResult acceptCounter(CounterRequest r) {
        Names.required(r, "r");
        Instant now = r.now();
        observe(now);
        while (true) {
            Slot slot = slotFor(r.latchId(), r.subject(), slots.hash(r.subject()), now);
            synchronized (slot) {
                if (!slot.dead) {
                    return acceptInto(slot, r, now);
                }
            }
            // The slot was swept between lookup and lock; its state had run out, so decide again.
        }
    }

    /** A slot's next OTP counter before any was accepted. */
    static final long NO_COUNTER = -1;
    /** A slot's next OTP counter once 2^63 - 1 was accepted: 2^63, which no long holds. */
    static final long COUNTERS_USED_UP = Long.MIN_VALUE;

    /** The counter decision, under the slot's monitor. */
    private static CounterResult acceptInto(Slot slot, CounterRequest r, Instant now) {
        int failures = slot.failures(now);
        Instant lockedUntil = slot.lockedUntil();
        if (lockedUntil != null && now.isBefore(lockedUntil)) {
            return new CounterResult(CounterResult.Outcome.LOCKED, -1, failures, lockedUntil, false);
        }
        if (!r.wellFormed() || r.matches().length == 0) {
            Instant lockUntil = slot.fail(now, r.lockout());
            return new CounterResult(r.wellFormed() ? CounterResult.Outcome.WRONG_CODE
                    : CounterResult.Outcome.MALFORMED, -1, slot.rare.failures, lockUntil, lockUntil != null);
        }
        long stored = slot.nextCounter();
        if (stored == COUNTERS_USED_UP) {
            return new CounterResult(CounterResult.Outcome.REPLAYED, -1, failures, null, false);
        }
        long next = stored == NO_COUNTER ? 0 : stored;
        for (long m : r.matches()) {
            if (m >= next) {
                // after 2^63 - 1 no counter is left: the guard then refuses every counter as a replay
                slot.rare().nextCounter = m == Long.MAX_VALUE ? COUNTERS_USED_UP : m + 1;
                slot.succeed(now);
                return new CounterResult(CounterResult.Outcome.ACCEPTED, m, 0, null, false);
            }
        }
        return new CounterResult(CounterResult.Outcome.REPLAYED, -1, failures, null, false);
    }

    @Override
    public OptionalLong nextCounter(String latchId, String subject) {
        Names.required(latchId, "latchId");
        Names.required(subject, "subject");
        Slot slot = latchId == null || subject == null ? null : slotOf(latchId, subject);
        if (slot == null) {
            return OptionalLong.empty();
        }
        synchronized (slot) {
            long next = slot.nextCounter();
            if (slot.dead || next == NO_COUNTER) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(next == COUNTERS_USED_UP ? Long.MAX_VALUE : next);
        }
    }

    @Override
    public boolean putOnce(String key, Instant expiresAt, Instant now) {
        return markers.putOnce(key, expiresAt, now);
    }

    @Override
    public void putMarker(String key, String value, Instant expiresAt, Instant now) {
        markers.putMarker(key, value, expiresAt, now);
    }

    @Override
    public Optional<String> getMarker(String key, Instant now) {
        return markers.getMarker(key, now);
    }

    @Override
    public EventCount countEvent(String key, int threshold, Duration window, Duration cooldown, Instant now) {
        return events.countEvent(key, threshold, window, cooldown, now);
    }

    @Override
    public void putKey(KeyRecord key) {
        keys.putKey(key);
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        return keys.findKey(keyId);
    }

    @Override
    public KeyResult useKey(String keyId, byte[] digest, Instant now, String source) {
        return keys.useKey(keyId, digest, now, source);
    }

    @Override
    public Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now) {
        return keys.retireKey(keyId, validUntil, successorId, now);
    }

    @Override
    public boolean rehashKey(String keyId, byte[] oldDigest, byte[] newDigest, String pepperId, Instant now) {
        return keys.rehashKey(keyId, oldDigest, newDigest, pepperId, now);
    }

    @Override
    public boolean revokeKey(String keyId, Instant now) {
        return keys.revokeKey(keyId, now);
    }

    // ---------------------------------------------------------------- durable records and scheduled work

    @Override
    public Optional<Versioned> getRecord(String key, Instant now) {
        Optional<Versioned> r = durable.get(key, now);
        observe(now);
        return r;
    }

    @Override
    public boolean compareAndSet(String key, long expectedVersion, String value, Instant expiresAt, Instant now) {
        LatchStore.checkRecord(key, expectedVersion, value, expiresAt, now);
        observe(now);
        if (expectedVersion == 0 && !durable.live(key, now)) {
            ensureRoom();
        }
        return durable.compareAndSet(key, expectedVersion, value, expiresAt, now);
    }

    @Override
    public void schedule(Work work, Instant now) {
        Names.required(work, "work");
        Names.required(now, "now");
        observe(now);
        if (!durable.scheduled(work.id())) {
            ensureRoom();
        }
        durable.schedule(work);
    }

    @Override
    public List<Claim> claimDue(Instant now, Duration lease, int max) {
        LatchStore.checkClaim(now, lease, max);
        observe(now);
        return durable.claimDue(now, lease, max);
    }

    @Override
    public boolean complete(String id, long token, Instant now) {
        Names.required(id, "id");
        Names.required(now, "now");
        observe(now);
        return durable.complete(id, token);
    }

    @Override
    public boolean cancel(String id, Instant now) {
        Names.required(id, "id");
        Names.required(now, "now");
        observe(now);
        return durable.cancel(id);
    }

    /** @return false: this store lives in this process's memory */
    @Override
    public boolean shared() {
        return false;
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
