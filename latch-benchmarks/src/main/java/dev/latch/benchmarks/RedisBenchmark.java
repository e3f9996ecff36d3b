package dev.latch.benchmarks;

import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.redis.RedisLatchStore;
import dev.latch.test.redis.LocalRedis;
import dev.latch.test.redis.LocalRedisCluster;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens against a local redis-server (started here, on a free loopback port) with 2 client
 * threads (RunAll also runs 1, 8 and 64), next to a raw Lettuce EVALSHA of a trivial script on
 * the same server through one shared connection, as the store's: the floor of any
 * one-round-trip design. With {@code topology=cluster} the same runs on a three-primary Redis
 * Cluster ({@link LocalRedisCluster}) through Lettuce's cluster client, store and floor alike.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class RedisBenchmark {
    /** {@code standalone}: one redis-server; {@code cluster}: three primaries. */
    @Param({"standalone"})
    public String topology = "standalone";

    /** 1,000 codes of 1,000 uses: more opens than 2 threads make in a run, so every open opens. */
    static final int CODES = 1000;

    /** The server: from PATH or the embedded-redis artifact; its directory is deleted at tear-down. */
    LocalRedis redis;
    LocalRedisCluster cluster;
    RedisLatchStore store;
    Latches latches;
    String[] codes;
    AccessContext[] contexts;
    AbstractRedisClient client;
    StatefulConnection<String, String> connection;
    RedisClusterCommands<String, String> raw;
    String sha;
    String decisionSha;

    /** A 64-hex-character stand-in digest for the minimal decision. */
    static final String DIGEST = "36e8a058acc7f5cc2317c8adf1e561aab319bf231463cc33c3027838eb1537a9";

    /**
     * The least work any one-round-trip open can do on Redis: read the stored digest, compare,
     * consume one use. No expiry, lock, attempt count, state or audit data.
     */
    static final String MINIMAL_DECISION = "local d = redis.call('HGET', KEYS[1], 'dig') "
            + "if d == ARGV[1] then redis.call('HINCRBY', KEYS[1], 'uses', -1) return 1 end return 0";

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        start(List.of());
    }

    /**
     * Starts redis-server and prepares the codes and keys.
     *
     * @param launcher what runs redis-server (empty: itself; {@link RedisInstructions} runs it
     *                 under valgrind)
     */
    void start(List<String> launcher) throws Exception {
        URI uri;
        if ("cluster".equals(topology)) {
            cluster = LocalRedisCluster.start();
            uri = cluster.uris().get(0);
            store = RedisLatchStore.cluster(cluster.uris()).build();
        } else {
            redis = LocalRedis.start(launcher);
            uri = redis.uri();
            store = RedisLatchStore.builder(uri).build();
        }
        latches = Fixtures.latches(store, Clock.systemUTC());
        codes = new String[CODES];
        contexts = new AccessContext[CODES];
        for (int i = 0; i < CODES; i++) {
            contexts[i] = AccessContext.of("subject-" + i);
        }
        issueCodes();
        if (cluster != null) {
            RedisClusterClient c = RedisClusterClient.create(cluster.uris().stream().map(u -> RedisURI.create(u.toString())).toList());
            StatefulRedisClusterConnection<String, String> conn = c.connect();
            client = c;
            connection = conn;
            raw = conn.sync();
        } else {
            RedisClient c = RedisClient.create(uri.toString());
            io.lettuce.core.api.StatefulRedisConnection<String, String> conn = c.connect();
            client = c;
            connection = conn;
            raw = conn.sync();
        }
        sha = raw.scriptLoad("return 1");
        decisionSha = raw.scriptLoad(MINIMAL_DECISION);
        for (int i = 0; i < CODES; i++) {
            raw.hset("minimal:" + i, java.util.Map.of("dig", DIGEST, "uses", "1000000000"));
        }
    }

    /** Issues the codes afresh, each with its 1,000 uses (a re-issue replaces each subject's code). */
    void issueCodes() {
        for (int i = 0; i < CODES; i++) {
            codes[i] = latches.issue(Fixtures.MULTI_USE, "bench", contexts[i].subject()).code();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        connection.close();
        client.shutdown();
        store.close();
        if (redis != null) {
            redis.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Deletes a directory and everything in it. */
    static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
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

    @Benchmark
    public Object minimalDecision(Cursor cursor) {
        int i = Fixtures.next(cursor.state, CODES);
        return raw.evalsha(decisionSha, ScriptOutputType.INTEGER, new String[]{"minimal:" + i}, DIGEST);
    }

    /** Keys the floor spreads its calls over: on a cluster they reach every primary, as the opens do. */
    static final String[] FLOOR_KEYS = java.util.stream.IntStream.range(0, 64).mapToObj(i -> "k" + i).toArray(String[]::new);

    @Benchmark
    public Object rawEvalsha(Cursor cursor) {
        return raw.evalsha(sha, ScriptOutputType.INTEGER, new String[]{FLOOR_KEYS[Fixtures.next(cursor.state, 64)]});
    }
}
