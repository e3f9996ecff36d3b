package dev.latch.benchmarks;

import java.util.Arrays;

/**
 * The Redis ratio measured a second way: {@link RedisBenchmark}'s store open and its floor (a
 * raw EVALSHA of {@code return 1}) on 2 threads, in one JVM, in alternating phases, with the
 * throughput ratio taken per round (one phase of each, their order swapped every round). JMH
 * runs the floor and the open one after the other, minutes apart, and this machine's speed
 * moves in that time; here both sides of a ratio meet the same minute. It is not a JMH
 * benchmark (no forks, no blackholes), so read it next to {@code RedisBenchmark}, not instead:
 * <pre>{@code
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.RedisInterleaved [rounds] [phase ms]
 * }</pre>
 * Needs {@code redis-server} on PATH. Four warm-up rounds come first. The benchmark's 1,000
 * codes allow 1,000 uses each, about 10^6 opens in all, which the defaults stay under at this
 * machine's 15,000–20,000 opens a second; a run that uses a code up stops with an error.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class RedisInterleaved {
    private RedisInterleaved() {
    }

    /**
     * Runs the rounds and prints each ratio and their median.
     *
     * @param args optionally the rounds (default 20) and the phase length in milliseconds (default 2,000)
     * @throws Exception when redis-server cannot be started
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long phaseMs = args.length > 1 ? Long.parseLong(args[1]) : 2_000;
        RedisBenchmark b = new RedisBenchmark();
        b.setUp();
        try {
            double[] ratios = run(b, 4, rounds, phaseMs, true);
            double[] s = ratios.clone();
            Arrays.sort(s);
            System.out.printf("median ratio %.3f (quartiles %.3f-%.3f, min %.3f, max %.3f) over %d rounds%n",
                    s[rounds / 2], s[rounds / 4], s[3 * rounds / 4], s[0], s[rounds - 1], rounds);
        } finally {
            b.tearDown();
        }
    }

    /** Open ÷ floor throughput per measured round, after {@code warmup} rounds. */
    static double[] run(RedisBenchmark b, int warmup, int rounds, long phaseMs, boolean print) {
        return Interleaved.alternate(warmup, rounds, print ? "open" : null, () -> phase(b, true, phaseMs),
                "floor", () -> phase(b, false, phaseMs));
    }

    /** Calls per second of one operation on 2 threads for {@code ms} milliseconds. */
    private static double phase(RedisBenchmark b, boolean open, long ms) {
        return Interleaved.phase(() -> {
            RedisBenchmark.Cursor c = new RedisBenchmark.Cursor();
            return open ? () -> Interleaved.open(b.open(c)) : () -> ((Long) b.rawEvalsha()).intValue();
        }, 2, ms);
    }
}
