package dev.latch.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latch.Latches;
import dev.latch.spi.LatchStore;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;

/**
 * Retained heap per live dynamic code, measured as the difference in used heap after full
 * garbage collections, before and after issuing n codes (one per subject, as in real use).
 * The floor holds what a minimal store must: a key and a 32-byte digest in a Caffeine cache.
 * JMH measures time, not retained size, so this one row is measured here.
 */
public final class MemoryFootprint {
    private MemoryFootprint() {
    }

    /** Bytes per code for latch and for the floor. */
    record Result(int codes, double latchBytesPerCode, double floorBytesPerCode) {
    }

    static Result measure(int n) {
        String[] subjects = new String[n];
        for (int i = 0; i < n; i++) {
            subjects[i] = "subject-" + i;
        }
        long before = usedAfterGc();
        Latches latches = Fixtures.latches(Latches.inMemoryStore(n * 2 + 16), Clock.systemUTC());
        for (int i = 0; i < n; i++) {
            latches.issue(Fixtures.MULTI_USE, "bench", subjects[i]);
        }
        long withLatch = usedAfterGc();
        double latchPerCode = (double) (withLatch - before) / n;
        if (latches.toString().isEmpty()) {
            throw new AssertionError(); // keeps latches reachable until measured
        }
        latches = null;
        long base = usedAfterGc();
        Cache<String, byte[]> floor = Caffeine.newBuilder().build();
        for (int i = 0; i < n; i++) {
            floor.put("bench\u0000" + subjects[i], new byte[32]);
        }
        long withFloor = usedAfterGc();
        double floorPerCode = (double) (withFloor - base) / n;
        if (floor.estimatedSize() != n) {
            throw new AssertionError();
        }
        return new Result(n, latchPerCode, floorPerCode);
    }

    /**
     * Prints the memory row alone: {@code java -Xms3g -Xmx3g -cp latch-benchmarks/target/benchmarks.jar
     * dev.latch.benchmarks.MemoryFootprint [codes]}.
     *
     * @param args optionally the number of codes (default 1,000,000)
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Result r = measure(n);
        System.out.printf("memory per live code at %,d codes: latch %.0f B, floor %.0f B%n", n, r.latchBytesPerCode(),
                r.floorBytesPerCode());
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
