package dev.latch.redis;

import static org.junit.jupiter.api.Assertions.assertThrows;
import java.time.Duration;
import dev.latch.StaticKeySpec;
import dev.latch.LatchStoreException;
import dev.latch.IssuedStaticKey;
import dev.latch.AccessContext;
import dev.latch.test.redis.LocalRedis;
import dev.latch.CodeFormat;
import dev.latch.CodeInfo;
import dev.latch.LockoutPolicy;
import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore;
import dev.latch.spi.LatchStore.OpenRequest;
import dev.latch.spi.LatchStore.OpenResult;
import dev.latch.testing.LatchStoreConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core store conformance suite, against a real redis-server. */
class RedisLatchStoreConformanceTest extends LatchStoreConformanceTest {
    static LocalRedis server;
    static RedisAdmin admin;
    final List<RedisLatchStore> opened = new ArrayList<>();

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

    @Override
    protected LatchStore newStore() {
        admin.flushAll();
        // a generous timeout: the suite checks decisions, and a loaded machine may answer slowly
        RedisLatchStore store = RedisLatchStore.builder(server.uri()).prefix("conformance").timeout(Duration.ofSeconds(30))
                .build();
        opened.add(store);
        return store;
    }

    /**
     * open.lua reads the time as 13 hex digits of the time plus 2^51: a time before 1970 must read
     * as before the code's start, neither as a huge time (expired) nor as a script error.
     */
    @Test
    void open_atATimeBefore1970_readsItAsNegative() {
        Instant now = clock.instant();
        byte[] digest = new byte[32];
        digest[3] = 7;
        CodeRecord code = new CodeRecord("c_epoch", "latch-e", "alice", "p", CodeFormat.Kind.NUMERIC, List.of(digest), 0,
                CodeInfo.State.PENDING, now, now, now.plusSeconds(600), 5, 1, 0, false, "", null);
        assertTrue(store.issue(code, null, now).issued());
        for (Instant before : new Instant[]{Instant.ofEpochMilli(-1), Instant.parse("1969-07-20T20:17:40Z")}) {
            assertEquals(OpenResult.Outcome.NOT_YET_VALID, store.open(new OpenRequest("latch-e", "alice", digest, null,
                    Set.of(CodeFormat.Kind.NUMERIC), null, null, false, before, LockoutPolicy.DEFAULT)).outcome(),
                    before.toString());
        }
        assertEquals(OpenResult.Outcome.OPENED, store.open(new OpenRequest("latch-e", "alice", digest, null,
                Set.of(CodeFormat.Kind.NUMERIC), null, null, false, now, LockoutPolicy.DEFAULT)).outcome());
    }

    /**
     * The common open writes the uses left as six base-64 digits in the slot's head and replies
     * with them (open.lua inline; common.lua's head and uses_of for every other path). Counts that
     * need the higher digits reach the store only through the SPI (a policy allows 1,000 uses):
     * the count read back, by this client and by the general path (find), must be the one written.
     */
    @Test
    void usesLeft_survivesEveryDigitOfTheHead() {
        Instant now = clock.instant();
        int i = 0;
        for (int uses : new int[]{64, 4096, 4097, 262_144, 16_777_216, 1_073_741_825, Integer.MAX_VALUE}) {
            byte[] digest = new byte[32];
            digest[0] = (byte) ++i;
            String id = "c_uses" + i;
            CodeRecord code = new CodeRecord(id, "latch-u", "s" + i, "p", CodeFormat.Kind.NUMERIC, List.of(digest), 0,
                    CodeInfo.State.PENDING, now, now, now.plusSeconds(600), 5, uses, 0, false, "", null);
            assertTrue(store.issue(code, null, now).issued());
            for (int k = 1; k <= 2; k++) {
                OpenResult r = store.open(new OpenRequest("latch-u", "s" + i, digest, null, Set.of(CodeFormat.Kind.NUMERIC),
                        null, null, false, now, LockoutPolicy.DEFAULT));
                assertEquals(OpenResult.Outcome.OPENED, r.outcome(), "uses " + uses);
                assertEquals(uses - k, r.code().usesLeft(), "uses " + uses + ", open " + k);
            }
            assertEquals(uses - 2, store.find(id).orElseThrow().usesLeft(), "read by the general path");
            // A wrong digest takes the general path, which rewrites the whole slot from its table.
            byte[] wrong = digest.clone();
            wrong[31] ^= 1;
            assertEquals(OpenResult.Outcome.WRONG_CODE, store.open(new OpenRequest("latch-u", "s" + i, wrong, null,
                    Set.of(CodeFormat.Kind.NUMERIC), null, null, false, now, LockoutPolicy.DEFAULT)).outcome());
            OpenResult after = store.open(new OpenRequest("latch-u", "s" + i, digest, null, Set.of(CodeFormat.Kind.NUMERIC),
                    null, null, false, now, LockoutPolicy.DEFAULT));
            assertEquals(uses - 3, after.code().usesLeft(), "after the whole slot was rewritten, uses " + uses);
            assertEquals(uses - 3, store.find(id).orElseThrow().usesLeft());
        }
    }

    /**
     * Stored formats: a key hash written before the layout field and the pepper id existed reads
     * as layout 1 under the default pepper and still authenticates; a key hash, record or work
     * item of a layout this build does not know fails closed instead of being guessed at.
     */
    @Test
    void storedLayouts_olderReadAsTheyAre_unknownFailClosed() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        String hash = "conformance:key:" + key.keyId();
        assertEquals("1", admin.sync().hget(hash, "v"));
        admin.sync().hdel(hash, "v", "pep");
        assertEquals("default", store.findKey(key.keyId()).orElseThrow().pepperId());
        assertTrue(latches.authenticate(key.key(), AccessContext.of("svc")).isOpen(), "a key stored before the layout field");
        admin.sync().hset(hash, "v", "2");
        assertThrows(LatchStoreException.class, () -> latches.authenticate(key.key(), AccessContext.of("svc")));
        assertThrows(LatchStoreException.class, () -> store.findKey(key.keyId()));

        Instant now = clock.instant();
        assertTrue(store.compareAndSet("rec:v", 0, "x", now.plusSeconds(60), now));
        String rec = admin.sync().keys("conformance:r:*").get(0);
        admin.sync().set(rec, "r2|1|" + (now.toEpochMilli() + 60_000) + "|x");
        assertThrows(LatchStoreException.class, () -> store.getRecord("rec:v", now));

        store.schedule(new dev.latch.spi.LatchStore.Work("w:v", "TEST", "", now), now);
        String item = admin.sync().keys("conformance:{W}:i:*").get(0);
        admin.sync().hset(item, "v", "2");
        assertThrows(LatchStoreException.class, () -> store.claimDue(now, Duration.ofMinutes(1), 10));
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RedisLatchStore::close);
        opened.clear();
    }
}
