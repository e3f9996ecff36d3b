package dev.latch.redis;

import dev.latch.test.redis.LocalRedis;
import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.CodeInfo;
import dev.latch.Verdict.DenialReason;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.LatchStoreException;
import dev.latch.Latches;
import dev.latch.LockoutPolicy;
import dev.latch.Pepper;
import dev.latch.RateLimit;
import dev.latch.Verdict;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several Latches instances sharing one real Redis, as services on many instances do. */
class RedisMultiInstanceTest {
    static final Pepper PEPPER = Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=");
    static LocalRedis server;
    static RedisAdmin admin;
    final List<RedisLatchStore> stores = new ArrayList<>();
    MutableClock clock;

    @BeforeAll
    static void startRedis() throws Exception {
        server = LocalRedis.start();
        admin = new RedisAdmin(server.uri());
    }

    @AfterAll
    static void stopRedis() throws Exception {
        admin.close();
        server.close();
    }

    @BeforeEach
    void clean() {
        admin.flushAll();
        clock = MutableClock.monday10am();
    }

    @AfterEach
    void closeStores() {
        stores.forEach(RedisLatchStore::close);
        stores.clear();
    }

    RedisLatchStore store() {
        // A generous timeout: these are load tests on a 2-core machine, where one Lettuce round trip takes ~1 ms.
        RedisLatchStore s = RedisLatchStore.builder(server.uri()).timeout(Duration.ofSeconds(20)).build();
        stores.add(s);
        return s;
    }

    Latches instance(java.time.Clock c, LockoutPolicy lockout) {
        return Latches.builder().store(store()).clock(c).pepper(PEPPER).auditSink(e -> { }).lockout(lockout)
                .issueRateLimit(RateLimit.of(1000, Duration.ofSeconds(1))).build();
    }

    @Test
    void twoInstances_2x32Threads_1000OneTimeCodes_eachOpensOnce() throws Exception {
        Latches a = instance(clock, LockoutPolicy.DEFAULT);
        Latches b = instance(clock, LockoutPolicy.DEFAULT);
        int n = 1000;
        List<IssuedCode> codes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            codes.add(a.issue(LatchPolicy.HIGH, "race", "user-" + i));
        }
        AtomicInteger opened = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            CyclicBarrier barrier = new CyclicBarrier(64);
            List<Future<?>> futures = new ArrayList<>();
            // Each code is raced by 8 threads, 4 on each instance. (All 64 threads on every code would be
            // 64,000 round trips; a Lettuce round trip costs ~1 ms on this 2-core VM, even for PING.)
            for (int t = 0; t < 64; t++) {
                Latches mine = (t / 8) % 2 == 0 ? a : b;
                int group = t % 8;
                futures.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    for (int i = group; i < codes.size(); i += 8) {
                        IssuedCode c = codes.get(i);
                        if (mine.open("race", c.code(), AccessContext.of(c.subject())).isOpen()) {
                            opened.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(n, opened.get(), "every code opened exactly once across both instances");
    }

    @Test
    void fourInstances_500ConcurrentWrongGuesses_neverExceedTheAttemptLimit() throws Exception {
        LockoutPolicy noLock = LockoutPolicy.of(100, Duration.ofSeconds(1), Duration.ofSeconds(1));
        Latches[] instances = {instance(clock, noLock), instance(clock, noLock), instance(clock, noLock), instance(clock, noLock)};
        LatchPolicy fiveTries = LatchPolicy.custom().maxAttempts(5).build();
        IssuedCode code = instances[0].issue(fiveTries, "guess", "victim");
        String wrong = code.code().equals("123456") ? "654321" : "123456";
        ExecutorService pool = Executors.newFixedThreadPool(32);
        AtomicInteger wrongAnswers = new AtomicInteger();
        try {
            CyclicBarrier barrier = new CyclicBarrier(32);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                int index = t;
                futures.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    for (int g = index; g < 500; g += 32) {
                        Verdict v = instances[g % 4].open("guess", wrong, AccessContext.of("victim"));
                        if (v.equals(new Verdict.Denied(DenialReason.WRONG_CODE))) {
                            wrongAnswers.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        CodeInfo info = instances[1].find(code.codeId()).orElseThrow();
        assertEquals(0, info.attemptsLeft(), "exactly five attempts were taken from the code, never more");
        assertEquals(CodeInfo.State.BURNED, info.state());
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), instances[2].open("guess", code.code(), AccessContext.of("victim")));
        assertTrue(wrongAnswers.get() > 0);
    }

    @Test
    void redisStoppedMidRun_typedFailuresThenNormalService() throws Exception {
        Latches a = instance(clock, LockoutPolicy.DEFAULT);
        IssuedCode before = a.issue(LatchPolicy.HIGH, "outage", "alice");
        server.stop();
        assertThrows(LatchStoreException.class, () -> a.open("outage", before.code(), AccessContext.of("alice")));
        assertThrows(LatchStoreException.class, () -> a.issue(LatchPolicy.HIGH, "outage", "bob"));
        server.restart();
        // the new server starts empty (no persistence in tests); the client reconnects by itself
        long deadline = System.nanoTime() + 15_000_000_000L;
        IssuedCode after = null;
        while (after == null && System.nanoTime() < deadline) {
            try {
                after = a.issue(LatchPolicy.HIGH, "outage", "alice");
            } catch (LatchStoreException e) {
                Thread.sleep(200);
            }
        }
        assertTrue(after != null, "the store recovered after Redis came back");
        assertTrue(a.open("outage", after.code(), AccessContext.of("alice")).isOpen());
        assertFalse(a.open("outage", before.code(), AccessContext.of("alice")).isOpen(), "nothing from before opens");
    }

    @Test
    void clocksThirtySecondsApart_neverBringBackAUsedCode() {
        MutableClock ahead = MutableClock.at(clock.instant().plusSeconds(30));
        MutableClock behind = MutableClock.at(clock.instant().minusSeconds(30));
        Latches a = instance(ahead, LockoutPolicy.DEFAULT);
        Latches b = instance(behind, LockoutPolicy.DEFAULT);
        for (int i = 0; i < 50; i++) {
            IssuedCode code = (i % 2 == 0 ? a : b).issue(LatchPolicy.HIGH, "skew", "user-" + i);
            Latches first = i % 2 == 0 ? b : a;
            Latches second = i % 2 == 0 ? a : b;
            Verdict v = first.open("skew", code.code(), AccessContext.of("user-" + i));
            assertTrue(v.isOpen() || v.equals(new Verdict.Denied(DenialReason.NOT_YET_VALID)), v.toString());
            if (v.isOpen()) {
                assertEquals(new Verdict.Denied(DenialReason.USED), second.open("skew", code.code(), AccessContext.of("user-" + i)));
                assertEquals(new Verdict.Denied(DenialReason.USED), first.open("skew", code.code(), AccessContext.of("user-" + i)));
            }
        }
    }

    @Test
    void hungRedis_timesOutAsAFailure_andTheLateConsumeNeverOpensTwice() throws Exception {
        RedisLatchStore impatient = RedisLatchStore.builder(server.uri()).timeout(Duration.ofMillis(300)).build();
        stores.add(impatient);
        RecordingAuditSink audit = new RecordingAuditSink();
        // no polling for due work: a poll during the pause would be a second store failure
        Latches a = Latches.builder().store(impatient).clock(clock).pepper(PEPPER).auditSink(audit)
                .pollDueWork(Duration.ZERO).build();
        IssuedCode code = a.issue(LatchPolicy.HIGH, "hung", "alice");
        admin.pauseClients(1500);
        LatchStoreException failure = assertThrows(LatchStoreException.class,
                () -> a.open("hung", code.code(), AccessContext.of("alice")),
                "no reply within the timeout is a typed failure, not an open");
        // Had the client waited for Redis to answer, the open would have succeeded: the failure is
        // the client's own timeout, whatever the machine's speed.
        assertTrue(causes(failure).stream().anyMatch(t -> t instanceof io.lettuce.core.RedisCommandTimeoutException),
                "the cause is the command timeout: " + causes(failure));
        assertEquals(1, audit.ofType(AuditEvent.Type.STORE_FAILURE).size(), audit.events().toString());
        // The command was sent, so Redis runs it once the pause ends: the outcome was unknown to the
        // caller, and it was a consume. A retry must see USED, never a second success.
        Verdict retry = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (retry == null && System.nanoTime() < deadline) {
            try {
                retry = a.open("hung", code.code(), AccessContext.of("alice"));
            } catch (LatchStoreException stillPaused) {
                Thread.sleep(100);
            }
        }
        assertEquals(new Verdict.Denied(DenialReason.USED), retry);
    }

    static List<Throwable> causes(Throwable t) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
        }
        return all;
    }

    @Test
    void oneOpen_isOneRoundTrip() {
        RedisLatchStore store = store();
        // no polling for due work: its claims would be counted with the open's
        Latches a = Latches.builder().store(store).clock(clock).pepper(PEPPER).auditSink(e -> { })
                .pollDueWork(java.time.Duration.ZERO).build();
        IssuedCode code = a.issue(LatchPolicy.HIGH, "trip", "alice");
        for (String guess : new String[]{code.code().equals("000000") ? "111111" : "000000", code.code()}) {
            admin.resetStats();
            long sent = store.commandsSent();
            a.open("trip", guess, AccessContext.of("alice"));
            assertEquals(1, store.commandsSent() - sent, "the client sent exactly one command");
            Map<String, Long> calls = admin.commandCalls();
            assertEquals(1L, calls.get("evalsha"), "Redis ran exactly one EVALSHA");
            // Redis 7 also counts the commands the script runs inside; none may be a script load or eval
            assertFalse(calls.containsKey("eval") || calls.containsKey("script|load"), calls.toString());
        }
    }

    @Test
    void scriptsFlushed_areReloadedOnNoscript() throws Exception {
        Latches a = instance(clock, LockoutPolicy.DEFAULT);
        IssuedCode code = a.issue(LatchPolicy.HIGH, "noscript", "alice");
        io.lettuce.core.RedisClient c = io.lettuce.core.RedisClient.create(server.uri().toString());
        try (var conn = c.connect()) {
            conn.sync().scriptFlush();
            assertEquals(java.util.List.of(false), conn.sync().scriptExists(
                    conn.sync().digest("return 1").isEmpty() ? "x" : "0000000000000000000000000000000000000000"));
        } finally {
            c.shutdown();
        }
        assertTrue(a.open("noscript", code.code(), AccessContext.of("alice")).isOpen());
    }

    @Test
    void waitForReplica_failsClosedWithoutReplicas() {
        RedisLatchStore waiting = RedisLatchStore.builder(server.uri()).waitForReplica(Duration.ofMillis(100), "EMERGENCY").build();
        stores.add(waiting);
        Latches a = Latches.builder().store(waiting).clock(clock).pepper(PEPPER).auditSink(e -> { }).build();
        IssuedCode high = a.issue(LatchPolicy.HIGH, "wait", "alice");
        assertTrue(a.open("wait", high.code(), AccessContext.of("alice")).isOpen(), "HIGH does not wait here");
        IssuedCode emergency = a.issue(LatchPolicy.EMERGENCY, "wait2", "alice");
        assertThrows(LatchStoreException.class, () -> a.open("wait2", emergency.code(), AccessContext.of("alice")),
                "standalone Redis has no replica to acknowledge");
    }

    @Test
    void unreachableRedis_failsAtBuildWithATypedException() {
        assertThrows(LatchStoreException.class, () -> RedisLatchStore.builder(java.net.URI.create("redis://127.0.0.1:1"))
                .timeout(Duration.ofMillis(300)).build());
    }
}
