package dev.latch.benchmarks;

import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.StaticKeySpec;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import javax.crypto.Mac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Authenticating a static key, next to its floor: CRC32 of the key body, one HMAC-SHA256 of the
 * secret, one map hit and a constant-time compare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StaticKeyBenchmark {
    static final int KEYS = 1000;

    Latches latches;
    String[] keys;
    AccessContext context;
    ThreadLocal<Mac> mac;
    Map<String, byte[]> floorMap;
    String[] ids;
    byte[][] bodies;
    byte[][] secrets;

    @Setup(Level.Trial)
    public void setUp() {
        latches = Fixtures.latches(Latches.inMemoryStore(), Clock.systemUTC());
        context = AccessContext.builder("svc").source("10.0.0.1").build();
        keys = new String[KEYS];
        ids = new String[KEYS];
        bodies = new byte[KEYS][];
        secrets = new byte[KEYS][];
        mac = Fixtures.hmacSha256(Fixtures.PEPPER_BYTES);
        floorMap = new ConcurrentHashMap<>();
        for (int i = 0; i < KEYS; i++) {
            keys[i] = latches.issueStaticKey(StaticKeySpec.builder("svc-" + i).prefix("lk_live").scopes("a:b").build()).key();
            String k = keys[i];
            ids[i] = k.substring(8, 20);
            bodies[i] = k.substring(0, k.length() - 6).getBytes(StandardCharsets.US_ASCII);
            secrets[i] = k.substring(21, k.length() - 6).getBytes(StandardCharsets.US_ASCII);
            floorMap.put(ids[i], mac.get().doFinal(secrets[i]));
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        final int[] state = {(int) System.nanoTime() | 1};
    }

    @Benchmark
    public Verdict authenticate(Cursor cursor) {
        return latches.authenticate(keys[Fixtures.next(cursor.state, KEYS)], context);
    }

    @Benchmark
    public boolean floor(Cursor cursor) {
        int i = Fixtures.next(cursor.state, KEYS);
        CRC32 crc = new CRC32();
        crc.update(bodies[i]);
        long checksum = crc.getValue();
        byte[] digest = mac.get().doFinal(secrets[i]);
        return checksum != -1 && MessageDigest.isEqual(digest, floorMap.get(ids[i]));
    }
}
