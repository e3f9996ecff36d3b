package dev.latch.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

import javax.crypto.Mac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Opening a dynamic code on the Caffeine store with 10^3, 10^5 and 10^6 live codes, next to its
 * floor: one HMAC-SHA256 of the code plus one Caffeine hit and a constant-time compare.
 *
 * <p>Each benchmark thread opens codes of its own share of the live set, in random order, as
 * concurrent requests of different users do; every open opens (a code whose last use the
 * verdict reports is issued again at once, by the thread that used it up, so a small set never
 * runs out; that issue, one per 1,000 opens, is in the measured time). With both threads on the
 * same codes, each open would also move the code's slot between the cores' caches, which is a
 * measure of the benchmark, not of two users.
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

    /**
     * A thread's share of the codes, {@code [from, from + count)}, walked in its own random order.
     * Made by JMH per thread, or with {@link #Cursor(int, int, int)}.
     */
    @State(Scope.Thread)
    public static class Cursor {
        final int[] state = {(int) System.nanoTime() | 1};
        int from;
        int count;

        /** For JMH, which then calls {@link #share}. */
        public Cursor() {
        }

        /** The share of caller {@code index} of {@code callers}, of {@code liveCodes} codes. */
        Cursor(int index, int callers, int liveCodes) {
            assign(index, callers, liveCodes);
        }

        @Setup(Level.Trial)
        public void share(DynamicCodeBenchmark b, ThreadParams thread) {
            assign(thread.getThreadIndex(), thread.getThreadCount(), b.liveCodes);
        }

        private void assign(int index, int callers, int liveCodes) {
            from = (int) ((long) liveCodes * index / callers);
            count = (int) ((long) liveCodes * (index + 1) / callers) - from;
        }

        int next() {
            return from + Fixtures.next(state, count);
        }
    }

    @Benchmark
    public Verdict open(Cursor cursor) {
        int i = cursor.next();
        Verdict v = latches.open("bench", codes[i], contexts[i]);
        if (v instanceof Verdict.Opened && ((Verdict.Opened) v).usesLeft() == 0) {
            reissue(i); // its last use: only this thread opens code i, so it is issued again exactly once
        }
        return v;
    }

    /** Kept out of {@link #open}'s compiled code, which would otherwise spend its inlining on the issue path. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    void reissue(int i) {
        codes[i] = latches.issue(Fixtures.MULTI_USE, "bench", contexts[i].subject()).code();
    }

    @Benchmark
    public boolean floor(Cursor cursor) {
        int i = cursor.next();
        byte[] digest = mac.get().doFinal(codeBytes[i]);
        return MessageDigest.isEqual(digest, floorCache.getIfPresent(floorKeys[i]));
    }
}
