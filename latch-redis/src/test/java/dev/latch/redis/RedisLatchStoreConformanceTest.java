package dev.latch.redis;

import dev.latch.CodeFormat;
import dev.latch.CodeInfo;
import dev.latch.LockoutPolicy;
import dev.latch.spi.CodeRecord;
import dev.latch.spi.LatchStore;
import dev.latch.spi.OpenRequest;
import dev.latch.spi.OpenResult;
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
    static RedisServer server;
    static RedisAdmin admin;
    final List<RedisLatchStore> opened = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.start();
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
        RedisLatchStore store = RedisLatchStore.builder(server.uri()).prefix("conformance").build();
        opened.add(store);
        return store;
    }

    /**
     * open.lua reads the time in hex, with a '-' after it when negative: a time before 1970 must
     * read as before the code's start, neither as a huge time (expired) nor as a script error.
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

    @AfterEach
    void closeStores() {
        opened.forEach(RedisLatchStore::close);
        opened.clear();
    }
}
