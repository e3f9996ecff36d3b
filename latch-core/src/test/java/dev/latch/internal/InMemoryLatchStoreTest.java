package dev.latch.internal;

import dev.latch.AccessContext;
import dev.latch.Verdict.DenialReason;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.LockoutPolicy;
import dev.latch.RateLimit;
import dev.latch.StaticKeySpec;
import dev.latch.LatchStoreException.StoreFullException;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore;
import dev.latch.testing.LatchStoreConformanceTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conformance suite on the Caffeine store, plus what is particular to it. */
class InMemoryLatchStoreTest extends LatchStoreConformanceTest {

    @Override
    protected LatchStore newStore() {
        return Latches.inMemoryStore(10_000);
    }

    @Test
    void full_refusesNewEntriesInsteadOfEvictingLiveState() {
        store = new InMemoryLatchStore(3); // three slots; alice's rate-limit window lives in her first
        Latches small = latches(LockoutPolicy.of(2, Duration.ofMinutes(10), Duration.ofHours(1)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        IssuedCode locked = small.issue(LatchPolicy.HIGH, "latch-1", "alice");
        small.open("latch-1", wrongFor(locked), AccessContext.of("alice"));
        small.open("latch-1", wrongFor(locked), AccessContext.of("alice"));
        IssuedCode used = small.issue(LatchPolicy.HIGH, "latch-2", "alice");
        assertTrue(small.open("latch-2", used.code(), AccessContext.of("alice")).isOpen());
        small.issue(LatchPolicy.HIGH, "latch-3", "alice");
        assertThrows(StoreFullException.class, () -> small.issue(LatchPolicy.HIGH, "latch-4", "alice"));
        assertThrows(StoreFullException.class, () -> small.issueStaticKey(StaticKeySpec.builder("svc").build()));
        // nothing was evicted: the lock holds, the consumed code stays consumed
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), small.open("latch-1", locked.code(), AccessContext.of("alice")));
        assertEquals(new Verdict.Denied(DenialReason.USED), small.open("latch-2", used.code(), AccessContext.of("alice")));
        // re-issuing for an existing latch and subject needs no new entry
        small.issue(LatchPolicy.HIGH, "latch-3", "alice");
        assertEquals(2, audit.ofType(dev.latch.AuditEvent.Type.STORE_FAILURE).size(), "one audit event per refusal");
    }

    @Test
    void reissue_doesNotWaitForTheCodeIdTable_aNewSubjectDoes() throws Exception {
        InMemoryLatchStore s = new InMemoryLatchStore(100);
        store = s;
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        l.issue(LatchPolicy.HIGH, "latch-1", "alice");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            synchronized (s.slotByCodeId) { // another thread now cannot file a slot
                IssuedCode again = pool.submit(() -> l.issue(LatchPolicy.HIGH, "latch-1", "alice"))
                        .get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(l.find(again.codeId()).isPresent());
                java.util.concurrent.Future<IssuedCode> first = pool.submit(() -> l.issue(LatchPolicy.HIGH, "latch-1", "bob"));
                assertThrows(java.util.concurrent.TimeoutException.class, () -> first.get(300, java.util.concurrent.TimeUnit.MILLISECONDS),
                        "a first code must be filed in the table");
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void findById_neverReturnsAnotherCode_whileIdsChangeInPlace() throws Exception {
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        int subjects = 8;
        java.util.concurrent.atomic.AtomicReferenceArray<String> ids = new java.util.concurrent.atomic.AtomicReferenceArray<>(subjects);
        for (int i = 0; i < subjects; i++) {
            ids.set(i, l.issue(LatchPolicy.HIGH, "latch-1", "s" + i).codeId());
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger found = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.concurrent.Future<?> reader = pool.submit(() -> {
                java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
                while (!stop.get()) {
                    String id = ids.get(r.nextInt(subjects));
                    l.find(id).ifPresent(info -> {
                        assertEquals(id, info.codeId(), "find returned another code");
                        found.incrementAndGet();
                    });
                }
                return null;
            });
            java.util.List<java.util.concurrent.Future<?>> writers = new java.util.ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int half = w;
                writers.add(pool.submit(() -> {
                    for (int n = 0; n < 3_000; n++) { // 750 per subject, under the limit
                        int i = 2 * ((n * 7) % (subjects / 2)) + half; // each writer its own subjects
                        ids.set(i, l.issue(LatchPolicy.HIGH, "latch-1", "s" + i).codeId());
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : writers) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            stop.set(true);
            reader.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(found.get() > 0, "the reader found current codes");
        for (int i = 0; i < subjects; i++) {
            assertEquals(ids.get(i), l.find(ids.get(i)).orElseThrow().codeId());
        }
    }

    @Test
    void wrongGuessesForUnknownLatches_createNoState() {
        InMemoryLatchStore s = new InMemoryLatchStore(10);
        store = s;
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.DEFAULT);
        for (int i = 0; i < 1000; i++) {
            assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), l.open("no-such-latch-" + i, "123456",
                    AccessContext.of("mallory-" + i)));
        }
        assertEquals(0, s.size());
    }

    @Test
    void rateLimitWindows_areNeverEvictedToMakeRoom() {
        InMemoryLatchStore s = new InMemoryLatchStore(50);
        store = s;
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(2, Duration.ofMinutes(15)));
        l.issue(LatchPolicy.HIGH, "latch-0", "victim");
        l.issue(LatchPolicy.HIGH, "latch-1", "victim");
        assertEquals(2, s.size(), "two slots; the victim's rate-limit window lives in the first, not evictable");
        // A flood of other subjects fills the store; it refuses them instead of forgetting the victim's window.
        int issued = 0;
        for (int i = 0; i < 100; i++) {
            try {
                l.issue(LatchPolicy.HIGH, "flood", "attacker-" + i);
                issued++;
            } catch (StoreFullException e) {
                break;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(issued < 100, "the store filled up");
        assertThrows(dev.latch.IssueRateLimitedException.class, () -> l.issue(LatchPolicy.HIGH, "latch-2", "victim"),
                "the victim's limit still holds");
    }

    @Test
    void entriesExpireByTheInjectedClock_neverBeforeTheirTime() {
        InMemoryLatchStore s = new InMemoryLatchStore(100);
        store = s;
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        IssuedCode code = l.issue(LatchPolicy.HIGH, "latch-1", "alice");
        l.issue(LatchPolicy.HIGH, "latch-2", "bob");
        assertEquals(2, s.size(), "two slots, each holding its subject's rate-limit window");
        // Kept for the tombstone hour after expiry (15 min + 1 h + 1 min of slack): still there just before.
        clock.advance(Duration.ofMinutes(15 + 60));
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), l.open("latch-1", code.code(), AccessContext.of("alice")));
        assertEquals(2, s.size(), "the slots stay");
        // Past it, the clock the callers inject, not the wall clock, lets the slots go.
        clock.advance(Duration.ofMinutes(3));
        l.open("latch-9", "123456", AccessContext.of("carol")); // any call tells the store the time
        assertEquals(0, s.size());
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), l.open("latch-1", code.code(), AccessContext.of("alice")));
    }

    @Test
    void subjectsWithOneStringHash_eachKeepTheirOwnCodes_throughIssueOpenRevokeAndForgetting() {
        InMemoryLatchStore s = new InMemoryLatchStore(10_000);
        store = s;
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        java.util.List<String> subjects = SipHashTest.collidingSubjects();
        java.util.Map<String, IssuedCode> codes = new java.util.HashMap<>();
        for (String subject : subjects) {
            codes.put(subject, l.issue(LatchPolicy.HIGH, "latch", subject));
        }
        assertEquals(subjects.size(), s.liveEntries());
        for (int i = 0; i < subjects.size(); i++) {
            String subject = subjects.get(i);
            if (i % 3 == 0) {
                assertEquals(1, l.revokeSubject(subject));
            }
        }
        for (int i = 0; i < subjects.size(); i++) {
            String subject = subjects.get(i);
            Verdict v = l.open("latch", codes.get(subject).code(), AccessContext.of(subject));
            if (i % 3 == 0) {
                assertEquals(new Verdict.Denied(DenialReason.REVOKED), v, subject);
            } else {
                assertTrue(v.isOpen(), subject);
                assertEquals(new Verdict.Denied(DenialReason.USED),
                        l.open("latch", codes.get(subject).code(), AccessContext.of(subject)), subject);
            }
        }
        clock.advance(Duration.ofMinutes(15 + 60 + 2)); // past every code's tombstone hour
        l.open("other", "123456", AccessContext.of("someone")); // any call tells the store the time
        assertEquals(0, s.size(), "all forgotten (entries moved back as others were removed)");
        IssuedCode again = l.issue(LatchPolicy.HIGH, "latch", subjects.get(7));
        assertTrue(l.open("latch", again.code(), AccessContext.of(subjects.get(7))).isOpen());
    }

    @Test
    void theSweep_forgetsFinishedEntriesAsTheClockMoves_neverBefore() {
        InMemoryLatchStore s = new InMemoryLatchStore(10_000);
        store = s;
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        for (int i = 0; i < 1000; i++) {
            l.issue(LatchPolicy.HIGH, "latch", "subject-" + i);
        }
        assertEquals(1000, s.liveEntries(), "a slot per subject, holding its rate-limit window");
        // Ordinary calls, one per second of store time: each lets the sweep look at a share.
        clock.advance(Duration.ofMinutes(15 + 60)); // the codes' tombstone hour has not yet ended
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(1));
            l.open("other", "123456", AccessContext.of("someone"));
        }
        assertEquals(1000, s.liveEntries(), "the codes' tombstone hour holds the slots");
        clock.advance(Duration.ofMinutes(2));
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(1));
            l.open("other", "123456", AccessContext.of("someone"));
        }
        assertEquals(0, s.liveEntries(), "forgotten without a full sweep");
    }

    @Test
    void aRateWindowLongerThanItsCodes_keepsItsSlot_andTheLimitHolds() {
        InMemoryLatchStore s = new InMemoryLatchStore(100);
        store = s;
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(2, Duration.ofHours(6)));
        l.issue(LatchPolicy.HIGH, "latch-1", "alice");
        l.issue(LatchPolicy.HIGH, "latch-1", "alice");
        // HIGH codes expire after 15 minutes; their tombstone hour ends long before the window.
        clock.advance(Duration.ofHours(3));
        l.open("other", "123456", AccessContext.of("someone")); // any call tells the store the time
        assertEquals(1, s.size(), "the window alone keeps alice's slot");
        assertThrows(dev.latch.IssueRateLimitedException.class, () -> l.issue(LatchPolicy.HIGH, "latch-2", "alice"));
        clock.advance(Duration.ofHours(3).plusMinutes(2));
        l.open("other", "123456", AccessContext.of("someone"));
        assertEquals(0, s.size(), "window and codes are over");
        l.issue(LatchPolicy.HIGH, "latch-2", "alice");
    }

    @Test
    void aSubjectsSlots_areForgottenOneByOne_firstOrMiddle_andTheRestStillWork() {
        InMemoryLatchStore s = new InMemoryLatchStore(100);
        store = s;
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(2, Duration.ofSeconds(1)));
        LatchPolicy lasting = LatchPolicy.custom().name("lasting").ttl(Duration.ofDays(1)).maxUses(10).build();
        IssuedCode first = l.issue(LatchPolicy.HIGH, "short-1", "alice"); // alice's first slot
        IssuedCode kept1 = l.issue(lasting, "long-1", "alice");
        clock.advance(Duration.ofSeconds(2));
        IssuedCode middle = l.issue(LatchPolicy.HIGH, "short-2", "alice");
        IssuedCode kept2 = l.issue(lasting, "long-2", "alice");
        assertEquals(4, s.size());
        clock.advance(Duration.ofHours(2));
        l.open("other", "123456", AccessContext.of("someone"));
        assertEquals(2, s.size(), "both short codes' slots are gone, one of them the first");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), l.open("short-1", first.code(), AccessContext.of("alice")));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), l.open("short-2", middle.code(), AccessContext.of("alice")));
        assertTrue(l.open("long-1", kept1.code(), AccessContext.of("alice")).isOpen());
        assertTrue(l.open("long-2", kept2.code(), AccessContext.of("alice")).isOpen());
        assertTrue(s.find(kept1.codeId()).isPresent() && s.find(kept2.codeId()).isPresent());
        assertTrue(s.find(first.codeId()).isEmpty() && s.find(middle.codeId()).isEmpty());
        // The window moved on with the chain: the new first slot counts alice's issues from here.
        l.issue(LatchPolicy.HIGH, "short-1", "alice");
        l.issue(LatchPolicy.HIGH, "short-2", "alice");
        assertThrows(dev.latch.IssueRateLimitedException.class, () -> l.issue(LatchPolicy.HIGH, "short-3", "alice"));
        assertTrue(l.revoke(kept1.codeId()));
        assertEquals(4, s.size());
    }

    @Test
    void slotDigestCompare_findsEveryDifferentBit_andRoundTripsTheDigest() {
        byte[] digest = new byte[32];
        new java.util.Random(5).nextBytes(digest);
        InMemoryLatchStore.Slot slot = new InMemoryLatchStore.Slot("l", "s", java.time.Instant.EPOCH);
        slot.load(new dev.latch.spi.LatchStore.CodeRecord("c_1", "l", "s", "P", dev.latch.CodeFormat.Kind.NUMERIC,
                java.util.List.of(digest), 0, dev.latch.CodeInfo.State.PENDING, java.time.Instant.EPOCH,
                java.time.Instant.EPOCH, java.time.Instant.EPOCH.plusSeconds(60), 5, 1, 0, false, "", null));
        assertEquals(0, slot.match(digest.clone()));
        for (int bit = 0; bit < 256; bit++) {
            byte[] other = digest.clone();
            other[bit / 8] ^= (byte) (1 << (bit % 8));
            assertEquals(-1, slot.match(other), "bit " + bit);
        }
        assertEquals(-1, slot.match(java.util.Arrays.copyOf(digest, 31)));
        assertTrue(java.util.Arrays.equals(digest, slot.current().digests().get(0)));
    }

    @Test
    void constructor_refusesNonPositiveBound() {
        assertThrows(IllegalArgumentException.class, () -> new InMemoryLatchStore(0));
    }
}
