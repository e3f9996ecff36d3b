package dev.latch.benchmarks;

import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The in-memory rows measured a second way: an operation and its floor from
 * {@link IssueBenchmark} or {@link DynamicCodeBenchmark} on one thread, in one JVM, in
 * alternating phases of a fixed number of calls, with the time ratio taken per round (one
 * phase of each, their order swapped every round). JMH runs each benchmark in forks of its own,
 * minutes apart, and this machine's speed moves by ±20% in that time; here both sides of a
 * ratio meet the same moment. It is not a JMH benchmark (no forks, no blackholes), so read it
 * next to the JMH rows, not instead:
 * <pre>{@code
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.Interleaved issue [rounds] [calls]
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.Interleaved open <live codes> [rounds] [calls]
 * }</pre>
 * Defaults: 30 rounds of 200,000 calls, after 6 rounds of warm-up. Every open must succeed (a
 * denial is cheaper, so it would flatter the ratio); small sets are issued again before each
 * phase, as the JMH benchmark does before each iteration, so their codes never run out of uses.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class Interleaved {
    private Interleaved() {
    }

    /**
     * Runs the rounds and prints each ratio and their median.
     *
     * @param args {@code issue [rounds] [calls]} or {@code open <live codes> [rounds] [calls]}
     */
    public static void main(String[] args) {
        if (args.length == 0 || !(args[0].equals("issue") || (args[0].equals("open") && args.length > 1))) {
            System.err.println("usage: Interleaved issue [rounds] [calls] | Interleaved open <live codes> [rounds] [calls]");
            System.exit(2);
        }
        int at = args[0].equals("open") ? 2 : 1;
        int rounds = args.length > at ? Integer.parseInt(args[at]) : 30;
        int calls = args.length > at + 1 ? Integer.parseInt(args[at + 1]) : 200_000;
        Pair pair = args[0].equals("issue") ? issue() : open(Integer.parseInt(args[1]));
        double[] ratios = run(pair, 6, rounds, calls, true);
        double[] s = ratios.clone();
        Arrays.sort(s);
        System.out.printf("%s: median ratio %.3f (quartiles %.3f-%.3f, min %.3f, max %.3f) over %d rounds of %,d calls%n",
                pair.name, s[rounds / 2], s[rounds / 4], s[3 * rounds / 4], s[0], s[rounds - 1], rounds, calls);
    }

    /** An operation, its floor, and what to do before a phase of the operation. */
    record Pair(String name, IntSupplier operation, IntSupplier floor, Runnable beforeOperation) {
    }

    /** {@link IssueBenchmark}'s issue and floor. */
    static Pair issue() {
        IssueBenchmark b = new IssueBenchmark();
        b.setUp();
        IssueBenchmark.Cursor c = new IssueBenchmark.Cursor();
        return new Pair("issue", () -> b.issue(c).code().length(), () -> b.floor(c).length, () -> { });
    }

    /** {@link DynamicCodeBenchmark}'s open and floor with {@code liveCodes} live codes. */
    static Pair open(int liveCodes) {
        DynamicCodeBenchmark b = new DynamicCodeBenchmark();
        b.liveCodes = liveCodes;
        b.setUp();
        DynamicCodeBenchmark.Cursor c = new DynamicCodeBenchmark.Cursor();
        return new Pair("open at " + liveCodes, () -> {
            if (!b.open(c).isOpen()) {
                throw new IllegalStateException("an open was denied: a denial is cheaper, so the ratio would mean nothing");
            }
            return 1;
        }, () -> b.floor(c) ? 1 : 0, b::refresh);
    }

    /** Operation ÷ floor time per call, per measured round, after {@code warmup} rounds. */
    static double[] run(Pair pair, int warmup, int rounds, int calls, boolean print) {
        double[] ratios = new double[rounds];
        long sink = 0;
        for (int r = -warmup; r < rounds; r++) {
            double[] ns = new double[2];
            for (int i = 0; i < 2; i++) {
                boolean operation = (i == 0) == ((r & 1) == 0); // the order alternates
                IntSupplier op = operation ? pair.operation : pair.floor;
                if (operation) {
                    pair.beforeOperation.run();
                }
                long start = System.nanoTime();
                for (int n = 0; n < calls; n++) {
                    sink += op.getAsInt();
                }
                ns[operation ? 0 : 1] = (System.nanoTime() - start) / (double) calls;
            }
            if (r >= 0) {
                ratios[r] = ns[0] / ns[1];
                if (print) {
                    System.out.printf("round %d: %s %.0f ns, floor %.0f ns, ratio %.3f%n", r, pair.name, ns[0], ns[1], ratios[r]);
                }
            }
        }
        if (sink == 42) { // keeps the results alive
            System.out.print("");
        }
        return ratios;
    }
}
