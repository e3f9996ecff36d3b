package dev.latch.benchmarks;

import java.util.Arrays;

/**
 * The Redis ratio measured a second way: {@link RedisBenchmark}'s store open, its minimal
 * decision script (the bound) and its floor (a raw EVALSHA of {@code return 1}) on 2 threads,
 * in one JVM, in rotating phases (one phase of each per round, each operation first in every
 * third round), with the throughput ratios taken per round. JMH runs the three one after the
 * other, minutes apart, and this machine's speed moves in that time; here the three sides of a
 * round meet the same few seconds. Open ÷ minimal decision says how close the store comes to
 * the least any one-round-trip decision costs on the same machine. It is not a JMH benchmark
 * (no forks, no blackholes), so read it next to {@code RedisBenchmark}, not instead:
 * <pre>{@code
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.RedisInterleaved [rounds] [phase ms]
 * }</pre>
 * Starts its own redis-server (from PATH, else the embedded-redis artifact). Four warm-up rounds come first. The benchmark's 1,000
 * codes allow 1,000 uses each, so they are issued afresh before each open phase (untimed); a
 * phase that uses a code up (more than about 900,000 opens) stops with an error.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class RedisInterleaved {
    private RedisInterleaved() {
    }

    /** The operations of a round, in the order of {@link #run}'s rates. */
    static final String[] OPERATIONS = {"open", "minimal", "floor"};

    /**
     * Runs the rounds and prints each round's rates and ratios, and their medians.
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
            double[][] rates = run(b, 4, rounds, phaseMs);
            double[] openFloor = new double[rounds];
            double[] minimalFloor = new double[rounds];
            double[] openMinimal = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                openFloor[r] = rates[r][0] / rates[r][2];
                minimalFloor[r] = rates[r][1] / rates[r][2];
                openMinimal[r] = rates[r][0] / rates[r][1];
                System.out.printf("round %d: open %.0f/s, minimal %.0f/s, floor %.0f/s; open/floor %.3f, "
                        + "minimal/floor %.3f, open/minimal %.3f%n", r, rates[r][0], rates[r][1], rates[r][2],
                        openFloor[r], minimalFloor[r], openMinimal[r]);
            }
            System.out.println(summary("open ÷ floor", openFloor));
            System.out.println(summary("minimal decision ÷ floor", minimalFloor));
            System.out.println(summary("open ÷ minimal decision", openMinimal));
        } finally {
            b.tearDown();
        }
    }

    /** The median of the ratios, with their quartiles and range. */
    static String summary(String name, double[] ratios) {
        double[] s = ratios.clone();
        Arrays.sort(s);
        int n = s.length;
        return String.format(java.util.Locale.ROOT, "%s: median %.3f (quartiles %.3f-%.3f, min %.3f, max %.3f) over %d rounds",
                name, s[n / 2], s[n / 4], s[3 * n / 4], s[0], s[n - 1], n);
    }

    /**
     * Calls per second of open, minimal decision and floor (in that order, as {@link #OPERATIONS})
     * per measured round, after {@code warmup} rounds.
     */
    static double[][] run(RedisBenchmark b, int warmup, int rounds, long phaseMs) {
        return Interleaved.rotate(warmup, rounds, new java.util.function.DoubleSupplier[]{
            () -> phase(b, 0, phaseMs), () -> phase(b, 1, phaseMs), () -> phase(b, 2, phaseMs)});
    }

    /** Calls per second of one operation (an index into {@link #OPERATIONS}) on 2 threads for {@code ms} milliseconds. */
    private static double phase(RedisBenchmark b, int operation, long ms) {
        if (operation == 0) {
            b.issueCodes();
        }
        return Interleaved.phase(() -> {
            RedisBenchmark.Cursor c = new RedisBenchmark.Cursor();
            return switch (operation) {
                case 0 -> () -> Interleaved.open(b.open(c));
                case 1 -> () -> ((Long) b.minimalDecision(c)).intValue();
                default -> () -> ((Long) b.rawEvalsha(c)).intValue();
            };
        }, 2, ms);
    }
}
