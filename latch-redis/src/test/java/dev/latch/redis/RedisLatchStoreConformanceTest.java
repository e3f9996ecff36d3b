package dev.latch.redis;

import dev.latch.spi.LatchStore;
import dev.latch.testing.LatchStoreConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.List;

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

    @AfterEach
    void closeStores() {
        opened.forEach(RedisLatchStore::close);
        opened.clear();
    }
}
