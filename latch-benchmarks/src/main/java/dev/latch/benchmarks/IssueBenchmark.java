package dev.latch.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latch.IssuedCode;
import dev.latch.Latches;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Issuing a dynamic code, next to its floor: six SecureRandom digits, one HMAC-SHA256 and one
 * Caffeine put. The floor draws its digits from one {@code new SecureRandom()} (the platform
 * default, NativePRNG on Linux), as code written without latch would; latch draws from its own
 * default, a few DRBG generators that threads are spread over.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IssueBenchmark {
    static final int SUBJECTS = 100_000;

    Latches latches;
    String[] subjects;
    SecureRandom random;
    ThreadLocal<Mac> mac;
    Cache<String, byte[]> floorCache;

    @Setup(Level.Trial)
    public void setUp() {
        latches = Fixtures.latches(Latches.inMemoryStore(SUBJECTS * 4), Clock.systemUTC());
        subjects = new String[SUBJECTS];
        for (int i = 0; i < SUBJECTS; i++) {
            subjects[i] = "subject-" + i;
        }
        random = new SecureRandom();
        mac = Fixtures.hmacSha256(Fixtures.PEPPER_BYTES);
        floorCache = Caffeine.newBuilder().build();
    }

    @State(Scope.Thread)
    public static class Cursor {
        final int[] state = {(int) System.nanoTime() | 1};
    }

    @Benchmark
    public IssuedCode issue(Cursor cursor) {
        return latches.issue(Fixtures.MULTI_USE, "bench", subjects[Fixtures.next(cursor.state, SUBJECTS)]);
    }

    @Benchmark
    public byte[] floor(Cursor cursor) {
        char[] digits = new char[6];
        for (int i = 0; i < 6; i++) {
            digits[i] = (char) ('0' + random.nextInt(10));
        }
        byte[] digest = mac.get().doFinal(new String(digits).getBytes(StandardCharsets.US_ASCII));
        floorCache.put(subjects[Fixtures.next(cursor.state, SUBJECTS)], digest);
        return digest;
    }
}
