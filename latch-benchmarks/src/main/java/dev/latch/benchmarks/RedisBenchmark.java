package dev.latch.benchmarks;

import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.redis.RedisLatchStore;
import dev.latch.test.redis.LocalRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
 * threads, next to a raw Lettuce EVALSHA of a trivial script on the same server: the floor of
 * any one-round-trip design.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class RedisBenchmark {
    /** 1,000 codes of 1,000 uses: more opens than 2 threads make in a run, so every open opens. */
    static final int CODES = 1000;

    /** The server: from PATH or the embedded-redis artifact; its directory is deleted at tear-down. */
    LocalRedis redis;
    RedisLatchStore store;
    Latches latches;
    String[] codes;
    AccessContext[] contexts;
    RedisClient client;
    StatefulRedisConnection<String, String> raw;
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
        redis = LocalRedis.start(launcher);
        URI uri = redis.uri();
        store = RedisLatchStore.builder(uri).build();
        latches = Fixtures.latches(store, Clock.systemUTC());
        codes = new String[CODES];
        contexts = new AccessContext[CODES];
        for (int i = 0; i < CODES; i++) {
            contexts[i] = AccessContext.of("subject-" + i);
        }
        issueCodes();
        client = RedisClient.create(uri.toString());
        raw = client.connect();
        sha = raw.sync().scriptLoad("return 1");
        decisionSha = raw.sync().scriptLoad(MINIMAL_DECISION);
        for (int i = 0; i < CODES; i++) {
            raw.sync().hset("minimal:" + i, java.util.Map.of("dig", DIGEST, "uses", "1000000000"));
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
        raw.close();
        client.shutdown();
        store.close();
        redis.close();
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
        return raw.sync().evalsha(decisionSha, ScriptOutputType.INTEGER, new String[]{"minimal:" + i}, DIGEST);
    }

    @Benchmark
    public Object rawEvalsha() {
        return raw.sync().evalsha(sha, ScriptOutputType.INTEGER, new String[]{"k"});
    }
}
