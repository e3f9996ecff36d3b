package dev.latch.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import javax.crypto.Mac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Opening a dynamic code on the Caffeine store with 10^3, 10^5 and 10^6 live codes, next to its
 * floor: one HMAC-SHA256 of the code plus one Caffeine hit and a constant-time compare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DynamicCodeBenchmark {
    @Param({"1000", "100000", "1000000"})
    public int liveCodes;

    Latches latches;
    String[] codes;
    AccessContext[] contexts;
    Cache<String, byte[]> floorCache;
    String[] floorKeys;
    byte[][] codeBytes;
    ThreadLocal<Mac> mac;

    @Setup(Level.Trial)
    public void setUp() {
        latches = Fixtures.latches(Latches.inMemoryStore(liveCodes * 2 + 16), Clock.systemUTC());
        contexts = new AccessContext[liveCodes];
        for (int i = 0; i < liveCodes; i++) {
            contexts[i] = AccessContext.of("subject-" + i);
        }
        issueAll();
        mac = Fixtures.hmacSha256(Fixtures.PEPPER_BYTES);
        floorCache = Caffeine.newBuilder().build();
        floorKeys = new String[liveCodes];
        codeBytes = new byte[liveCodes][];
        for (int i = 0; i < liveCodes; i++) {
            floorKeys[i] = "bench\u0000subject-" + i;
            codeBytes[i] = codes[i].getBytes(StandardCharsets.US_ASCII);
            floorCache.put(floorKeys[i], mac.get().doFinal(codeBytes[i]));
        }
    }

    private void issueAll() {
        codes = new String[liveCodes];
        for (int i = 0; i < liveCodes; i++) {
            codes[i] = latches.issue(Fixtures.MULTI_USE, "bench", contexts[i].subject()).code();
        }
    }

    /** Small sets would run out of their 1000 uses per code within a trial: issue them again. */
    @Setup(Level.Iteration)
    public void refresh() {
        if (liveCodes <= 10_000) {
            issueAll();
        }
    }

    /** Each thread walks the codes in its own random order. */
    @State(Scope.Thread)
    public static class Cursor {
        final int[] state = {(int) System.nanoTime() | 1};
    }

    @Benchmark
    public Verdict open(Cursor cursor) {
        int i = Fixtures.next(cursor.state, liveCodes);
        return latches.open("bench", codes[i], contexts[i]);
    }

    @Benchmark
    public boolean floor(Cursor cursor) {
        int i = Fixtures.next(cursor.state, liveCodes);
        byte[] digest = mac.get().doFinal(codeBytes[i]);
        return MessageDigest.isEqual(digest, floorCache.getIfPresent(floorKeys[i]));
    }
}
