package dev.latch.redis;

import dev.latch.AccessContext;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.LatchStoreException;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.test.redis.LocalRedis;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * latch-redis through Redis Sentinel, on real servers: a primary, its replica and a Sentinel
 * (quorum one), each a redis-server on a loopback port. The replica wait is acknowledged by the
 * real replica, fails closed without it, and across a failover (the primary killed with SIGKILL
 * during a run of opens) calls fail closed, resume on the promoted replica, and no code opens twice.
 */
class RedisSentinelTest {
    static final dev.latch.Pepper PEPPER = dev.latch.Pepper.of(java.util.HexFormat.of().parseHex(
            "8d1e0b7c5a3f29e6d4b2a1907f6e5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4"));

    LocalRedis primary;
    LocalRedis replica;
    /** A second replica: after a failover Sentinel points it at the promoted one, which then has a replica to wait for. */
    LocalRedis second;
    LocalRedis sentinel;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        primary = LocalRedis.start();
        replica = LocalRedis.startReplicaOf(primary);
        second = LocalRedis.startReplicaOf(primary);
        primary.awaitReplicas(2);
        sentinel = LocalRedis.startSentinel(primary, "latch", 1000);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        sentinel.close();
        second.close();
        replica.close();
        primary.close();
    }

    RedisLatchStore store() {
        RedisLatchStore store = RedisLatchStore.sentinel("latch", List.of(sentinel.uri())).timeout(Duration.ofSeconds(2))
                .waitForReplica(Duration.ofSeconds(1), "EMERGENCY").build();
        open.add(store);
        return store;
    }

    static Latches latches(RedisLatchStore store, RecordingAuditSink audit) {
        return Latches.builder().store(store).pepper(PEPPER).auditSink(audit).pollDueWork(Duration.ZERO)
                .issueRateLimit(dev.latch.RateLimit.of(1000, Duration.ofSeconds(1))).build();
    }

    @Test
    void sentinelFindsThePrimary_andTheReplicaAcknowledgesTheConsume() throws Exception {
        RedisLatchStore store = store();
        assertTrue(store.toString().contains("sentinel"), store.toString());
        Latches latches = latches(store, new RecordingAuditSink());
        IssuedCode code = latches.issue(LatchPolicy.EMERGENCY, "break-glass", "alice");
        assertTrue(latches.open("break-glass", code.code(), AccessContext.of("alice")).isOpen());
        // WAIT returned only once the replica had the consume: it reads the consumed slot now.
        String key = store.slotKey("break-glass", "alice");
        assertEquals(primary.command("GETRANGE", key, "0", "0"), replica.command("GETRANGE", key, "0", "0"));
        assertNotEquals("P", replica.command("GETRANGE", key, "0", "0"), "the replica holds the code as used");
    }

    @Test
    void replicaGone_waitingOpenFailsClosed_andTheRetryIsUsed() throws Exception {
        RedisLatchStore store = store();
        RecordingAuditSink audit = new RecordingAuditSink();
        Latches latches = latches(store, audit);
        IssuedCode code = latches.issue(LatchPolicy.EMERGENCY, "break-glass", "alice");
        IssuedCode high = latches.issue(LatchPolicy.HIGH, "deploy", "alice");
        replica.kill();
        second.kill();
        LatchStoreException e = assertThrows(LatchStoreException.class,
                () -> latches.open("break-glass", code.code(), AccessContext.of("alice")));
        assertTrue(e.getMessage().contains("replica"), e.getMessage());
        assertFalse(e.getMessage().contains(code.code()), "no code in the message");
        assertTrue(audit.events().stream().anyMatch(ev -> ev.type() == dev.latch.AuditEvent.Type.STORE_FAILURE),
                "the failure is audited");
        assertFalse(latches.open("break-glass", code.code(), AccessContext.of("alice")).isOpen(),
                "consumed on the primary: never a second success");
        assertTrue(latches.open("deploy", high.code(), AccessContext.of("alice")).isOpen(), "HIGH does not wait");
    }

    @Test
    void primaryKilledDuringOpens_failClosed_resumeOnThePromotedReplica_noCodeOpensTwice() throws Exception {
        RedisLatchStore store = store();
        Latches latches = latches(store, new RecordingAuditSink());
        int n = 120;
        List<IssuedCode> codes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            codes.add(latches.issue(LatchPolicy.EMERGENCY, "break-glass", "user" + i));
        }
        int[] opened = new int[n];
        int failures = 0;
        int openedAfterKill = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long killedAt = 0;
        long resumedAt = 0;
        for (int i = 0; i < n; i++) {
            if (i == n / 3) {
                primary.kill();
                killedAt = System.nanoTime();
            }
            while (true) {
                assertTrue(System.nanoTime() < deadline, "no primary was reachable again within 90 s");
                try {
                    Verdict v = latches.open("break-glass", codes.get(i).code(), AccessContext.of("user" + i));
                    if (v.isOpen()) {
                        opened[i]++;
                        if (i >= n / 3 && openedAfterKill++ == 0) {
                            resumedAt = System.nanoTime();
                        }
                    }
                    break;
                } catch (LatchStoreException e) {
                    failures++; // fail closed while there is no primary; the same code is tried again
                    Thread.sleep(20);
                }
            }
        }
        assertTrue(failures > 0, "the kill was seen as failures");
        assertTrue(openedAfterKill > 0, "opens resumed on the promoted replica");
        // every code again, on the new primary: what opened before the kill was acknowledged by the replica
        for (int i = 0; i < n; i++) {
            if (latches.open("break-glass", codes.get(i).code(), AccessContext.of("user" + i)).isOpen()) {
                opened[i]++;
            }
        }
        int burned = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(opened[i] <= 1, "code " + i + " opened " + opened[i] + " times");
            if (opened[i] == 0) {
                // consumed on a primary whose replica did not acknowledge in time: the caller was
                // told it failed, and the code stays used
                burned++;
                assertTrue(i >= n / 3, "code " + i + " was opened before the kill");
            }
        }
        assertTrue(burned < n / 3, burned + " codes burned by the failover");
        System.out.printf("failover: %d calls failed closed, opens resumed %d ms after the kill, %d codes burned%n",
                failures, (resumedAt - killedAt) / 1_000_000, burned);
        IssuedCode after = latches.issue(LatchPolicy.EMERGENCY, "break-glass", "late");
        assertTrue(latches.open("break-glass", after.code(), AccessContext.of("late")).isOpen(), "issue works after it");
        int promoted = Integer.parseInt(((List<?>) sentinel.command("SENTINEL", "get-master-addr-by-name", "latch"))
                .get(1).toString());
        assertTrue(promoted == replica.port() || promoted == second.port(), "a replica was promoted");
    }
}
