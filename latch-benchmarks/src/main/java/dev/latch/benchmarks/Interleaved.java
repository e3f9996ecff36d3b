package dev.latch.benchmarks;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The in-memory rows measured a second way: an operation and its floor from
 * {@link IssueBenchmark}, {@link DynamicCodeBenchmark}, {@link TokenBenchmark} or
 * {@link TotpBenchmark} on one thread, in one JVM, in
 * alternating phases of a fixed number of calls, with the time ratio taken per round (one
 * phase of each, their order swapped every round). JMH runs each benchmark in forks of its own,
 * minutes apart, and this machine's speed moves by ±20% in that time; here both sides of a
 * ratio meet the same moment. It is not a JMH benchmark (no forks, no blackholes), so read it
 * next to the JMH rows, not instead:
 * <pre>{@code
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.Interleaved issue|token|totp [rounds] [calls]
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.Interleaved open <live codes> [rounds] [calls]
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.Interleaved threads <open|issue|token|key> [rounds] [phase ms]
 * }</pre>
 * Defaults: 30 rounds of 200,000 calls, after 6 rounds of warm-up. Every open must succeed (a
 * denial is cheaper, so it would flatter the ratio); a code used up is issued again, as in the
 * JMH benchmark, so a small set never runs out of uses.
 *
 * <p>{@code threads} measures the scaling rows the same way: open at 10^3 live codes, issue, token
 * verify or static key authentication on 2 threads against 1 (for open, each thread on its own
 * share of the codes, as in the JMH benchmark), in alternating timed phases
 * (default 40 rounds of 100 ms each, after 6 of warm-up), as the ratio of throughputs per round.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class Interleaved {
    private Interleaved() {
    }

    /**
     * Runs the rounds and prints each ratio and their median.
     *
     * @param args {@code issue|token|totp [rounds] [calls]}, {@code open <live codes> [rounds] [calls]} or
     *             {@code threads <open|issue|token|key> [rounds] [phase ms]}
     */
    public static void main(String[] args) {
        boolean single = args.length > 0 && (args[0].equals("issue") || args[0].equals("token") || args[0].equals("totp"));
        if (args.length == 0 || !(single || (args[0].equals("open") && args.length > 1)
                || (args[0].equals("threads") && args.length > 1))) {
            System.err.println("usage: Interleaved <issue|token|totp> [rounds] [calls] | Interleaved open <live codes> [rounds] [calls]"
                    + " | Interleaved threads <open|issue|token|key> [rounds] [phase ms]");
            System.exit(2);
        }
        if (args[0].equals("threads")) {
            int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 40;
            long phaseMs = args.length > 3 ? Long.parseLong(args[3]) : 100;
            Scaling op = scaling(args[1]);
            double[] s = threads(op, 6, rounds, phaseMs, true);
            Arrays.sort(s);
            System.out.printf("%s: median 2-thread / 1-thread throughput %.3f (quartiles %.3f-%.3f, min %.3f, max %.3f) over %d rounds of %d ms%n",
                    op.name, s[rounds / 2], s[rounds / 4], s[3 * rounds / 4], s[0], s[rounds - 1], rounds, phaseMs);
            return;
        }
        int at = args[0].equals("open") ? 2 : 1;
        int rounds = args.length > at ? Integer.parseInt(args[at]) : 30;
        int calls = args.length > at + 1 ? Integer.parseInt(args[at + 1]) : 200_000;
        Pair pair = args[0].equals("issue") ? issue() : args[0].equals("token") ? token()
                : args[0].equals("totp") ? totp() : open(Integer.parseInt(args[1]));
        double[] ratios = run(pair, 6, rounds, calls, true);
        double[] s = ratios.clone();
        Arrays.sort(s);
        System.out.printf("%s: median ratio %.3f (quartiles %.3f-%.3f, min %.3f, max %.3f) over %d rounds of %,d calls%n",
                pair.name, s[rounds / 2], s[rounds / 4], s[3 * rounds / 4], s[0], s[rounds - 1], rounds, calls);
    }

    /** An operation and its floor. */
    record Pair(String name, IntSupplier operation, IntSupplier floor) {
    }

    /** {@link IssueBenchmark}'s issue and floor. */
    static Pair issue() {
        IssueBenchmark b = new IssueBenchmark();
        b.setUp();
        IssueBenchmark.Cursor c = new IssueBenchmark.Cursor();
        return new Pair("issue", () -> b.issue(c).code().length(), () -> b.floor(c).length);
    }

    /** A benchmark's setup, which may throw. */
    interface SetUp<T> {
        void run(T benchmark) throws Exception;
    }

    /** @return {@code benchmark}, set up */
    static <T> T set(T benchmark, SetUp<T> setUp) {
        try {
            setUp.run(benchmark);
        } catch (Exception e) {
            throw new IllegalStateException("setting up " + benchmark.getClass().getSimpleName(), e);
        }
        return benchmark;
    }

    /** {@link TokenBenchmark}'s latch verification and floor (one {@code Mac.doFinal} and a compare). */
    static Pair token() {
        TokenBenchmark t = set(new TokenBenchmark(), TokenBenchmark::setUp);
        return new Pair("token verify", () -> open(t.latchVerify()), () -> t.floor() ? 1 : 0);
    }

    /** {@link TotpBenchmark}'s verification (±1 step, replay guard) and floor (three raw HOTPs). */
    static Pair totp() {
        TotpBenchmark t = set(new TotpBenchmark(), TotpBenchmark::setUp);
        return new Pair("TOTP verify", () -> open(t.verify()), () -> {
            try {
                return t.floorThreeHotp() ? 1 : 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** {@link DynamicCodeBenchmark}'s open and floor with {@code liveCodes} live codes. */
    static Pair open(int liveCodes) {
        DynamicCodeBenchmark b = new DynamicCodeBenchmark();
        b.liveCodes = liveCodes;
        b.setUp();
        DynamicCodeBenchmark.Cursor c = new DynamicCodeBenchmark.Cursor(0, 1, liveCodes);
        return new Pair("open at " + liveCodes, () -> open(b.open(c)), () -> b.floor(c) ? 1 : 0);
    }

    /** An operation for the scaling rows: a new caller (its own cursor) per thread. */
    record Scaling(String name, Callers caller) {
    }

    /** Makes the caller for thread {@code index} of {@code threads} in a phase. */
    interface Callers {
        IntSupplier caller(int index, int threads);
    }

    /** {@code open} (at 10^3 live codes), {@code issue}, {@code token} or {@code key}, as in the JMH scaling rows. */
    static Scaling scaling(String which) {
        switch (which) {
            case "open": {
                DynamicCodeBenchmark b = new DynamicCodeBenchmark();
                b.liveCodes = 1000;
                b.setUp();
                return new Scaling("open at 1000", (index, threads) -> {
                    DynamicCodeBenchmark.Cursor c = new DynamicCodeBenchmark.Cursor(index, threads, b.liveCodes);
                    return () -> open(b.open(c));
                });
            }
            case "token": {
                TokenBenchmark t = set(new TokenBenchmark(), TokenBenchmark::setUp);
                return new Scaling("token verify", (index, threads) -> () -> open(t.latchVerify()));
            }
            case "issue": {
                IssueBenchmark b = new IssueBenchmark();
                b.setUp();
                return new Scaling("issue", (index, threads) -> {
                    IssueBenchmark.Cursor c = new IssueBenchmark.Cursor();
                    return () -> b.issue(c).code().length();
                });
            }
            case "key": {
                StaticKeyBenchmark k = new StaticKeyBenchmark();
                k.setUp();
                return new Scaling("static key", (index, threads) -> {
                    StaticKeyBenchmark.Cursor c = new StaticKeyBenchmark.Cursor();
                    return () -> open(k.authenticate(c));
                });
            }
            default:
                throw new IllegalArgumentException("threads takes open, issue, token or key, not " + which);
        }
    }

    /** 1 for an open verdict; a denial is cheaper, so it would flatter the ratio: it stops the run. */
    static int open(dev.latch.Verdict v) {
        if (!v.isOpen()) {
            throw new IllegalStateException("a call was denied (" + v + "): an open phase may have used a code up (use shorter phases)");
        }
        return 1;
    }

    /** 2-thread ÷ 1-thread throughput per measured round, after {@code warmup} rounds. */
    static double[] threads(Scaling op, int warmup, int rounds, long phaseMs, boolean print) {
        return alternate(warmup, rounds, print ? "2 threads" : null, () -> phase(op.caller, 2, phaseMs),
                "1 thread", () -> phase(op.caller, 1, phaseMs));
    }

    /**
     * Rounds of one phase of {@code a} and one of {@code b} (each returns calls per second),
     * their order swapped every round; the ratio {@code a ÷ b} per measured round, after
     * {@code warmup} rounds. Prints each round when {@code aName} is not null.
     */
    static double[] alternate(int warmup, int rounds, String aName, DoubleSupplier a, String bName, DoubleSupplier b) {
        double[][] rates = rotate(warmup, rounds, new DoubleSupplier[]{a, b});
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratios[r] = rates[r][0] / rates[r][1];
            if (aName != null) {
                System.out.printf("round %d: %s %.0f/s, %s %.0f/s, ratio %.3f%n", r, aName, rates[r][0], bName,
                        rates[r][1], ratios[r]);
            }
        }
        return ratios;
    }

    /**
     * Rounds of one phase of each operation (each returns calls per second), the first of a
     * round moving on by one every round, so that each operation runs first, second and so on
     * equally often: the rates of each measured round, after {@code warmup} rounds, in the
     * operations' order.
     */
    static double[][] rotate(int warmup, int rounds, DoubleSupplier[] ops) {
        int n = ops.length;
        double[][] rates = new double[rounds][];
        for (int r = -warmup; r < rounds; r++) {
            double[] rate = new double[n];
            int first = Math.floorMod(r, n);
            for (int k = 0; k < n; k++) {
                int i = (first + k) % n;
                rate[i] = ops[i].getAsDouble();
            }
            if (r >= 0) {
                rates[r] = rate;
            }
        }
        return rates;
    }

    /** Where the callers' results go, so that nothing is optimised away. */
    private static volatile long sunk;

    /**
     * Calls per second of {@code threads} callers (each made by {@code callers}, on its own
     * thread) for {@code ms} milliseconds; the first exception a caller throws stops the run.
     */
    static double phase(Supplier<IntSupplier> callers, int threads, long ms) {
        return phase((index, n) -> callers.get(), threads, ms);
    }

    /** {@link #phase(Supplier, int, long)} with callers that know their thread's place. */
    static double phase(Callers callers, int threads, long ms) {
        AtomicLong calls = new AtomicLong();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + ms * 1_000_000;
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int index = i;
            ts[i] = new Thread(() -> {
                long n = 0;
                long sink = 0;
                try {
                    // made on its own thread, as JMH makes a thread's state: callers made one
                    // after another here would sit side by side in memory, and the state each
                    // writes on every call would share cache lines between the threads
                    IntSupplier caller = callers.caller(index, threads);
                    // at least one batch: a thread that starts after the phase's end (a loaded
                    // machine) still counts, so a rate is never zero
                    do {
                        for (int j = 0; j < 64; j++) {
                            sink += caller.getAsInt();
                        }
                        n += 64;
                    } while (System.nanoTime() < end);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
                sunk = sink;
                calls.addAndGet(n);
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return calls.get() / ((System.nanoTime() - start) / 1e9);
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
