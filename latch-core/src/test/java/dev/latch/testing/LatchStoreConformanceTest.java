package dev.latch.testing;

import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.CodeFormat;
import dev.latch.CodeInfo;
import dev.latch.Verdict.DenialReason;
import dev.latch.IssueRateLimitedException;
import dev.latch.IssuedCode;
import dev.latch.Condition;
import dev.latch.IssuedStaticKey;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.LockoutPolicy;
import dev.latch.Pepper;
import dev.latch.RateLimit;
import dev.latch.RecoveryCodes;
import dev.latch.StaticKeyInfo;
import dev.latch.StaticKeySpec;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore.EventCount;
import dev.latch.spi.LatchStore;
import dev.latch.spi.LatchStore.OpenRequest;
import dev.latch.spi.LatchStore.OpenResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link LatchStore} must pass. Extend it, return a fresh empty store from
 * {@link #newStore()}, and release resources in {@link #closeStore(LatchStore)} if needed.
 *
 * <pre>{@code
 * class RedisLatchStoreConformanceTest extends LatchStoreConformanceTest {
 *     protected LatchStore newStore() { return RedisLatchStore.connect(...); }
 * }
 * }</pre>
 */
public abstract class LatchStoreConformanceTest {
    /** Threads started together in the concurrency tests. */
    protected static final int THREADS = 32;
    /** The pepper every conformance test uses. */
    protected static final Pepper PEPPER = Pepper.of(new byte[]{
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30, 31, 32});

    protected MutableClock clock;
    protected RecordingAuditSink audit;
    protected LatchStore store;
    protected Latches latches;

    /** @return a new, empty store */
    protected abstract LatchStore newStore();

    @BeforeEach
    void setUpLatches() {
        clock = MutableClock.monday10am();
        audit = new RecordingAuditSink();
        store = newStore();
        latches = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
    }

    /**
     * @param lockout a lockout policy
     * @param limit   an issue rate limit
     * @return latches on the store under test
     */
    protected Latches latches(LockoutPolicy lockout, RateLimit limit) {
        // no polling: the store-level tests of scheduled work claim items themselves
        return Latches.builder().store(store).clock(clock).pepper(PEPPER).auditSink(audit).lockout(lockout)
                .issueRateLimit(limit).pollDueWork(Duration.ZERO).build();
    }

    private static AccessContext as(String subject) {
        return AccessContext.of(subject);
    }

    @Test
    void open_rightCode_opensExactlyOnce() {
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "latch-1", "alice");
        Verdict first = latches.open("latch-1", code.code(), as("alice"));
        assertInstanceOf(Verdict.Opened.class, first);
        assertEquals(0, ((Verdict.Opened) first).usesLeft());
        assertEquals(new Verdict.Denied(DenialReason.USED), latches.open("latch-1", code.code(), as("alice")));
        assertEquals(CodeInfo.State.CONSUMED, latches.find(code.codeId()).orElseThrow().state());
    }

    @Test
    void open_wrongSubjectOrLatch_isWrongCode() {
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "latch-1", "alice");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), latches.open("latch-1", code.code(), as("mallory")));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), latches.open("latch-2", code.code(), as("alice")));
        assertTrue(latches.open("latch-1", code.code(), as("alice")).isOpen());
    }

    @Test
    void open_multiUse_opensMaxUsesTimes() {
        LatchPolicy thrice = LatchPolicy.custom().maxUses(3).build();
        IssuedCode code = latches.issue(thrice, "latch-1", "alice");
        for (int left = 2; left >= 0; left--) {
            Verdict v = latches.open("latch-1", code.code(), as("alice"));
            assertEquals(left, ((Verdict.Opened) v).usesLeft());
        }
        assertEquals(new Verdict.Denied(DenialReason.USED), latches.open("latch-1", code.code(), as("alice")));
    }

    @Test
    void expiry_followsInjectedClock() {
        LatchPolicy policy = LatchPolicy.custom().ttl(Duration.ofMinutes(15)).maxUses(2).build();
        IssuedCode code = latches.issue(policy, "latch-1", "alice");
        clock.advance(Duration.ofMinutes(15).minusMillis(1));
        assertTrue(latches.open("latch-1", code.code(), as("alice")).isOpen());
        clock.advance(Duration.ofMillis(1));
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), latches.open("latch-1", code.code(), as("alice")));
    }

    @Test
    void notBefore_followsInjectedClock() {
        LatchPolicy policy = LatchPolicy.custom().notBefore(Duration.ofMinutes(5)).build();
        IssuedCode code = latches.issue(policy, "latch-1", "alice");
        assertEquals(new Verdict.Denied(DenialReason.NOT_YET_VALID), latches.open("latch-1", code.code(), as("alice")));
        clock.advance(Duration.ofMinutes(5));
        assertTrue(latches.open("latch-1", code.code(), as("alice")).isOpen());
    }

    @Test
    void clockJumpBackwards_neverRevivesConsumedCode() {
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "latch-1", "alice");
        clock.advance(Duration.ofMinutes(1));
        assertTrue(latches.open("latch-1", code.code(), as("alice")).isOpen());
        clock.advance(Duration.ofHours(-3));
        assertEquals(new Verdict.Denied(DenialReason.USED), latches.open("latch-1", code.code(), as("alice")));
        clock.advance(Duration.ofDays(2));
        Verdict later = latches.open("latch-1", code.code(), as("alice"));
        assertFalse(later.isOpen());
    }

    @Test
    void open_reportsTheCodeItMet_idPolicyUsesReviewAndConditions() {
        // What a store returns about the code (OpenResult.code) reaches the verdict and the audit trail.
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        IssuedCode emergency = l.issue(LatchPolicy.EMERGENCY, "prod-db", "alice");
        Verdict v = l.open("prod-db", emergency.code(), as("alice"));
        assertEquals(new Verdict.Opened(emergency.codeId(), "prod-db", "alice", java.util.Set.of(), 0, true), v);
        assertEquals(1, audit.count(AuditEvent.Type.OPENED, "REVIEW_DUE"));

        LatchPolicy twice = LatchPolicy.custom().name("twice").maxUses(2).build();
        IssuedCode multi = l.issue(twice, "latch-1", "bob");
        assertEquals(new Verdict.Opened(multi.codeId(), "latch-1", "bob", java.util.Set.of(), 1, false),
                l.open("latch-1", multi.code(), as("bob")));
        assertEquals(1, audit.count(AuditEvent.Type.OPENED, "CODE", "POLICY", "twice"));

        LatchPolicy office = LatchPolicy.custom().name("office").conditions(
                dev.latch.Condition.sourceIn("10.0.0.0/8")).build();
        IssuedCode bound = l.issue(office, "latch-2", "carol");
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED),
                l.open("latch-2", bound.code(), AccessContext.builder("carol").source("192.0.2.1").build()));
        assertTrue(l.open("latch-2", bound.code(), AccessContext.builder("carol").source("10.1.2.3").build()).isOpen());
    }

    @Test
    void open_namesOutsideAscii_roundTripWhole() {
        // Two-, three- and four-byte UTF-8 characters in the latch, the subject, the policy name
        // and a condition: the store hands back exactly what was issued.
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        String latch = "tür-\u20ac-\uD83D\uDD11";
        String subject = "zoë-\u4e2d-\uD83D\uDE00";
        LatchPolicy policy = LatchPolicy.custom().name("büro-\uD83D\uDD12").maxUses(2).conditions(
                dev.latch.Condition.attribute("räum", "ü-\uD83C\uDF0D")).build();
        IssuedCode code = l.issue(policy, latch, subject);
        AccessContext ctx = AccessContext.builder(subject).attribute("räum", "ü-\uD83C\uDF0D").build();
        assertEquals(new Verdict.Opened(code.codeId(), latch, subject, java.util.Set.of(), 1, false),
                l.open(latch, code.code(), ctx));
        assertEquals(1, audit.count(AuditEvent.Type.OPENED, "CODE", "POLICY", "büro-\uD83D\uDD12"));
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED),
                l.open(latch, code.code(), AccessContext.builder(subject).attribute("räum", "u").build()));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), l.open(latch, code.code(), as("zoë-\u4e2d-?")),
                "a near-identical subject is another subject");
        assertEquals(policy.name(), store.find(code.codeId()).orElseThrow().policy());
    }

    @Test
    void open_remembersASubjectsSources_acrossItsLatches_andAlertsOnANewOne() {
        Latches l = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        LatchPolicy multi = LatchPolicy.custom().name("multi").maxUses(10).build();
        IssuedCode first = l.issue(multi, "latch-1", "dave");
        IssuedCode second = l.issue(multi, "latch-2", "dave");
        IssuedCode other = l.issue(multi, "latch-1", "erin");
        assertTrue(l.open("latch-1", first.code(), AccessContext.builder("dave").source("192.0.2.1").build()).isOpen());
        assertTrue(l.open("latch-1", first.code(), AccessContext.builder("dave").source("192.0.2.1").build()).isOpen());
        assertTrue(l.open("latch-1", first.code(), as("dave")).isOpen(), "no source: nothing to remember");
        assertEquals(0, audit.count(AuditEvent.Type.ALERT, "NEW_SOURCE"), "a first and a known source raise nothing");
        assertTrue(l.open("latch-2", second.code(), AccessContext.builder("dave").source("198.51.100.9").build()).isOpen());
        assertEquals(1, audit.count(AuditEvent.Type.ALERT, "NEW_SOURCE"), "sources are the subject's, not one latch's");
        assertTrue(l.open("latch-1", first.code(), AccessContext.builder("dave").source("198.51.100.9").build()).isOpen());
        assertTrue(l.open("latch-1", other.code(), AccessContext.builder("erin").source("203.0.113.5").build()).isOpen());
        assertEquals(1, audit.count(AuditEvent.Type.ALERT, "NEW_SOURCE"), "known now; and another subject's first");
    }

    @Test
    void clockJumpForwards_expiresCodeAndEndsLock() {
        Latches strict = latches(LockoutPolicy.of(2, Duration.ofMinutes(10), Duration.ofHours(1)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        IssuedCode code = strict.issue(LatchPolicy.LOW, "latch-1", "alice");
        strict.open("latch-1", wrongFor(code), as("alice"));
        strict.open("latch-1", wrongFor(code), as("alice"));
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), strict.open("latch-1", code.code(), as("alice")));
        clock.advance(Duration.ofMinutes(10));
        assertTrue(strict.open("latch-1", code.code(), as("alice")).isOpen());
        IssuedCode second = strict.issue(LatchPolicy.LOW, "latch-1", "alice");
        clock.advance(LatchPolicy.LOW.ttl().plusMinutes(1));
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), strict.open("latch-1", second.code(), as("alice")));
        // Past the tombstone hour a store may have dropped the slot (the in-memory store expires
        // entries by the injected clock): the code is then unknown, and still never opens.
        clock.advance(Duration.ofDays(3));
        assertFalse(strict.open("latch-1", second.code(), as("alice")).isOpen());
    }

    @Test
    void clockJumpBackwards_keepsLockInForce() {
        Latches strict = latches(LockoutPolicy.of(2, Duration.ofMinutes(10), Duration.ofHours(1)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        IssuedCode code = strict.issue(LatchPolicy.LOW, "latch-1", "alice");
        strict.open("latch-1", wrongFor(code), as("alice"));
        strict.open("latch-1", wrongFor(code), as("alice"));
        clock.advance(Duration.ofMinutes(-30));
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), strict.open("latch-1", code.code(), as("alice")));
    }

    @Test
    void singleUse_under32ThreadsStartedTogether_opensOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < 20; round++) {
                IssuedCode code = latches.issue(LatchPolicy.HIGH, "race-" + round, "alice");
                CyclicBarrier barrier = new CyclicBarrier(THREADS);
                List<Future<Verdict>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    results.add(pool.submit(() -> {
                        barrier.await(10, TimeUnit.SECONDS);
                        return latches.open(code.latchId(), code.code(), as("alice"));
                    }));
                }
                int opened = 0;
                for (Future<Verdict> f : results) {
                    Verdict v = f.get(30, TimeUnit.SECONDS);
                    if (v.isOpen()) {
                        opened++;
                    } else {
                        assertEquals(new Verdict.Denied(DenialReason.USED), v);
                    }
                }
                assertEquals(1, opened, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void attempts_countedAtomicallyUnderConcurrency() throws Exception {
        // 32 concurrent wrong guesses must count 32 failures: with the lockout threshold at 33,
        // exactly one more failure locks. A lost update would leave the latch unlocked.
        Latches counting = latches(LockoutPolicy.of(THREADS + 1, Duration.ofMinutes(5), Duration.ofHours(1)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        LatchPolicy fiveTries = LatchPolicy.custom().maxAttempts(5).ttl(Duration.ofHours(1)).build();
        IssuedCode code = counting.issue(fiveTries, "latch-1", "alice");
        String wrong = code.code().equals("123456") ? "654321" : "123456";
        runTogether(THREADS, () -> counting.open("latch-1", wrong, as("alice")));
        CodeInfo info = counting.find(code.codeId()).orElseThrow();
        assertEquals(0, info.attemptsLeft());
        assertEquals(CodeInfo.State.BURNED, info.state());
        assertEquals(1, audit.count(AuditEvent.Type.REVOKED, "BURNED"), "burned exactly once");
        assertEquals(0, audit.ofType(AuditEvent.Type.LOCKED_OUT).size());
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), counting.open("latch-1", code.code(), as("alice")),
                "a burned code never opens");
        counting.open("latch-1", wrong, as("alice"));
        assertEquals(1, audit.ofType(AuditEvent.Type.LOCKED_OUT).size(), "the 33rd failure locks");
    }

    @Test
    void attempts_rightCodeRacingWrongGuesses_neverOpensAfterBurn() throws Exception {
        for (int round = 0; round < 10; round++) {
            LatchPolicy threeTries = LatchPolicy.custom().maxAttempts(3).build();
            Latches l = latches(LockoutPolicy.of(100, Duration.ofSeconds(1), Duration.ofSeconds(1)),
                    RateLimit.of(1000, Duration.ofSeconds(1)));
            IssuedCode code = l.issue(threeTries, "race-" + round, "alice");
            String wrong = code.code().equals("123456") ? "654321" : "123456";
            List<Verdict> verdicts = runTogether(THREADS, i -> l.open(code.latchId(), i == 0 ? code.code() : wrong,
                    as("alice")));
            long wrongAnswers = verdicts.stream().filter(v -> v.equals(new Verdict.Denied(DenialReason.WRONG_CODE))).count();
            boolean opened = verdicts.get(0).isOpen();
            // The right code opens only if fewer than 3 wrong guesses were decided before it.
            CodeInfo info = l.find(code.codeId()).orElseThrow();
            if (opened) {
                assertEquals(CodeInfo.State.CONSUMED, info.state());
            } else {
                assertEquals(new Verdict.Denied(DenialReason.LOCKED), verdicts.get(0));
                assertEquals(CodeInfo.State.BURNED, info.state());
            }
            assertEquals(THREADS - 1, wrongAnswers);
        }
    }

    @Test
    void replace_issuingAgainInvalidatesOldCodeAndKeepsFailures() {
        Latches strict = latches(LockoutPolicy.of(3, Duration.ofMinutes(1), Duration.ofHours(1)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        IssuedCode first = strict.issue(LatchPolicy.HIGH, "latch-1", "alice");
        strict.open("latch-1", wrongFor(first), as("alice"));
        strict.open("latch-1", wrongFor(first), as("alice"));
        IssuedCode second = strict.issue(LatchPolicy.HIGH, "latch-1", "alice");
        assertEquals(1, audit.count(AuditEvent.Type.REVOKED, "REPLACED"));
        assertEquals(CodeInfo.State.PENDING, strict.find(second.codeId()).orElseThrow().state());
        if (!first.code().equals(second.code())) {
            assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), strict.open("latch-1", first.code(), as("alice")));
            // that was the third consecutive failure: locked, even for the new code
            assertEquals(new Verdict.Denied(DenialReason.LOCKED), strict.open("latch-1", second.code(), as("alice")));
        }
    }

    @Test
    void reissue_onlyTheNewestIdIsFound_alsoWhenTwoLatchesShareTheStore() {
        // Two Latches on one store draw code ids with different tags for the same latch and
        // subject; alternating them moves the slot in an id table where ids are filed by tag.
        Latches a = latches;
        Latches b = latches(LockoutPolicy.DEFAULT, RateLimit.of(1000, Duration.ofSeconds(1)));
        java.util.List<String> old = new java.util.ArrayList<>();
        String current = null;
        for (int i = 0; i < 40; i++) {
            Latches issuer = i % 10 < 7 ? a : b; // runs of the same issuer, then a switch
            IssuedCode c = issuer.issue(LatchPolicy.HIGH, "latch-1", "alice");
            latches.issue(LatchPolicy.HIGH, "latch-1", "bob-" + i); // others filed meanwhile
            if (current != null) {
                old.add(current);
            }
            current = c.codeId();
            assertEquals(c.codeId(), a.find(current).orElseThrow().codeId());
            assertEquals(c.codeId(), b.find(current).orElseThrow().codeId());
            for (String gone : old) {
                assertTrue(a.find(gone).isEmpty(), "a replaced id is not found");
            }
        }
        for (String gone : old) {
            assertFalse(latches.revoke(gone), "a replaced id cannot be revoked");
        }
        assertTrue(latches.revoke(current));
        assertEquals(CodeInfo.State.REVOKED, latches.find(current).orElseThrow().state());
    }

    @Test
    void revoke_byIdLatchAndSubject() {
        IssuedCode a = latches.issue(LatchPolicy.HIGH, "latch-1", "alice");
        IssuedCode b = latches.issue(LatchPolicy.HIGH, "latch-1", "bob");
        IssuedCode c = latches.issue(LatchPolicy.HIGH, "latch-2", "bob");
        IssuedCode d = latches.issue(LatchPolicy.HIGH, "latch-3", "carol");
        IssuedCode e = latches.issue(LatchPolicy.HIGH, "latch-4", "bob");
        assertTrue(latches.revoke(a.codeId()));
        assertFalse(latches.revoke(a.codeId()), "already revoked");
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), latches.open("latch-1", a.code(), as("alice")));
        assertEquals(1, latches.revokeLatch("latch-1"));
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), latches.open("latch-1", b.code(), as("bob")));
        assertEquals(2, latches.revokeSubject("bob"), "every pending code of bob's, the one revoked already not again");
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), latches.open("latch-2", c.code(), as("bob")));
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), latches.open("latch-4", e.code(), as("bob")));
        assertTrue(latches.open("latch-3", d.code(), as("carol")).isOpen(), "others untouched");
        assertFalse(latches.revoke("c_doesnotexist"));
    }

    @Test
    void lockout_backsOffExponentiallyAndSuccessResets() {
        Latches strict = latches(LockoutPolicy.of(3, Duration.ofMinutes(1), Duration.ofMinutes(10)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        LatchPolicy many = LatchPolicy.custom().maxAttempts(100).ttl(Duration.ofHours(2)).build();
        IssuedCode code = strict.issue(many, "latch-1", "alice");
        String wrong = wrongFor(code);
        for (int i = 0; i < 3; i++) {
            assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), strict.open("latch-1", wrong, as("alice")));
        }
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), strict.open("latch-1", code.code(), as("alice")),
                "a correct code after lockout does not open");
        clock.advance(Duration.ofMinutes(1));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), strict.open("latch-1", wrong, as("alice")));
        clock.advance(Duration.ofMinutes(1).plusSeconds(59));
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), strict.open("latch-1", code.code(), as("alice")),
                "second lock lasts 2 minutes");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), strict.open("latch-1", wrong, as("alice")));
        clock.advance(Duration.ofMinutes(4));
        assertTrue(strict.open("latch-1", code.code(), as("alice")).isOpen(), "third lock lasted 4 minutes");
        assertEquals(3, audit.ofType(AuditEvent.Type.LOCKED_OUT).size(), "three locks in all");
        // success reset the count: two more failures do not lock
        IssuedCode next = strict.issue(many, "latch-1", "alice");
        strict.open("latch-1", wrongFor(next), as("alice"));
        strict.open("latch-1", wrongFor(next), as("alice"));
        assertTrue(strict.open("latch-1", next.code(), as("alice")).isOpen());
    }

    @Test
    void lockout_successBelowTheThreshold_resetsTheCount() {
        Latches strict = latches(LockoutPolicy.of(3, Duration.ofMinutes(1), Duration.ofMinutes(10)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        LatchPolicy many = LatchPolicy.custom().maxAttempts(100).maxUses(5).ttl(Duration.ofHours(2)).build();
        IssuedCode code = strict.issue(many, "latch-1", "alice");
        String wrong = wrongFor(code);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 2; i++) {
                assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), strict.open("latch-1", wrong, as("alice")));
            }
            assertTrue(strict.open("latch-1", code.code(), as("alice")).isOpen(),
                    "two failures after each success: never the three that lock");
        }
        assertTrue(audit.ofType(AuditEvent.Type.LOCKED_OUT).isEmpty());
    }

    @Test
    void lockout_isPerSubjectAndLatch() {
        Latches strict = latches(LockoutPolicy.of(2, Duration.ofMinutes(5), Duration.ofMinutes(10)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        IssuedCode alice = strict.issue(LatchPolicy.HIGH, "latch-1", "alice");
        IssuedCode bob = strict.issue(LatchPolicy.HIGH, "latch-1", "bob");
        IssuedCode alice2 = strict.issue(LatchPolicy.HIGH, "latch-2", "alice");
        strict.open("latch-1", wrongFor(alice), as("alice"));
        strict.open("latch-1", wrongFor(alice), as("alice"));
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), strict.open("latch-1", alice.code(), as("alice")));
        assertTrue(strict.open("latch-1", bob.code(), as("bob")).isOpen());
        assertTrue(strict.open("latch-2", alice2.code(), as("alice")).isOpen());
    }

    @Test
    void issueRateLimit_refusesOverLimitWithinWindow() {
        Latches limited = latches(LockoutPolicy.DEFAULT, RateLimit.of(3, Duration.ofMinutes(15)));
        for (int i = 0; i < 3; i++) {
            limited.issue(LatchPolicy.HIGH, "latch-" + i, "alice");
        }
        assertThrows(IssueRateLimitedException.class, () -> limited.issue(LatchPolicy.HIGH, "latch-9", "alice"));
        assertEquals(1, audit.ofType(AuditEvent.Type.RATE_LIMITED).size());
        limited.issue(LatchPolicy.HIGH, "latch-9", "bob");
        clock.advance(Duration.ofMinutes(15));
        limited.issue(LatchPolicy.HIGH, "latch-9", "alice");
    }

    @Test
    void issueRateLimit_racedBy32ThreadsOnNewLatches_takesExactlyTheLimit() throws Exception {
        // Each thread issues on a latch of its own, so every issue also makes the subject's state
        // for a new latch while the others do: the limit is one count across all of them.
        Latches limited = latches(LockoutPolicy.DEFAULT, RateLimit.of(5, Duration.ofMinutes(15)));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < 5; round++) {
                String subject = "rate-" + round;
                CyclicBarrier barrier = new CyclicBarrier(THREADS);
                List<Future<IssuedCode>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    String latchId = "latch-" + t;
                    results.add(pool.submit(() -> {
                        barrier.await(10, TimeUnit.SECONDS);
                        try {
                            return limited.issue(LatchPolicy.HIGH, latchId, subject);
                        } catch (IssueRateLimitedException e) {
                            return null;
                        }
                    }));
                }
                List<IssuedCode> issued = new ArrayList<>();
                for (Future<IssuedCode> f : results) {
                    IssuedCode c = f.get(30, TimeUnit.SECONDS);
                    if (c != null) {
                        issued.add(c);
                    }
                }
                assertEquals(5, issued.size(), "round " + round);
                for (IssuedCode c : issued) { // every issued code was stored whole and opens
                    assertTrue(limited.open(c.latchId(), c.code(), as(subject)).isOpen(), c.latchId());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void renew_extendsOncePendingOnly() {
        LatchPolicy renewable = LatchPolicy.custom().ttl(Duration.ofMinutes(10)).renewals(1).maxUses(1).build();
        IssuedCode code = latches.issue(renewable, "latch-1", "alice");
        clock.advance(Duration.ofMinutes(8));
        Instant newExpiry = latches.renew(code.codeId()).orElseThrow();
        assertEquals(clock.instant().plus(Duration.ofMinutes(10)), newExpiry);
        assertTrue(latches.renew(code.codeId()).isEmpty(), "only once");
        clock.advance(Duration.ofMinutes(9));
        assertTrue(latches.open("latch-1", code.code(), as("alice")).isOpen());
        assertTrue(latches.renew(code.codeId()).isEmpty(), "used codes are never renewed");

        IssuedCode revoked = latches.issue(renewable, "latch-2", "alice");
        latches.revoke(revoked.codeId());
        assertTrue(latches.renew(revoked.codeId()).isEmpty(), "revoked codes are never renewed");
        IssuedCode expired = latches.issue(renewable, "latch-3", "alice");
        clock.advance(Duration.ofMinutes(11));
        assertTrue(latches.renew(expired.codeId()).isEmpty(), "expired codes are never renewed");
        IssuedCode fixed = latches.issue(LatchPolicy.HIGH, "latch-4", "alice");
        assertTrue(latches.renew(fixed.codeId()).isEmpty(), "HIGH allows no renewal");
    }

    /** A record with every optional field set and 64 digests (the most a record may hold). */
    private static CodeRecord fullRecord(Instant now) {
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] d = new byte[32];
            d[0] = (byte) i;
            d[31] = (byte) (255 - i);
            digests.add(d);
        }
        byte[] request = new byte[32];
        request[5] = 42;
        return new CodeRecord("c_fül|l:1", "latch-full", "sübject ✓", "Pólicy|𝄞:2", CodeFormat.Kind.BASE32, digests,
                (1L << 40) | 1L, CodeInfo.State.PENDING, now, now.minusSeconds(5), now.plusSeconds(600), 7, 64, 2,
                true, "approvals=2|ü", request);
    }

    private static OpenRequest openWith(CodeRecord record, byte[] digest, Instant now) {
        return new OpenRequest(record.latchId(), record.subject(), digest, null, Set.of(record.kind()), record.request(),
                null, true, now, LockoutPolicy.DEFAULT);
    }

    @Test
    void open_checksTheBoundRequestThenConditions_withEveryMixOfOptionalInputs() {
        // Each optional input of an open (request, conditions cleared, source) present or not, in
        // every position: a store that misreads one of them opens what it must not, or refuses
        // what it must open.
        Instant now = clock.instant();
        CodeRecord base = fullRecord(now);
        byte[] digest = base.digests().get(0);
        CodeRecord bound = new CodeRecord("c_bound", "latch-b", "alice", "p", base.kind(), List.of(digest), 0,
                CodeInfo.State.PENDING, now, now, now.plusSeconds(600), 5, 10, 0, false, "approvals=1",
                base.request());
        assertTrue(store.issue(bound, null, now).issued());
        byte[] other = base.request().clone();
        other[0] ^= 1;
        Set<CodeFormat.Kind> kinds = Set.of(bound.kind());
        java.util.function.BiFunction<byte[], Boolean, OpenResult> open = (request, cleared) -> store.open(
                new OpenRequest("latch-b", "alice", digest, null, kinds, request, null, cleared, now,
                        LockoutPolicy.DEFAULT));
        assertEquals(OpenResult.Outcome.REQUEST_MISMATCH, open.apply(null, false).outcome(), "no request given");
        assertEquals(OpenResult.Outcome.REQUEST_MISMATCH, open.apply(null, true).outcome(), "no request, cleared");
        assertEquals(OpenResult.Outcome.REQUEST_MISMATCH, open.apply(other, true).outcome(), "another request");
        assertEquals(OpenResult.Outcome.CONDITIONS_PENDING, open.apply(base.request(), false).outcome());
        OpenResult opened = store.open(new OpenRequest("latch-b", "alice", digest, null, kinds, base.request(),
                "192.0.2.7", true, now, LockoutPolicy.DEFAULT));
        assertEquals(OpenResult.Outcome.OPENED, opened.outcome());
        assertEquals(OpenResult.SourceSighting.FIRST, opened.sighting());
        assertEquals(9, opened.code().usesLeft());
        assertEquals(OpenResult.Outcome.OPENED, open.apply(base.request(), true).outcome(), "no source this time");

        CodeRecord requestOnly = new CodeRecord("c_request", "latch-r", "alice", "p", base.kind(), List.of(digest), 0,
                CodeInfo.State.PENDING, now, now, now.plusSeconds(600), 5, 10, 0, false, "", base.request());
        assertTrue(store.issue(requestOnly, null, now).issued());
        java.util.function.Function<byte[], OpenResult> openBound = request -> store.open(
                new OpenRequest("latch-r", "alice", digest, null, kinds, request, null, false, now,
                        LockoutPolicy.DEFAULT));
        assertEquals(OpenResult.Outcome.REQUEST_MISMATCH, openBound.apply(null).outcome(), "bound, no conditions, none given");
        assertEquals(OpenResult.Outcome.REQUEST_MISMATCH, openBound.apply(other).outcome(), "bound, no conditions, another");
        assertEquals(OpenResult.Outcome.OPENED, openBound.apply(base.request()).outcome(), "bound, no conditions, the one");

        CodeRecord plain = new CodeRecord("c_plain", "latch-p", "bob", "p", base.kind(), List.of(digest), 0,
                CodeInfo.State.PENDING, now, now, now.plusSeconds(600), 5, 10, 0, false, "", null);
        assertTrue(store.issue(plain, null, now).issued());
        java.util.function.BiFunction<byte[], String, OpenResult> openPlain = (request, source) -> store.open(
                new OpenRequest("latch-p", "bob", digest, null, kinds, request, source, false, now,
                        LockoutPolicy.DEFAULT));
        assertEquals(OpenResult.Outcome.OPENED, openPlain.apply(null, null).outcome(), "nothing optional");
        assertEquals(OpenResult.Outcome.OPENED, openPlain.apply(other, null).outcome(), "a request, none bound");
        OpenResult sourced = openPlain.apply(null, "198.51.100.1");
        assertEquals(OpenResult.Outcome.OPENED, sourced.outcome(), "a source only");
        assertEquals(OpenResult.SourceSighting.FIRST, sourced.sighting());
        assertNull(openPlain.apply(null, null).sighting(), "no source, no sighting");
        assertEquals(OpenResult.SourceSighting.NEW, openPlain.apply(null, "198.51.100.2").sighting());
        assertEquals(4, store.open(new OpenRequest("latch-p", "bob", digest, null, kinds, null, null, false, now,
                LockoutPolicy.DEFAULT)).code().usesLeft());
    }

    @Test
    void open_pendingCodeWithNoUsesLeft_isUsed() {
        Instant now = clock.instant();
        byte[] digest = fullRecord(now).digests().get(0);
        CodeRecord spent = new CodeRecord("c_spent", "latch-s", "alice", "p", CodeFormat.Kind.BASE32, List.of(digest), 0,
                CodeInfo.State.PENDING, now, now, now.plusSeconds(600), 5, 0, 0, false, "", null);
        assertTrue(store.issue(spent, null, now).issued());
        assertEquals(OpenResult.Outcome.USED, store.open(new OpenRequest("latch-s", "alice", digest, null,
                Set.of(CodeFormat.Kind.BASE32), null, null, false, now, LockoutPolicy.DEFAULT)).outcome());
    }

    @Test
    void find_returnsTheIssuedRecordFieldForField() {
        Instant now = clock.instant();
        CodeRecord record = fullRecord(now);
        assertTrue(store.issue(record, null, now).issued());
        CodeRecord found = store.find("c_fül|l:1").orElseThrow();
        assertEquals(record.toString(), found.toString());
        assertEquals(record.usedSlots(), found.usedSlots());
        assertEquals(record.issuedAt(), found.issuedAt());
        assertEquals(record.notBefore(), found.notBefore());
        assertEquals(record.renewalsLeft(), found.renewalsLeft());
        assertEquals(record.reviewRequired(), found.reviewRequired());
        assertEquals(record.conditions(), found.conditions());
        assertArrayEquals(record.request(), found.request());
        assertEquals(64, found.digests().size());
        for (int i = 0; i < 64; i++) {
            assertArrayEquals(record.digests().get(i), found.digests().get(i), "digest " + i);
        }
    }

    @Test
    void find_keepsLongFieldsWhole() {
        Instant now = clock.instant();
        CodeRecord base = fullRecord(now);
        String conditions = "c".repeat(40_000); // longer than a 16-bit length prefix can say
        CodeRecord record = new CodeRecord("c_long", "latch-long", "s".repeat(1_000), "P".repeat(300), base.kind(),
                base.digests().subList(0, 1), 0, base.state(), now, now, now.plusSeconds(60), 5, 1, 0, false, conditions,
                null);
        store.issue(record, null, now);
        CodeRecord found = store.find("c_long").orElseThrow();
        assertEquals(conditions, found.conditions());
        assertEquals(record.subject(), found.subject());
        assertEquals(record.policy(), found.policy());
        OpenResult opened = store.open(openWith(record, record.digests().get(0), now));
        assertEquals(OpenResult.Outcome.OPENED, opened.outcome());
        assertEquals(conditions, opened.code().conditions());
    }

    @Test
    void open_sixtyFourDigests_eachSlotOpensOnceAndSlotsNeverAlias() {
        Instant now = clock.instant();
        CodeRecord record = fullRecord(now); // slots 0 and 40 already used
        store.issue(record, null, now);
        assertEquals(OpenResult.Outcome.USED, store.open(openWith(record, record.digests().get(0), now)).outcome());
        assertEquals(OpenResult.Outcome.USED, store.open(openWith(record, record.digests().get(40), now)).outcome());
        for (int i : new int[]{32, 8, 63, 1, 33, 31}) { // 32 and 8 are 0 and 40 modulo 32
            OpenResult first = store.open(openWith(record, record.digests().get(i), now));
            assertEquals(OpenResult.Outcome.OPENED, first.outcome(), "slot " + i);
            assertEquals(record.codeId(), first.code().codeId());
            assertEquals(record.policy(), first.code().policy());
            assertEquals(record.conditions(), first.code().conditions());
            assertTrue(first.code().reviewRequired());
            assertEquals(OpenResult.Outcome.USED, store.open(openWith(record, record.digests().get(i), now)).outcome(),
                    "slot " + i + " again");
        }
        CodeRecord after = store.find("c_fül|l:1").orElseThrow();
        assertEquals((1L << 40) | 1L | (1L << 32) | (1L << 8) | (1L << 63) | (1L << 1) | (1L << 33) | (1L << 31),
                after.usedSlots());
        assertEquals(58, after.usesLeft());
        assertEquals(CodeInfo.State.PENDING, after.state());
    }

    @Test
    void recoveryCodes_eachOpensOnceAndNewSetRevokesOld() {
        RecoveryCodes set = latches.issueRecoveryCodes("alice", 5);
        assertEquals(5, set.codes().size());
        assertEquals(5, set.codes().stream().distinct().count());
        for (int i = 0; i < 5; i++) {
            String typed = i % 2 == 0 ? set.codes().get(i) : set.codes().get(i).toLowerCase().replace("-", "");
            Verdict v = latches.redeemRecoveryCode(typed, as("alice"));
            assertEquals(4 - i, ((Verdict.Opened) v).usesLeft());
            assertEquals(new Verdict.Denied(DenialReason.USED), latches.redeemRecoveryCode(set.codes().get(i), as("alice")));
        }
        RecoveryCodes old = latches.issueRecoveryCodes("bob", 3);
        RecoveryCodes fresh = latches.issueRecoveryCodes("bob", 3);
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), latches.redeemRecoveryCode(old.codes().get(0), as("bob")));
        assertTrue(latches.redeemRecoveryCode(fresh.codes().get(2), as("bob")).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), latches.redeemRecoveryCode(fresh.codes().get(0), as("alice")),
                "codes belong to their subject");
    }

    @Test
    void staticKeys_authenticateRotateRevoke() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("ci-bot").prefix("lk_test")
                .scopes("deploy:staging").build());
        Verdict ok = latches.authenticate(key.key(), AccessContext.builder("ci-bot").source("192.0.2.10").build());
        assertEquals(java.util.Set.of("deploy:staging"), ((Verdict.Opened) ok).scopes());
        StaticKeyInfo info = latches.keyInfo(key.keyId()).orElseThrow();
        assertEquals(clock.instant(), info.lastUsedAt().orElseThrow());
        assertEquals("192.0.2.10", info.lastUsedFrom().orElseThrow());

        IssuedStaticKey next = latches.rotate(key.keyId(), Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(59));
        assertTrue(latches.authenticate(key.key(), as("x")).isOpen(), "old key works during overlap");
        assertTrue(latches.authenticate(next.key(), as("x")).isOpen());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), latches.authenticate(key.key(), as("x")));
        assertTrue(latches.revokeKey(next.keyId()));
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), latches.authenticate(next.key(), as("x")));
        assertFalse(latches.revokeKey(next.keyId()));
    }

    @Test
    void staticKeys_expire() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").expiresAfter(Duration.ofDays(1)).build());
        assertTrue(latches.authenticate(key.key(), as("svc")).isOpen());
        clock.advance(Duration.ofDays(1));
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), latches.authenticate(key.key(), as("svc")));
    }

    @Test
    void counter_acceptsOnceAndRejectsReplayOfThatOrAnyLowerCounter() {
        assertTrue(latches.nextCounter("totp", "alice").isEmpty());
        assertTrue(latches.openCounter("totp", as("alice"), new long[]{10}, true).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.REPLAYED), latches.openCounter("totp", as("alice"), new long[]{10}, true));
        assertEquals(new Verdict.Denied(DenialReason.REPLAYED), latches.openCounter("totp", as("alice"), new long[]{9}, true));
        assertTrue(latches.openCounter("totp", as("alice"), new long[]{11}, true).isOpen());
        assertEquals(12, latches.nextCounter("totp", "alice").getAsLong());
        assertTrue(latches.openCounter("totp", as("bob"), new long[]{10}, true).isOpen(), "per subject");
        assertTrue(latches.openCounter("totp", as("alice"), new long[]{Long.MAX_VALUE / 2}, true).isOpen(),
                "64-bit counters");
    }

    // ---------------------------------------------------------------- the asynchronous API

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void async_issueAndOpen_answerAsTheBlockingCallsDo() {
        IssuedCode code = join(latches.issueAsync(LatchPolicy.HIGH, "deploy", "alice"));
        String wrong = code.code().equals("000000") ? "111111" : "000000";
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), join(latches.openAsync("deploy", wrong, as("alice"))));
        assertTrue(join(latches.openAsync("deploy", code.code(), as("alice"))).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.USED), join(latches.openAsync("deploy", code.code(), as("alice"))));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), join(latches.openAsync("deploy", "x\nFORGED", as("alice"))));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), join(latches.openAsync("~gate/x", code.code(), as("alice"))));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), join(latches.openAsync("deploy", code.code(), null)));
        LatchPolicy fenced = LatchPolicy.from(LatchPolicy.HIGH).conditions(Condition.sourceIn("10.0.0.0/8")).build();
        IssuedCode c2 = join(latches.issueAsync(fenced, "deploy", "bob"));
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), join(latches.openAsync("deploy", c2.code(),
                AccessContext.builder("bob").source("192.0.2.1").build())));
        assertTrue(join(latches.openAsync("deploy", c2.code(), AccessContext.builder("bob").source("10.1.2.3").build())).isOpen());
        assertThrows(IllegalArgumentException.class, () -> latches.issueAsync(LatchPolicy.HIGH, "~gate/x", "alice"));
    }

    @Test
    void async_aOneTimeCode_opensOnce_underManyOpensInFlightAtOnce() {
        for (int round = 0; round < 5; round++) {
            IssuedCode code = join(latches.issueAsync(LatchPolicy.HIGH, "deploy", "carol"));
            List<java.util.concurrent.CompletableFuture<Verdict>> all = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                all.add(latches.openAsync("deploy", code.code(), as("carol")).toCompletableFuture());
            }
            long opened = all.stream().map(java.util.concurrent.CompletableFuture::join).filter(Verdict::isOpen).count();
            assertEquals(1, opened, "round " + round);
        }
    }

    @Test
    void async_issuesStartedBackToBack_allLand() {
        List<java.util.concurrent.CompletableFuture<IssuedCode>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(latches.issueAsync(LatchPolicy.HIGH, "batch", "user-" + i).toCompletableFuture());
        }
        for (int i = 0; i < 50; i++) {
            IssuedCode c = all.get(i).join();
            assertTrue(latches.open("batch", c.code(), as("user-" + i)).isOpen(), "user-" + i);
        }
    }

    /** Arguments documented as optional: method/arity/index. */
    private static final Set<String> NULLABLE = Set.of("issue/4/3", "issueAndDeliver/5/4");

    /** A valid argument of each parameter type of {@link Latches}' public methods. */
    private static Object valid(Class<?> type) {
        if (type == String.class) {
            return "s1";
        }
        if (type == LatchPolicy.class) {
            return LatchPolicy.HIGH;
        }
        if (type == AccessContext.class) {
            return AccessContext.of("s1");
        }
        if (type == dev.latch.RequestDigest.class) {
            return dev.latch.RequestDigest.of("request");
        }
        if (type == StaticKeySpec.class) {
            return StaticKeySpec.builder("s1").build();
        }
        if (type == Duration.class) {
            return Duration.ofHours(1);
        }
        if (type == long[].class) {
            return new long[]{1};
        }
        if (type == int.class) {
            return 3;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == LatchPolicy.RiskTiers.class) {
            return LatchPolicy.RiskTiers.standard(LatchPolicy.HIGH);
        }
        if (type == LatchPolicy.RiskTiers.Decision.class) {
            LatchPolicy.RiskTiers tiers = LatchPolicy.RiskTiers.standard(LatchPolicy.HIGH);
            return new LatchPolicy.RiskTiers.Decision("s1", "s1",
                    new dev.latch.spi.RiskAssessor.Risk(dev.latch.spi.RiskAssessor.Level.LOW, java.util.List.of()),
                    tiers.strength(dev.latch.spi.RiskAssessor.Level.LOW), tiers.policy(dev.latch.spi.RiskAssessor.Level.LOW));
        }
        throw new AssertionError("no valid value for " + type);
    }

    /**
     * Every public method of Latches, with null for each of its reference arguments in turn, on
     * every store: a method that answers with a verdict denies it as MALFORMED, a lookup or
     * revocation by id finds nothing (false or empty), and every other method throws
     * IllegalArgumentException naming the argument; none throws a bare NullPointerException.
     */
    @Test
    void everyPublicMethod_nullArgument_isMalformedOrIllegalArgument() throws Exception {
        int calls = 0;
        List<String> wrong = new ArrayList<>();
        for (java.lang.reflect.Method m : Latches.class.getMethods()) {
            if (m.getDeclaringClass() != Latches.class || java.lang.reflect.Modifier.isStatic(m.getModifiers())
                    || m.getParameterCount() == 0) {
                continue;
            }
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i].isPrimitive()) {
                    continue;
                }
                String signature = m.getName() + "/" + types.length + "/" + i;
                if (NULLABLE.contains(signature)) {
                    continue; // documented as optional: null means "not bound to a request"
                }
                Object[] args = new Object[types.length];
                for (int j = 0; j < types.length; j++) {
                    args[j] = j == i ? null : valid(types[j]);
                }
                String call = m.getName() + java.util.Arrays.toString(types) + " with argument " + i + " null";
                calls++;
                try {
                    try {
                    Object result = m.invoke(latches, args);
                    if (result instanceof java.util.concurrent.CompletionStage<?> stage) {
                        // the asynchronous calls answer bad input as the blocking ones do, in the stage
                        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), stage.toCompletableFuture().join(), call);
                    } else if (m.getReturnType() == Verdict.class) {
                        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), result, call);
                    } else if (m.getReturnType() == boolean.class) {
                        assertEquals(false, result, call + ": an id that is not one finds nothing");
                    } else if (m.getReturnType() == Optional.class) {
                        assertEquals(Optional.empty(), result, call + ": an id that is not one finds nothing");
                    } else if (m.getReturnType() == dev.latch.Review.Acknowledgement.class) {
                        dev.latch.Review.Outcome o = ((dev.latch.Review.Acknowledgement) result).outcome();
                        assertTrue(o == dev.latch.Review.Outcome.NO_REVIEW || o == dev.latch.Review.Outcome.MALFORMED,
                                call + ": a typed denial, got " + o);
                    } else {
                        throw new AssertionError(call + " returned " + result + " instead of refusing");
                    }
                } catch (java.lang.reflect.InvocationTargetException e) {
                    Throwable t = e.getCause();
                    assertTrue(m.getReturnType() != Verdict.class, call + " threw instead of answering MALFORMED: " + t);
                    assertEquals(IllegalArgumentException.class, t.getClass(), call + ": " + t);
                    assertTrue(t.getMessage() != null && !t.getMessage().isBlank(), call + ": the message names the rule");
                }
                    } catch (AssertionError e) {
                        wrong.add(e.getMessage());
                    }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(calls > 30, "the public methods were found: " + calls);
    }

    /** Hostile text: a forged log line, ANSI escape, NUL, a right-to-left override, a line separator, 1 MB. */
    private static final String[] HOSTILE = {"x\nFORGED", "\u001b[31mFORGED", "FORGED\u0000", "\u202EFORGED",
            "FORGED\u2028x", "FORGED".repeat(200_000)};

    /**
     * Every public method of Latches, with hostile text for each string argument in turn, on
     * every store: a typed answer (a denial, nothing found, IllegalArgumentException or
     * IllegalStateException), and no exception message or audit field repeats the input or
     * carries a control, line-separator or bidirectional character.
     */
    @Test
    void everyPublicMethod_hostileText_typedAnswerAndNoEcho() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (java.lang.reflect.Method m : Latches.class.getMethods()) {
            if (m.getDeclaringClass() != Latches.class || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i] != String.class) {
                    continue;
                }
                for (String hostile : HOSTILE) {
                    Object[] args = new Object[types.length];
                    for (int j = 0; j < types.length; j++) {
                        args[j] = j == i ? hostile : valid(types[j]);
                    }
                    String call = m.getName() + "/" + types.length + " argument " + i + " hostile #"
                            + java.util.Arrays.asList(HOSTILE).indexOf(hostile);
                    try {
                        Object result = m.invoke(latches, args);
                        if (result instanceof Verdict && ((Verdict) result).isOpen()) {
                            wrong.add(call + " opened");
                        }
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        Throwable t = e.getCause();
                        if (!(t instanceof IllegalArgumentException || t instanceof IllegalStateException)) {
                            wrong.add(call + " threw " + t.getClass().getName());
                        } else if (t.getMessage() == null || t.getMessage().contains("FORGED")
                                || t.getMessage().length() > 300) {
                            wrong.add(call + " repeated the input in its message");
                        }
                    }
                }
            }
        }
        for (AuditEvent e : audit.events()) {
            String line = e.describe();
            if (line.contains("FORGED") || line.chars().anyMatch(c -> Character.isISOControl(c)
                    || dev.latch.spi.Names.isLineOrDirectionControl((char) c))) {
                wrong.add("an audit event repeated hostile input: " + line.substring(0, Math.min(200, line.length())));
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void staticKeyConditions_areStoredWithTheKeyCheckedOnEveryUseAndKeptOnRotation() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("billing").scopes("invoices:read")
                .conditions(dev.latch.Condition.sourceIn("10.20.0.0/16", "2001:db8::/32"),
                        dev.latch.Condition.within(dev.latch.Condition.TimeWindow.businessHours(java.time.ZoneOffset.UTC)),
                        dev.latch.Condition.attribute("env", "prod"))
                .build());
        AccessContext ok = AccessContext.builder("billing").source("10.20.3.4").attribute("env", "prod").build();
        AccessContext ok6 = AccessContext.builder("billing").source("2001:db8::7").attribute("env", "prod").build();
        assertTrue(latches.authenticate(key.key(), ok).isOpen());
        assertTrue(latches.authenticate(key.key(), ok6).isOpen(), "IPv6 range");
        Verdict.Denied rejected = new Verdict.Denied(DenialReason.CONTEXT_REJECTED);
        assertEquals(rejected, latches.authenticate(key.key(),
                AccessContext.builder("billing").source("192.0.2.1").attribute("env", "prod").build()), "other source");
        assertEquals(rejected, latches.authenticate(key.key(),
                AccessContext.builder("billing").attribute("env", "prod").build()), "no source");
        assertEquals(rejected, latches.authenticate(key.key(),
                AccessContext.builder("billing").source("10.20.3.4").attribute("env", "dev").build()), "attribute");
        assertEquals(1, audit.count(AuditEvent.Type.DENIED, "CONTEXT_REJECTED", "CONDITION", "ATTRIBUTE"));
        assertEquals(2, audit.count(AuditEvent.Type.DENIED, "CONTEXT_REJECTED", "CONDITION", "SOURCE"));
        clock.advance(Duration.ofHours(9)); // 19:00 UTC on Monday: outside business hours
        assertEquals(rejected, latches.authenticate(key.key(), ok), "time window");
        assertEquals(1, audit.count(AuditEvent.Type.DENIED, "CONTEXT_REJECTED", "CONDITION", "TIME"));
        clock.advance(Duration.ofHours(14)); // Tuesday 09:00
        IssuedStaticKey next = latches.rotate(key.keyId(), Duration.ofHours(1));
        assertEquals(rejected, latches.authenticate(next.key(),
                AccessContext.builder("billing").source("192.0.2.1").attribute("env", "prod").build()),
                "the successor keeps the conditions");
        assertTrue(latches.authenticate(next.key(), ok).isOpen());
        IssuedStaticKey free = latches.issueStaticKey(StaticKeySpec.builder("other").build());
        assertTrue(latches.authenticate(free.key(), AccessContext.of("other")).isOpen(), "no conditions, no checks");
        assertThrows(IllegalArgumentException.class, () -> StaticKeySpec.builder("x").conditions((dev.latch.Condition) null));
    }

    @Test
    void nullContext_isMalformedForEveryVerdict_evenWithTheRightCodeOrKey() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "latch-n", "alice");
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), latches.authenticate(key.key(), null));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), latches.open("latch-n", code.code(), null));
        assertTrue(latches.authenticate(key.key(), as("svc")).isOpen(), "the key itself is untouched");
        assertTrue(latches.open("latch-n", code.code(), as("alice")).isOpen(), "the code itself is untouched");
    }

    @Test
    void counterArguments_badInput_sameTypedAnswerOnEveryStore() {
        for (String bad : new String[]{null, "", "a\nb", "x".repeat(300), "a\u2028b", "a\u202Eb"}) {
            assertThrows(IllegalArgumentException.class, () -> latches.nextCounter(bad, "alice"), "latch " + bad);
            assertThrows(IllegalArgumentException.class, () -> latches.nextCounter("hotp", bad), "subject " + bad);
        }
        long[] huge = new long[1 << 20];
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), latches.openCounter("hotp", as("alice"), huge, true),
                "a counter array past the bound");
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED),
                latches.openCounter("hotp", as("alice"), new long[]{-1}, true), "a negative counter");
        assertTrue(latches.nextCounter("hotp", "alice").isEmpty(), "nothing reached the store");
        assertTrue(latches.openCounter("hotp", as("alice"), new long[Latches.MAX_COUNTERS], true).isOpen(),
                "the bound itself is accepted (all zeros: counter 0 matched)");
    }

    /**
     * The store SPI itself, called with null in each reference argument (the others valid): an
     * IllegalArgumentException on every store, before anything is stored. The source of a key
     * use and the rate limit of an issue are optional.
     */
    @Test
    void storeSpi_nullArgument_isIllegalArgumentOnEveryStore() throws Exception {
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "spi", "alice");
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        CodeRecord record = store.find(code.codeId()).orElseThrow();
        dev.latch.spi.LatchStore.KeyRecord keyRecord = store.findKey(key.keyId()).orElseThrow();
        Instant now = clock.instant();
        java.util.Map<Class<?>, Object> valid = new java.util.HashMap<>();
        valid.put(String.class, "spi-x");
        valid.put(Instant.class, now);
        valid.put(CodeRecord.class, record);
        valid.put(RateLimit.class, RateLimit.of(1000, Duration.ofSeconds(1)));
        valid.put(dev.latch.spi.LatchStore.KeyRecord.class, keyRecord);
        valid.put(byte[].class, new byte[32]);
        valid.put(OpenRequest.class, new OpenRequest("spi", "mallory", new byte[32], null, Set.of(CodeFormat.Kind.NUMERIC),
                null, null, false, now, LockoutPolicy.DEFAULT));
        valid.put(dev.latch.spi.LatchStore.CounterRequest.class, new dev.latch.spi.LatchStore.CounterRequest("spi", "mallory", new long[]{1}, true,
                now, LockoutPolicy.DEFAULT));
        valid.put(Duration.class, Duration.ofMinutes(10));
        valid.put(LatchStore.Work.class, new LatchStore.Work("spi-work", "SPI", "", now.plusSeconds(60)));
        Set<String> optional = Set.of("useKey/3", "issue/1"); // no source; no rate limit (recovery codes)
        List<String> wrong = new ArrayList<>();
        for (java.lang.reflect.Method m : LatchStore.class.getMethods()) {
            if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
                continue;
            }
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i].isPrimitive() || optional.contains(m.getName() + "/" + i)) {
                    continue;
                }
                Object[] args = new Object[types.length];
                for (int j = 0; j < types.length; j++) {
                    args[j] = j == i ? null : valid.get(types[j]);
                    if (types[j] == boolean.class) {
                        args[j] = false;
                    } else if (types[j] == int.class) {
                        args[j] = 3;
                    } else if (types[j] == long.class) {
                        args[j] = 0L;
                    } else if (j != i && args[j] == null) {
                        throw new AssertionError("no valid " + types[j] + " for " + m.getName());
                    }
                }
                try {
                    Object r = m.invoke(store, args);
                    wrong.add(m.getName() + " argument " + i + " null returned " + r);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    if (e.getCause().getClass() != IllegalArgumentException.class) {
                        wrong.add(m.getName() + " argument " + i + " null threw " + e.getCause());
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(latches.open("spi", code.code(), as("alice")).isOpen(), "the stored code is untouched");
        assertTrue(latches.authenticate(key.key(), as("svc")).isOpen(), "the stored key is untouched");
    }

    /** Counters the edge tests walk: the start, 32-bit edges, and the top of the 64-bit range. */
    protected static long[] edgeCounters() {
        long[] top = new long[11];
        for (int i = 0; i < top.length; i++) {
            top[i] = Long.MAX_VALUE - 10 + i;
        }
        long[] low = {0, 1, (1L << 31) - 1, 1L << 31, (1L << 31) + 1, 1L << 32, 1L << 53, (1L << 53) + 1};
        long[] all = java.util.Arrays.copyOf(low, low.length + top.length);
        System.arraycopy(top, 0, all, low.length, top.length);
        return all;
    }

    @Test
    void counter_acrossTheWholeRange_acceptsOnceSaturatesAtTheTopAndNeverReplays() {
        long[] edges = edgeCounters();
        java.util.Random random = new java.util.Random(20261206L);
        long[] counters = java.util.Arrays.copyOf(edges, edges.length + 40);
        for (int i = edges.length; i < counters.length; i++) {
            counters[i] = random.nextLong() >>> 1; // uniform over 0 .. 2^63 - 1
        }
        for (int i = 0; i < counters.length; i++) {
            long c = counters[i];
            String subject = "edge-" + i;
            Verdict first = latches.openCounter("hotp", as(subject), new long[]{c}, true);
            assertEquals(new Verdict.Opened("hotp#" + c, "hotp", subject, java.util.Set.of(), 0, false), first,
                    "counter " + c);
            long next = c == Long.MAX_VALUE ? Long.MAX_VALUE : c + 1;
            assertEquals(next, latches.nextCounter("hotp", subject).getAsLong(), "next after " + c + " saturates");
            assertEquals(new Verdict.Denied(DenialReason.REPLAYED),
                    latches.openCounter("hotp", as(subject), new long[]{c}, true), "replay of " + c);
            if (c < Long.MAX_VALUE) {
                assertTrue(latches.openCounter("hotp", as(subject), new long[]{c + 1}, true).isOpen(), "after " + c);
            } else {
                // 2^63 - 1 was the last counter: every counter is a replay from now on, the top one included
                assertEquals(new Verdict.Denied(DenialReason.REPLAYED),
                        latches.openCounter("hotp", as(subject), new long[]{0, Long.MAX_VALUE - 1, Long.MAX_VALUE}, true));
                assertEquals(Long.MAX_VALUE, latches.nextCounter("hotp", subject).getAsLong());
            }
        }
    }

    @Test
    void counter_smallestAcceptableMatchWins() {
        assertTrue(latches.openCounter("hotp", as("alice"), new long[]{7, 5}, true).isOpen());
        assertEquals(6, latches.nextCounter("hotp", "alice").getAsLong());
        Verdict second = latches.openCounter("hotp", as("alice"), new long[]{5, 7}, true);
        assertEquals("hotp#7", ((Verdict.Opened) second).codeId());
    }

    @Test
    void counter_failuresLockAndSuccessResets() {
        Latches strict = latches(LockoutPolicy.of(3, Duration.ofMinutes(1), Duration.ofMinutes(10)),
                RateLimit.of(1000, Duration.ofSeconds(1)));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), strict.openCounter("totp", as("alice"), new long[0], true));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), strict.openCounter("totp", as("alice"), new long[0], false));
        strict.openCounter("totp", as("alice"), new long[0], true);
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), strict.openCounter("totp", as("alice"), new long[]{20}, true),
                "a right code during a lock does not open");
        assertEquals(1, audit.ofType(AuditEvent.Type.LOCKED_OUT).size());
        clock.advance(Duration.ofMinutes(1));
        assertTrue(strict.openCounter("totp", as("alice"), new long[]{20}, true).isOpen());
        strict.openCounter("totp", as("alice"), new long[0], true);
        strict.openCounter("totp", as("alice"), new long[0], true);
        assertTrue(strict.openCounter("totp", as("alice"), new long[]{21}, true).isOpen(), "success reset the count");
    }

    @Test
    void counter_sameCounterRacedBy32Threads_acceptedOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            long step = 1000 + round;
            List<Verdict> verdicts = runTogether(THREADS, () -> latches.openCounter("totp", as("alice"), new long[]{step}, true));
            assertEquals(1, verdicts.stream().filter(Verdict::isOpen).count(), "round " + round);
            assertEquals(THREADS - 1, verdicts.stream().filter(v -> v.equals(new Verdict.Denied(DenialReason.REPLAYED))).count());
        }
    }

    @Test
    void putOnce_isTrueOnceUntilExpiry() {
        Instant now = clock.instant();
        assertTrue(store.putOnce("jti:a", now.plusSeconds(60), now));
        assertFalse(store.putOnce("jti:a", now.plusSeconds(60), now.plusSeconds(59)));
        assertTrue(store.putOnce("jti:b", now.plusSeconds(60), now));
        assertTrue(store.putOnce("jti:a", now.plusSeconds(120), now.plusSeconds(60)), "forgotten after expiry");
        assertFalse(store.putOnce("jti:a", now.plusSeconds(120), now.plusSeconds(61)));
    }

    @Test
    void putOnce_racedBy32Threads_isTrueOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            String key = "jti:race-" + round;
            Instant now = clock.instant();
            List<Boolean> firsts = runTogether(THREADS, () -> store.putOnce(key, now.plusSeconds(60), now));
            assertEquals(1, firsts.stream().filter(b -> b).count(), "round " + round);
        }
    }

    @Test
    void markers_holdTheirValueUntilExpiry() {
        Instant now = clock.instant();
        assertTrue(store.getMarker("policy:p1", now).isEmpty());
        store.putMarker("policy:p1", "revoked", now.plusSeconds(30), now);
        assertEquals("revoked", store.getMarker("policy:p1", now.plusSeconds(29)).orElseThrow());
        assertTrue(store.getMarker("policy:p1", now.plusSeconds(30)).isEmpty());
        store.putMarker("policy:p1", "expires=5", now.plusSeconds(90), now);
        assertEquals("expires=5", store.getMarker("policy:p1", now.plusSeconds(60)).orElseThrow(), "overwritten");
    }

    @Test
    void countEvent_firesAtThresholdWithinTheSlidingWindowOnly() {
        Duration window = Duration.ofMinutes(10);
        Instant t0 = clock.instant();
        assertEquals(new EventCount(1, false, false), store.countEvent("t:a", 3, window, Duration.ZERO, t0));
        assertEquals(new EventCount(2, false, false), store.countEvent("t:a", 3, window, Duration.ZERO, t0.plusSeconds(60)));
        // the first event leaves the window: two in window after the third arrives
        assertEquals(new EventCount(2, false, false),
                store.countEvent("t:a", 3, window, Duration.ZERO, t0.plus(window).plusSeconds(1)));
        assertEquals(new EventCount(3, true, false),
                store.countEvent("t:a", 3, window, Duration.ZERO, t0.plus(window).plusSeconds(2)));
        assertEquals(new EventCount(1, false, false),
                store.countEvent("t:a", 3, window, Duration.ZERO, t0.plus(window).plusSeconds(3)), "firing forgets");
        assertEquals(new EventCount(1, false, false), store.countEvent("t:b", 3, window, Duration.ZERO, t0), "per key");
    }

    @Test
    void countEvent_cooldownMakesOneBurstFireOnce() {
        Duration window = Duration.ofMinutes(10);
        Duration cooldown = Duration.ofMinutes(15);
        Instant t0 = clock.instant();
        int fired = 0;
        int cooling = 0;
        for (int i = 0; i < 30; i++) {
            EventCount c = store.countEvent("t:burst", 3, window, cooldown, t0.plusSeconds(i * 10L));
            fired += c.fired() ? 1 : 0;
            cooling += c.coolingDown() ? 1 : 0;
        }
        assertEquals(1, fired, "30 events in 5 minutes fire once");
        // 1-2 counted, 3 fires and forgets, 4-5 counted, 6-30 reach the threshold inside the cooldown
        assertEquals(25, cooling, "the other threshold crossings fall in the cooldown");
        Instant after = t0.plus(cooldown).plus(window); // past the cooldown (from t0+20s) and the burst's window
        assertFalse(store.countEvent("t:burst", 3, window, cooldown, after).fired());
        assertFalse(store.countEvent("t:burst", 3, window, cooldown, after.plusSeconds(1)).fired());
        assertTrue(store.countEvent("t:burst", 3, window, cooldown, after.plusSeconds(2)).fired(),
                "after the cooldown a new burst fires again");
    }

    @Test
    void countEvent_racedBy32Threads_firesOnce() throws Exception {
        for (int round = 0; round < 5; round++) {
            String key = "t:race-" + round;
            Instant now = clock.instant();
            List<EventCount> counts = runTogether(THREADS, () -> store.countEvent(key, 8, Duration.ofMinutes(10),
                    Duration.ofHours(1), now));
            assertEquals(1, counts.stream().filter(EventCount::fired).count(), "round " + round);
            // 7 counted, 1 fires and forgets, 7 counted again, the remaining 17 reach it in the cooldown
            assertEquals(THREADS - 15, counts.stream().filter(EventCount::coolingDown).count(), "round " + round);
        }
    }

    @Test
    void countEvent_floodOfOneKeyStaysWithinThreshold() {
        Instant t0 = clock.instant();
        EventCount last = null;
        for (int i = 0; i < 10_000; i++) {
            last = store.countEvent("t:flood", 5, Duration.ofDays(1), Duration.ofDays(1), t0.plusMillis(i));
        }
        assertEquals(5, last.inWindow(), "at most threshold times are kept per key");
        assertTrue(last.coolingDown());
        assertThrows(IllegalArgumentException.class,
                () -> store.countEvent("t:x", 0, Duration.ofMinutes(1), Duration.ZERO, t0));
        assertThrows(IllegalArgumentException.class,
                () -> store.countEvent("t:x", LatchStore.MAX_EVENT_THRESHOLD + 1, Duration.ofMinutes(1), Duration.ZERO, t0));
    }

    /**
     * @param code an issued code
     * @return a well-formed code that is not it
     */
    protected static String wrongFor(IssuedCode code) {
        char[] c = code.code().toCharArray();
        c[0] = c[0] == '9' ? '0' : (char) (c[0] + 1);
        return new String(c);
    }

    /** A task that knows its index. */
    protected interface Indexed<T> {
        /**
         * @param i the thread index
         * @return the result
         */
        T run(int i) throws Exception;
    }

    /**
     * @param threads how many
     * @param task    what each does
     * @return results by index
     */
    protected static <T> List<T> runTogether(int threads, Callable<T> task) throws Exception {
        return runTogether(threads, i -> task.call());
    }

    /**
     * Starts the tasks on their own threads, released together by a {@link CyclicBarrier}.
     *
     * @param threads how many
     * @param task    what each does
     * @return results by index
     */
    protected static <T> List<T> runTogether(int threads, Indexed<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<T>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                futures.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return task.run(index);
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- durable records

    @Test
    void record_createReadAndCompareAndSet() {
        Instant now = clock.instant();
        Instant keep = now.plus(Duration.ofHours(1));
        assertTrue(store.getRecord("rec:a", now).isEmpty());
        assertTrue(store.compareAndSet("rec:a", 0, "one", keep, now));
        assertEquals(new LatchStore.Versioned("one", 1), store.getRecord("rec:a", now).orElseThrow());
        assertFalse(store.compareAndSet("rec:a", 0, "again", keep, now), "a live record is not created twice");
        assertFalse(store.compareAndSet("rec:a", 2, "ahead", keep, now), "a version not yet reached");
        assertTrue(store.compareAndSet("rec:a", 1, "two", keep, now));
        assertFalse(store.compareAndSet("rec:a", 1, "stale", keep, now), "a stale version changes nothing");
        assertEquals(new LatchStore.Versioned("two", 2), store.getRecord("rec:a", now).orElseThrow());
        String big = "x".repeat(LatchStore.MAX_RECORD_VALUE);
        assertTrue(store.compareAndSet("rec:a", 2, big, keep, now), "the largest value fits");
        assertEquals(big, store.getRecord("rec:a", now).orElseThrow().value());
        String odd = "a|b\n\u0000|é|\uD83D\uDE00|";
        assertTrue(store.compareAndSet("rec:odd|\n", 0, odd, keep, now), "any text, separators included");
        assertEquals(odd, store.getRecord("rec:odd|\n", now).orElseThrow().value());
    }

    @Test
    void record_expires_andCanBeCreatedAgain() {
        Instant now = clock.instant();
        assertTrue(store.compareAndSet("rec:e", 0, "v", now.plusSeconds(10), now));
        assertTrue(store.getRecord("rec:e", now.plusSeconds(9)).isPresent());
        assertTrue(store.getRecord("rec:e", now.plusSeconds(10)).isEmpty(), "expired at its expiry");
        assertFalse(store.compareAndSet("rec:e", 1, "late", now.plusSeconds(60), now.plusSeconds(10)),
                "an expired record's version is gone");
        assertTrue(store.compareAndSet("rec:e", 0, "new", now.plusSeconds(60), now.plusSeconds(10)));
        assertEquals(new LatchStore.Versioned("new", 1), store.getRecord("rec:e", now.plusSeconds(11)).orElseThrow());
    }

    @Test
    void record_badArguments_areIllegalAndChangeNothing() {
        Instant now = clock.instant();
        Instant keep = now.plusSeconds(60);
        assertTrue(store.compareAndSet("rec:b", 0, "kept", keep, now));
        assertThrows(IllegalArgumentException.class,
                () -> store.compareAndSet("rec:b", 1, "x".repeat(LatchStore.MAX_RECORD_VALUE + 1), keep, now));
        assertThrows(IllegalArgumentException.class, () -> store.compareAndSet("rec:b", -1, "x", keep, now));
        assertThrows(IllegalArgumentException.class, () -> store.compareAndSet("", 0, "x", keep, now));
        assertThrows(IllegalArgumentException.class,
                () -> store.compareAndSet("k".repeat(LatchStore.MAX_RECORD_KEY + 1), 0, "x", keep, now));
        assertThrows(IllegalArgumentException.class, () -> store.getRecord("", now));
        assertEquals(new LatchStore.Versioned("kept", 1), store.getRecord("rec:b", now).orElseThrow());
    }

    @Test
    void record_racingWriters_exactlyOneWinsEachVersion() throws Exception {
        Instant now = clock.instant();
        Instant keep = now.plusSeconds(600);
        for (int round = 0; round < 10; round++) {
            String key = "rec:race" + round;
            java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger updated = new java.util.concurrent.atomic.AtomicInteger();
            runTogether(THREADS, t -> {
                if (store.compareAndSet(key, 0, "t" + t, keep, now)) {
                    created.incrementAndGet();
                }
                return null;
            });
            runTogether(THREADS, t -> {
                if (store.compareAndSet(key, 1, "u" + t, keep, now)) {
                    updated.incrementAndGet();
                }
                return null;
            });
            assertEquals(1, created.get(), "one creator");
            assertEquals(1, updated.get(), "one updater");
            assertEquals(2, store.getRecord(key, now).orElseThrow().version());
        }
    }

    // ---------------------------------------------------------------- scheduled work

    private static LatchStore.Work work(String id, Instant due) {
        return new LatchStore.Work(id, "TEST", "payload of " + id, due);
    }

    @Test
    void work_isClaimedOnlyWhenDue_earliestFirst_andCompletedOnce() {
        Instant now = clock.instant();
        store.schedule(work("w2", now.plusSeconds(20)), now);
        store.schedule(work("w1", now.plusSeconds(10)), now);
        store.schedule(work("w3", now.plusSeconds(30)), now);
        assertEquals(List.of(), store.claimDue(now.plusSeconds(9), Duration.ofMinutes(1), 10), "nothing due yet");
        List<LatchStore.Claim> claims = store.claimDue(now.plusSeconds(25), Duration.ofMinutes(1), 10);
        assertEquals(List.of("w1", "w2"), claims.stream().map(c -> c.work().id()).toList());
        assertEquals(work("w1", now.plusSeconds(10)), claims.get(0).work(), "the item comes back as scheduled");
        assertEquals(1, claims.get(0).attempt());
        assertEquals(List.of(), store.claimDue(now.plusSeconds(26), Duration.ofMinutes(1), 10), "leased items are held");
        assertTrue(store.complete("w1", claims.get(0).token(), now.plusSeconds(26)));
        assertFalse(store.complete("w1", claims.get(0).token(), now.plusSeconds(26)), "completed once");
        List<LatchStore.Claim> later = store.claimDue(now.plusSeconds(200), Duration.ofMinutes(1), 10);
        assertEquals(List.of("w2", "w3"), later.stream().map(c -> c.work().id()).toList(),
                "w2's lease ran out: it is claimed again, with w3");
        assertEquals(2, later.get(0).attempt());
        assertTrue(later.get(0).token() != claims.get(1).token(), "a new claim, a new token");
        assertFalse(store.complete("w2", claims.get(1).token(), now.plusSeconds(200)), "the expired claim cannot complete");
        assertTrue(store.complete("w2", later.get(0).token(), now.plusSeconds(200)));
        assertTrue(store.complete("w3", later.get(1).token(), now.plusSeconds(200)));
        assertEquals(List.of(), store.claimDue(now.plusSeconds(10_000), Duration.ofMinutes(1), 10));
    }

    @Test
    void work_max_bound_andRescheduleAndCancel() {
        Instant now = clock.instant();
        for (int i = 0; i < 5; i++) {
            store.schedule(work("m" + i, now.plusSeconds(i)), now);
        }
        assertEquals(List.of("m0", "m1"),
                store.claimDue(now.plusSeconds(10), Duration.ofMinutes(1), 2).stream().map(c -> c.work().id()).toList());
        store.schedule(work("m0", now.plusSeconds(500)), now.plusSeconds(10));
        assertTrue(store.cancel("m2", now.plusSeconds(10)));
        assertFalse(store.cancel("m2", now.plusSeconds(10)));
        assertFalse(store.cancel("never", now.plusSeconds(10)));
        List<String> next = store.claimDue(now.plusSeconds(60), Duration.ofMinutes(1), 10).stream()
                .map(c -> c.work().id()).toList();
        assertEquals(List.of("m3", "m4"), next, "m0 was moved to later (its claim dropped), m1 is leased, m2 cancelled");
        List<LatchStore.Claim> moved = store.claimDue(now.plusSeconds(500), Duration.ofMinutes(1), 10);
        assertTrue(moved.stream().anyMatch(c -> c.work().id().equals("m0") && c.work().dueAt().equals(now.plusSeconds(500))));
        assertThrows(IllegalArgumentException.class, () -> store.claimDue(now, Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> store.claimDue(now, Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class, () -> store.claimDue(now, Duration.ofSeconds(1), LatchStore.MAX_CLAIM + 1));
    }

    @Test
    void work_aStaleClaimCannotCompleteAReplacedItem() {
        Instant now = clock.instant();
        store.schedule(work("r", now), now);
        LatchStore.Claim first = store.claimDue(now, Duration.ofMinutes(1), 1).get(0);
        store.schedule(work("r", now.plusSeconds(5)), now);
        assertFalse(store.complete("r", first.token(), now), "the item was replaced after that claim");
        LatchStore.Claim second = store.claimDue(now.plusSeconds(5), Duration.ofMinutes(1), 1).get(0);
        assertFalse(store.complete("r", first.token(), now.plusSeconds(5)));
        assertTrue(store.complete("r", second.token(), now.plusSeconds(5)));
    }

    @Test
    void work_racingClaimers_getEachItemExactlyOnce() throws Exception {
        Instant now = clock.instant();
        int items = 200;
        for (int i = 0; i < items; i++) {
            store.schedule(work("c" + i, now.minusSeconds(items - i)), now);
        }
        java.util.concurrent.ConcurrentHashMap<String, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
        runTogether(THREADS, t -> {
            for (int k = 0; k < 20; k++) {
                for (LatchStore.Claim c : store.claimDue(now, Duration.ofMinutes(5), 3)) {
                    seen.merge(c.work().id(), 1, Integer::sum);
                    assertTrue(store.complete(c.work().id(), c.token(), now));
                }
            }
            return null;
        });
        assertEquals(items, seen.size(), "every item was claimed");
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "none twice: " + seen);
    }

    // ---------------------------------------------------------------- durable state through Latches, two instances

    /** An instance on the store under test with its own scheduler (never advanced: it may "stop" at any point). */
    private Latches instance(dev.latch.DeliveryChain.Outbox outbox) {
        return Latches.builder().store(store).clock(clock).pepper(PEPPER).auditSink(audit)
                .issueRateLimit(RateLimit.of(1000, Duration.ofSeconds(1))).scheduler(new ManualScheduler(clock))
                .pollDueWork(Duration.ZERO).delivery(dev.latch.DeliveryChain.builder().then(outbox).build()).build();
    }

    private static long reminders(dev.latch.DeliveryChain.Outbox outbox, String to) {
        return outbox.deliveriesTo(to).stream().filter(d -> d.kind() == dev.latch.spi.Delivery.Kind.REMINDER).count();
    }

    @Test
    void durable_gateVotes_racingOnTwoInstances_oneVoteEach_firstDecisionWins() throws Exception {
        dev.latch.DeliveryChain.Outbox outbox = new dev.latch.DeliveryChain.Outbox();
        Latches a = instance(outbox);
        Latches b = instance(outbox);
        String[] names = new String[dev.latch.ApprovalGate.MAX_APPROVERS];
        for (int i = 0; i < names.length; i++) {
            names[i] = "approver-" + i;
        }
        for (int round = 0; round < 4; round++) {
            dev.latch.RequestDigest digest = dev.latch.RequestDigest.of("release " + round);
            dev.latch.ApprovalGate gate = a.approvalGate("deploy:prod", digest).requester("dave").approvers(names)
                    .quorum(8).request();
            dev.latch.ApprovalGate there = b.gate(gate.id()).orElseThrow();
            List<dev.latch.ApprovalGate.Approval> results = runTogether(2 * THREADS, t -> {
                String name = names[(t / 2) % names.length];
                dev.latch.ApprovalGate g = t % 2 == 0 ? gate : there;
                String code = outbox.lastCodeFor(name).orElseThrow();
                return t % 8 == 7 ? g.deny(name, code, digest) : g.approve(name, code, digest);
            });
            java.util.Map<String, Integer> recorded = new java.util.HashMap<>();
            int decisions = 0;
            for (dev.latch.ApprovalGate.Approval r : results) {
                if (r.recorded()) {
                    recorded.merge(r.approver(), 1, Integer::sum);
                }
                if (r.outcome() == dev.latch.ApprovalGate.Approval.Outcome.OPENED || r.outcome() == dev.latch.ApprovalGate.Approval.Outcome.DENIED) {
                    decisions++;
                }
            }
            assertTrue(recorded.values().stream().allMatch(n -> n == 1), "one vote per approver: " + recorded);
            assertEquals(1, decisions, "exactly one vote decided the gate");
            assertEquals(recorded.size(), there.trail().size(), "every vote reported recorded is stored");
            dev.latch.ApprovalGate.Status status = gate.status();
            assertTrue(status == dev.latch.ApprovalGate.Status.OPEN || status == dev.latch.ApprovalGate.Status.DENIED);
            dev.latch.ApprovalGate.Approval late = there.approve(names[0], outbox.lastCodeFor(names[0]).orElseThrow(), digest);
            assertTrue(late.outcome() == dev.latch.ApprovalGate.Approval.Outcome.GATE_DECIDED, "a vote after the decision: " + late);
        }
    }

    @Test
    void durable_reviewAcknowledgement_racingOnTwoInstances_exactlyOneWins() throws Exception {
        dev.latch.DeliveryChain.Outbox outbox = new dev.latch.DeliveryChain.Outbox();
        Latches a = instance(outbox);
        Latches b = instance(outbox);
        for (int round = 0; round < 5; round++) {
            IssuedCode code = a.issue(LatchPolicy.EMERGENCY, "prod-db", "carol");
            Verdict.Opened opened = (Verdict.Opened) b.open("prod-db", code.code(), as("carol"));
            assertTrue(opened.reviewDue());
            List<dev.latch.Review.Outcome> outcomes = runTogether(2 * THREADS, t ->
                    (t % 2 == 0 ? a : b).acknowledgeReview(opened.codeId(), "reviewer-" + t, "checked").outcome());
            assertEquals(1, outcomes.stream().filter(o -> o == dev.latch.Review.Outcome.ACKNOWLEDGED).count(), "round " + round);
            assertEquals(2 * THREADS - 1, outcomes.stream().filter(o -> o == dev.latch.Review.Outcome.ALREADY_ACKNOWLEDGED).count());
            assertEquals(dev.latch.Review.State.ACKNOWLEDGED, a.review(opened.codeId()).orElseThrow().state());
        }
    }

    @Test
    void durable_keyRotation_warnsThenRotatesOnceAcrossInstances_afterTheIssuerStopped() throws Exception {
        dev.latch.DeliveryChain.Outbox outbox = new dev.latch.DeliveryChain.Outbox();
        Latches a = instance(outbox);
        StaticKeySpec.Rotation every30Days = new StaticKeySpec.Rotation(Duration.ofDays(30), Duration.ofDays(5),
                Duration.ofDays(2), true, "billing-team");
        IssuedStaticKey key = a.issueStaticKey(StaticKeySpec.builder("billing").scopes("invoices:read")
                .rotation(every30Days).build());
        // instance a stops: b runs the schedule it left in the store
        Latches b = instance(outbox);
        clock.advance(Duration.ofDays(24));
        assertEquals(0, b.runDueWork(), "nothing due yet");
        clock.advance(Duration.ofDays(1));
        assertEquals(1, runTogether(THREADS, t -> b.runDueWork()).stream().mapToInt(Integer::intValue).sum(),
                "the warning ran once");
        List<dev.latch.spi.Delivery> warnings = outbox.deliveriesTo("billing-team");
        assertEquals(1, warnings.size());
        assertEquals(dev.latch.spi.Delivery.Kind.KEY_ROTATION_DUE, warnings.get(0).kind());
        assertEquals(key.keyId(), warnings.get(0).codeId());
        clock.advance(Duration.ofDays(5));
        Latches c = instance(outbox);
        assertEquals(1, runTogether(THREADS, t -> (t % 2 == 0 ? b : c).runDueWork()).stream().mapToInt(Integer::intValue)
                .sum(), "the rotation ran once on all instances");
        List<dev.latch.spi.Delivery> keys = outbox.deliveriesTo("billing-team").stream()
                .filter(d -> d.kind() == dev.latch.spi.Delivery.Kind.KEY).toList();
        assertEquals(1, keys.size(), "one successor delivered");
        String successor = keys.get(0).code();
        assertTrue(c.authenticate(successor, as("billing")).isOpen(), "the successor works");
        assertTrue(b.authenticate(key.key(), as("billing")).isOpen(), "the old key works during the overlap");
        assertEquals(StaticKeyInfo.State.ROTATED, c.keyInfo(key.keyId()).orElseThrow().state());
        clock.advance(Duration.ofDays(2));
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), c.authenticate(key.key(), as("billing")));
        assertEquals(1, audit.count(AuditEvent.Type.ROTATED, "ROTATED", "AUTOMATIC", "true"));
        // the successor carries the schedule: its own warning 25 days after its rotation
        clock.advance(Duration.ofDays(22));
        assertEquals(0, c.runDueWork());
        clock.advance(Duration.ofDays(1));
        assertEquals(1, c.runDueWork());
        assertEquals(2, outbox.deliveriesTo("billing-team").stream()
                .filter(d -> d.kind() == dev.latch.spi.Delivery.Kind.KEY_ROTATION_DUE).count());
    }

    @Test
    void durable_dueWork_scheduledByAStoppedInstance_runsOnceOnAnother_markedLate() throws Exception {
        dev.latch.DeliveryChain.Outbox outbox = new dev.latch.DeliveryChain.Outbox();
        Latches a = instance(outbox);
        LatchPolicy reminded = LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).build();
        a.issueAndDeliver(reminded, "login:alice", "alice", "alice", null);
        IssuedCode glass = a.issue(LatchPolicy.EMERGENCY, "prod-db", "carol");
        Verdict.Opened opened = (Verdict.Opened) a.open("prod-db", glass.code(), as("carol"));
        // instance a stops here: its timers never run
        Latches b = instance(outbox);
        clock.advance(Duration.ofMinutes(9));
        assertEquals(0, b.runDueWork(), "nothing due yet");
        clock.advance(Duration.ofMinutes(3)); // two minutes past the reminder's time
        assertEquals(1, b.runDueWork());
        assertEquals(0, b.runDueWork(), "ran once");
        assertEquals(1, reminders(outbox, "alice"));
        assertEquals(1, audit.count(AuditEvent.Type.DELIVERED, "REMINDER", "LATE", "PT2M"));
        clock.advance(LatchPolicy.DEFAULT_REVIEW_WITHIN);
        List<Integer> ran = runTogether(THREADS, t -> (t % 2 == 0 ? a : b).runDueWork());
        assertEquals(1, ran.stream().mapToInt(Integer::intValue).sum(), "the escalation ran once on all instances");
        assertEquals(1, audit.ofType(AuditEvent.Type.ESCALATION).size());
        assertTrue(audit.ofType(AuditEvent.Type.ESCALATION).get(0).details().containsKey("LATE"));
        assertEquals(dev.latch.Review.State.ESCALATED, b.review(opened.codeId()).orElseThrow().state());
    }

    @Test
    void durable_dueWork_aCrashedClaimersLeaseRunsOut_thenAnotherInstanceRunsIt() {
        dev.latch.DeliveryChain.Outbox outbox = new dev.latch.DeliveryChain.Outbox();
        Latches a = instance(outbox);
        LatchPolicy reminded = LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).build();
        a.issueAndDeliver(reminded, "login:bob", "bob", "bob", null);
        clock.advance(Duration.ofMinutes(10));
        List<LatchStore.Claim> held = store.claimDue(clock.instant(), Duration.ofMinutes(1), 10); // claimed, then the claimer crashed
        assertEquals(1, held.size());
        Latches b = instance(outbox);
        assertEquals(0, b.runDueWork(), "the lease still holds");
        clock.advance(Duration.ofMinutes(1));
        assertEquals(1, b.runDueWork(), "the lease ran out: another instance takes the item");
        assertEquals(1, reminders(outbox, "bob"));
        assertFalse(store.complete(held.get(0).work().id(), held.get(0).token(), clock.instant()),
                "the crashed claim cannot complete it");
    }

    @Test
    void durable_dueWork_manyItemsManyClaimers_eachRunsExactlyOnce() throws Exception {
        dev.latch.DeliveryChain.Outbox outbox = new dev.latch.DeliveryChain.Outbox();
        Latches a = instance(outbox);
        Latches b = instance(outbox);
        LatchPolicy reminded = LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).build();
        int items = 60;
        for (int i = 0; i < items; i++) {
            a.issueAndDeliver(reminded, "login:u" + i, "u" + i, "u" + i, null);
        }
        clock.advance(Duration.ofMinutes(10));
        List<Integer> ran = runTogether(THREADS, t -> (t % 2 == 0 ? a : b).runDueWork());
        assertEquals(items, ran.stream().mapToInt(Integer::intValue).sum());
        for (int i = 0; i < items; i++) {
            assertEquals(1, reminders(outbox, "u" + i), "u" + i);
        }
    }

    // ---------------------------------------------------------------- pepper rotation of static keys

    private static final byte[] NEXT_PEPPER = new byte[32];

    static {
        for (int i = 0; i < NEXT_PEPPER.length; i++) {
            NEXT_PEPPER[i] = (byte) (200 - 3 * i);
        }
    }

    /** The conformance pepper under the default id, and a newer one, as a secret source. */
    private static dev.latch.spi.SecretSource peppers() {
        byte[] old = new byte[32];
        for (int i = 0; i < 32; i++) {
            old[i] = (byte) (i + 1); // PEPPER's bytes
        }
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        return dev.latch.spi.SecretSource.variables(java.util.Map.of("PEP_DEFAULT", b64.encodeToString(old),
                "PEP_NEXT", b64.encodeToString(NEXT_PEPPER)), "PEP_");
    }

    private Latches withPeppers(String primary, String... older) {
        return Latches.builder().store(store).clock(clock).peppers(peppers(), primary, older).auditSink(audit)
                .pollDueWork(Duration.ZERO).build();
    }

    @Test
    void pepperRotation_oldKeysVerifyOnceRehashed_newKeysUseThePrimary_unknownPeppersDeny() throws Exception {
        IssuedStaticKey before = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        IssuedStaticKey untouched = latches.issueStaticKey(StaticKeySpec.builder("svc-2").build());
        assertEquals("default", store.findKey(before.keyId()).orElseThrow().pepperId());
        Latches rotating = withPeppers("next", "default");
        List<Verdict> verdicts = runTogether(THREADS, t -> rotating.authenticate(before.key(), as("svc")));
        assertTrue(verdicts.stream().allMatch(Verdict::isOpen), "an old key verifies under its old pepper: " + verdicts);
        assertEquals(1, audit.count(AuditEvent.Type.ROTATED, "REHASHED", "TO", "next"), "rehashed once");
        assertEquals("next", store.findKey(before.keyId()).orElseThrow().pepperId());
        Latches next = withPeppers("next");
        assertTrue(next.authenticate(before.key(), as("svc")).isOpen(), "the rehashed key needs only the new pepper");
        IssuedStaticKey fresh = rotating.issueStaticKey(StaticKeySpec.builder("svc-3").build());
        assertEquals("next", store.findKey(fresh.keyId()).orElseThrow().pepperId());
        assertTrue(next.authenticate(fresh.key(), as("svc-3")).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), next.authenticate(untouched.key(), as("svc-2")),
                "a key under a pepper that was retired does not verify");
        assertEquals(1, audit.count(AuditEvent.Type.DENIED, "WRONG_SECRET", "PEPPER_UNKNOWN", "default"));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), latches.authenticate(before.key(), as("svc")),
                "an instance without the new pepper cannot verify a rehashed key");
        String wrong = before.key().substring(0, before.key().length() - 8) + "AAAAAAAA";
        assertFalse(rotating.authenticate(wrong, as("svc")).isOpen());
        assertEquals("next", store.findKey(before.keyId()).orElseThrow().pepperId(), "a wrong secret changes nothing");
    }

    @Test
    void pepperRotation_codesUnderThePreviousPepperStillOpen_untilItIsLeftOut() {
        IssuedCode before = latches.issue(LatchPolicy.HIGH, "rot", "alice");
        IssuedCode alsoBefore = latches.issue(LatchPolicy.HIGH, "rot", "bob");
        IssuedCode opaque = latches.issue(LatchPolicy.from(LatchPolicy.HIGH).format(CodeFormat.opaque(16)).build(),
                "rot-o", "alice");
        RecoveryCodes recovery = latches.issueRecoveryCodes("carol", 2);
        Latches rotating = withPeppers("next", "default");
        Latches next = withPeppers("next");
        String wrong = before.code().equals("000000") ? "111111" : "000000";
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), rotating.open("rot", wrong, as("alice")));
        assertEquals(LatchPolicy.HIGH.maxAttempts() - 1, store.find(before.codeId()).orElseThrow().attemptsLeft(),
                "one attempt counted, not one per pepper");
        assertTrue(rotating.open("rot", before.code(), as("alice")).isOpen(), "issued under the previous pepper");
        assertTrue(rotating.open("rot-o", opaque.code(), as("alice")).isOpen(), "opaque codes too");
        assertTrue(rotating.redeemRecoveryCode(recovery.codes().get(0), as("carol")).isOpen(), "recovery codes too");
        IssuedCode fresh = rotating.issue(LatchPolicy.HIGH, "rot", "dave");
        assertTrue(next.open("rot", fresh.code(), as("dave")).isOpen(), "new codes use the primary");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), next.open("rot", alsoBefore.code(), as("bob")),
                "once the previous pepper is left out, its codes no longer open");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), next.redeemRecoveryCode(recovery.codes().get(1), as("carol")));
    }

    @Test
    void keySourceLimit_failedKeysFromOneSource_refuseItsKeysForAWindow_onEveryInstance() {
        RateLimit five = RateLimit.of(5, Duration.ofMinutes(1));
        Latches a = Latches.builder().store(store).clock(clock).pepper(PEPPER).auditSink(audit).pollDueWork(Duration.ZERO)
                .keySourceLimit(five).build();
        Latches b = Latches.builder().store(store).clock(clock).pepper(PEPPER).auditSink(audit).pollDueWork(Duration.ZERO)
                .keySourceLimit(five).build();
        IssuedStaticKey key = a.issueStaticKey(StaticKeySpec.builder("svc").build());
        // well formed, right checksums, but not in this store: each costs a lookup and counts
        Latches elsewhere = Latches.builder().pepper(PEPPER).auditSink(e -> { }).build();
        String[] unknown = new String[6];
        for (int i = 0; i < unknown.length; i++) {
            unknown[i] = elsewhere.issueStaticKey(StaticKeySpec.builder("svc").build()).key();
        }
        AccessContext attacker = AccessContext.builder("svc").source("198.51.100.7").build();
        AccessContext other = AccessContext.builder("svc").source("10.0.0.9").build();
        for (int i = 0; i < 3; i++) {
            assertEquals(new Verdict.Denied(DenialReason.MALFORMED), a.authenticate("lk_garbage", attacker),
                    "malformed keys cost no lookup and are not counted");
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), a.authenticate(unknown[i], attacker));
        }
        assertTrue(a.authenticate(key.key(), attacker).isOpen(), "four failures: still under the limit");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), a.authenticate(unknown[4], attacker),
                "the fifth failure reaches the limit");
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), a.authenticate(key.key(), attacker),
                "the source is refused, even with the right key");
        assertTrue(a.authenticate(key.key(), other).isOpen(), "another source is not");
        assertTrue(a.authenticate(key.key(), as("svc")).isOpen(), "a key without a source address is not limited");
        assertTrue(b.authenticate(key.key(), attacker).isOpen(), "instance b has seen no failure of the source yet");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), b.authenticate(unknown[5], attacker));
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), b.authenticate(key.key(), attacker),
                "its first failure shows b the refusal the store holds");
        assertEquals(2, audit.count(AuditEvent.Type.RATE_LIMITED, "KEY_SOURCE_LIMIT"));
        assertEquals(1, audit.count(AuditEvent.Type.ALERT, "KEY_SOURCE_LIMIT"));
        clock.advance(Duration.ofMinutes(1));
        assertTrue(a.authenticate(key.key(), attacker).isOpen(), "after the window the source may try again");
        assertTrue(b.authenticate(key.key(), attacker).isOpen());
    }

    @Test
    void rehashKey_onlyWhileTheDigestIsTheOldOne() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        byte[] old = store.findKey(key.keyId()).orElseThrow().digest();
        byte[] other = new byte[32];
        other[0] = 9;
        byte[] next = new byte[32];
        next[0] = 7;
        Instant now = clock.instant();
        assertFalse(store.rehashKey(key.keyId(), other, next, "next", now), "not the stored digest");
        assertTrue(store.rehashKey(key.keyId(), old, next, "next", now));
        assertFalse(store.rehashKey(key.keyId(), old, other, "other", now), "the digest moved on");
        assertArrayEquals(next, store.findKey(key.keyId()).orElseThrow().digest());
        assertEquals("next", store.findKey(key.keyId()).orElseThrow().pepperId());
        assertFalse(store.rehashKey("k_none", old, next, "next", now));
        assertThrows(IllegalArgumentException.class, () -> store.rehashKey(key.keyId(), next, new byte[31], "x", now));
    }
}
