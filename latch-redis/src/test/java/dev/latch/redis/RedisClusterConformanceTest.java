package dev.latch.redis;

import dev.latch.AccessContext;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.LatchStoreException;
import dev.latch.Latches;
import dev.latch.spi.LatchStore;
import dev.latch.test.redis.LocalRedis;
import dev.latch.test.redis.LocalRedisCluster;
import dev.latch.testing.LatchStoreConformanceTest;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core store conformance suite against a real Redis Cluster of three primaries (started from
 * redis-server binaries and joined with CLUSTER MEET and ADDSLOTS on loopback ports), plus what
 * only a cluster has: slots spread over the nodes, MOVED and ASK redirects, and a replica wait
 * routed to the slot's primary.
 */
class RedisClusterConformanceTest extends LatchStoreConformanceTest {
    static LocalRedisCluster cluster;
    final List<RedisLatchStore> opened = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalRedisCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @Override
    protected LatchStore newStore() {
        try {
            cluster.flushAll();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the test cluster does not answer", e);
        }
        RedisLatchStore store = RedisLatchStore.cluster(cluster.uris()).prefix("conformance")
                .timeout(Duration.ofSeconds(30)).build();
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RedisLatchStore::close);
        opened.clear();
    }

    @Test
    void codesOfOneLatch_spreadOverEveryPrimary() throws Exception {
        for (int i = 0; i < 60; i++) {
            latches.issue(LatchPolicy.HIGH, "deploy", "user" + i);
        }
        for (LocalRedis node : cluster.nodes()) {
            assertTrue(Long.parseLong(node.command("DBSIZE").toString()) > 0, "node " + node.port() + " holds no key");
        }
        assertEquals(60, latches.revokeLatch("deploy"), "a latch's codes are revoked across the nodes");
    }

    @Test
    void slotMigratedBetweenPrimaries_opensFollowAskThenMoved() throws Exception {
        RedisLatchStore redis = (RedisLatchStore) store;
        IssuedCode first = latches.issue(LatchPolicy.HIGH, "deploy", "alice");
        IssuedCode second = latches.issue(LatchPolicy.HIGH, "release", "alice");
        String key = redis.slotKey("deploy", "alice");
        int slot = SlotHash.getSlot(key);
        LocalRedis from = cluster.nodeFor(slot);
        LocalRedis to = cluster.nodes().stream().filter(n -> n != from).findFirst().orElseThrow();
        String fromId = cluster.nodeId(from);
        String toId = cluster.nodeId(to);
        to.command("CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", fromId);
        from.command("CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", toId);
        // Only the first code's slot moves: the old primary answers ASK for it.
        from.command("MIGRATE", "127.0.0.1", Integer.toString(to.port()), "", "0", "10000", "KEYS", key);
        assertTrue(latches.open("deploy", first.code(), AccessContext.of("alice")).isOpen(), "ASK followed");
        assertFalse(latches.open("deploy", first.code(), AccessContext.of("alice")).isOpen(), "and consumed there");

        // The rest of the slot moves and the slot is handed over: the old primary answers MOVED.
        @SuppressWarnings("unchecked")
        List<Object> rest = (List<Object>) from.command("CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "1000");
        if (!rest.isEmpty()) {
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(to.port()), "", "0",
                    "10000", "KEYS"));
            rest.forEach(k -> migrate.add(k.toString()));
            from.command(migrate.toArray(new String[0]));
        }
        for (LocalRedis n : cluster.nodes()) {
            n.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId);
        }
        assertEquals(to.port(), cluster.nodeFor(slot).port());
        assertTrue(latches.open("release", second.code(), AccessContext.of("alice")).isOpen(), "MOVED followed");
        IssuedCode third = latches.issue(LatchPolicy.HIGH, "deploy", "alice");
        assertTrue(latches.open("deploy", third.code(), AccessContext.of("alice")).isOpen(), "issue and open on the new primary");
        assertTrue(Long.parseLong(to.command("EXISTS", key).toString()) == 1);
    }

    @Test
    void waitForReplica_goesToTheSlotsPrimary_andFailsClosedWithoutReplicas() {
        RedisLatchStore waiting = RedisLatchStore.cluster(cluster.uris()).prefix("conformance")
                .waitForReplica(Duration.ofMillis(100), "EMERGENCY").build();
        opened.add(waiting);
        Latches l = Latches.builder().store(waiting).clock(clock).pepper(PEPPER).auditSink(e -> { })
                .pollDueWork(Duration.ZERO).build();
        IssuedCode high = l.issue(LatchPolicy.HIGH, "wait", "alice");
        assertTrue(l.open("wait", high.code(), AccessContext.of("alice")).isOpen(), "HIGH does not wait");
        Set<String> nodes = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            String subject = "s" + i;
            IssuedCode emergency = l.issue(LatchPolicy.EMERGENCY, "wait", subject);
            nodes.add(Integer.toString(SlotHash.getSlot(waiting.slotKey("wait", subject)) * 3 / LocalRedisCluster.SLOTS));
            assertThrows(LatchStoreException.class, () -> l.open("wait", emergency.code(), AccessContext.of(subject)),
                    "these primaries have no replica to acknowledge");
            assertFalse(l.open("wait", emergency.code(), AccessContext.of(subject)).isOpen(),
                    "the consume happened on the primary: a retry is USED");
        }
        assertTrue(nodes.size() > 1, "the opens reached more than one primary");
    }
}
