package dev.latch.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.latch.AccessContext;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.LatchStoreException;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.RateLimit;
import dev.latch.testing.MutableClock;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PostgreSQL stopped mid-run, the pool exhausted, and the housekeeping of expired rows, on a real server. */
class JdbcFaultsTest {
    static final Pepper PEPPER = Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=");

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static EmbeddedPostgres start(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    private static HikariDataSource pool(String url, int size, long waitMs) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(waitMs);
        config.setInitializationFailTimeout(-1); // start even when the server is down
        return new HikariDataSource(config);
    }

    @Test
    void serverStoppedMidRun_failsClosedTyped_andWorksAgainAfterRestart_withoutRestartingTheJvm(@TempDir Path data)
            throws Exception {
        int port = freePort();
        EmbeddedPostgres pg = start(data, port);
        String url = pg.getJdbcUrl("postgres", "postgres");
        MutableClock clock = MutableClock.monday10am();
        try (HikariDataSource ds = pool(url, 4, 2_000)) {
            JdbcLatchStore.migrate(ds, "f_");
            JdbcLatchStore store = JdbcLatchStore.builder(ds).tablePrefix("f_").queryTimeout(Duration.ofSeconds(2)).build();
            Latches latches = Latches.builder().store(store).clock(clock).pepper(PEPPER).auditSink(e -> { })
                    .issueRateLimit(RateLimit.of(1000, Duration.ofSeconds(1))).build();
            IssuedCode code = latches.issue(LatchPolicy.HIGH, "down", "alice");
            pg.close(); // the server stops
            long start = System.nanoTime();
            LatchStoreException e = assertThrows(LatchStoreException.class,
                    () -> latches.open("down", code.code(), AccessContext.of("alice")));
            assertFalse(e.getMessage().contains(code.code()));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos(), "failed within the pool's bound");
            pg = start(data, port); // back, on the same port and data
            // Connections the pool made before the outage fail closed once each (and are dropped);
            // then the code issued before the outage opens, in this JVM, with this store.
            dev.latch.Verdict v = null;
            for (int i = 0; i < 10 && v == null; i++) {
                try {
                    v = latches.open("down", code.code(), AccessContext.of("alice"));
                } catch (LatchStoreException stale) {
                    assertFalse(stale.getMessage().contains(code.code()));
                }
            }
            assertTrue(v != null && v.isOpen(), "the code opens once the server is back: " + v);
        } finally {
            pg.close();
        }
    }

    @Test
    void poolExhausted_isABoundedWaitAndATypedError() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
             HikariDataSource ds = pool(pg.getJdbcUrl("postgres", "postgres"), 1, 300)) {
            JdbcLatchStore.migrate(ds, "x_");
            JdbcLatchStore store = JdbcLatchStore.builder(ds).tablePrefix("x_").build();
            try (Connection held = ds.getConnection()) {
                assertTrue(held.isValid(1));
                assertThrows(LatchStoreException.class, () -> store.getMarker("k", Instant.now()));
            }
            assertTrue(store.getMarker("k", Instant.now()).isEmpty(), "works again once a connection is free");
        }
    }

    @Test
    void deleteExpired_removesWhatNoLongerMatters_inBatches_andKeepsTheRest() throws Exception {
        try (LocalPostgres pg = LocalPostgres.start()) {
            JdbcLatchStore.migrate(pg.dataSource(), "h_");
            JdbcLatchStore store = JdbcLatchStore.builder(pg.dataSource()).tablePrefix("h_").build();
            MutableClock clock = MutableClock.monday10am();
            Latches latches = Latches.builder().store(store).clock(clock).pepper(PEPPER).auditSink(e -> { })
                    .issueRateLimit(RateLimit.of(1000, Duration.ofSeconds(1))).build();
            for (int i = 0; i < 25; i++) {
                latches.issue(LatchPolicy.HIGH, "old", "u" + i);
                store.putMarker("m" + i, "v", clock.instant().plusSeconds(60), clock.instant());
            }
            Instant now = clock.instant();
            store.compareAndSet("r", 0, "x", now.plusSeconds(60), now);
            clock.advance(Duration.ofMinutes(30));
            assertEquals(25 + 1 + 25, store.deleteExpired(clock.instant(), 10),
                    "the markers, the record and the subjects' ended rate windows; not the codes' slots");
            clock.advance(Duration.ofHours(2));
            IssuedCode live = latches.issue(LatchPolicy.HIGH, "new", "alice");
            long later = store.deleteExpired(clock.instant(), 7);
            assertTrue(later >= 25, "the 25 old slots (an hour past expiry) and their subjects' windows: " + later);
            assertTrue(store.find(live.codeId()).isPresent(), "a slot that still matters is kept");
            assertEquals(0, store.deleteExpired(clock.instant(), 100), "nothing left to delete");
            assertThrows(IllegalArgumentException.class, () -> store.deleteExpired(clock.instant(), 0));
        }
    }
}
