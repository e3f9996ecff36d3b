package dev.latch.benchmarks;

import dev.latch.test.redis.LocalRedis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Redis server's work per call, counted in instructions rather than timed: redis-server
 * runs under valgrind's callgrind, and the same three operations as {@link RedisBenchmark} are
 * made through Lettuce (a store open through {@code Latches.open}, the minimal decision script,
 * and the floor, a raw EVALSHA of {@code return 1}). Callgrind's counters are zeroed, the
 * operation is called {@code calls} times, and the counters are dumped: the total divided by
 * the calls is the server's user-space instructions per call, request parsing, script and
 * reply included (the kernel's share is not counted).
 *
 * <p>On a shared 2-core machine, timings of the server swing by ±20% between rounds; these
 * counts barely move, so a change to the scripts can be compared by them. Needs
 * {@code valgrind}, {@code callgrind_control} and {@code redis-server} on PATH
 * ({@code apt-get install -y valgrind redis-server}):
 * <pre>{@code
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.RedisInstructions [calls]
 * }</pre>
 */
public final class RedisInstructions {
    private RedisInstructions() {
    }

    /**
     * Runs the three counts and prints them.
     *
     * @param args optionally the calls per operation (default 3,000)
     * @throws Exception when redis-server or valgrind cannot be run
     */
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        for (String tool : new String[]{"valgrind", "callgrind_control"}) {
            if (LocalRedis.onPath(tool).isEmpty()) {
                System.err.println(tool + " is not on PATH: apt-get install -y valgrind");
                System.exit(2);
            }
        }
        Path out = Files.createTempDirectory("latch-callgrind");
        RedisBenchmark r = new RedisBenchmark();
        r.start(List.of("valgrind", "--tool=callgrind", "--callgrind-out-file=" + out.resolve("cg")));
        try {
            RedisBenchmark.Cursor cursor = new RedisBenchmark.Cursor();
            long floor = perCall(r.redis.pid(), out, calls, () -> ((Long) r.rawEvalsha(cursor)).intValue());
            long minimal = perCall(r.redis.pid(), out, calls, () -> ((Long) r.minimalDecision(cursor)).intValue());
            long open = perCall(r.redis.pid(), out, calls, () -> r.open(cursor).isOpen() ? 1 : 0);
            System.out.printf("redis-server user-space instructions per call (callgrind, %,d calls each)%n%n", calls);
            System.out.println("| operation | instructions per call | against the floor |");
            System.out.println("|---|---|---|");
            System.out.printf("| raw EVALSHA of `return 1` (the floor) | %,d | 1.00× |%n", floor);
            System.out.printf("| minimal decision script | %,d | %.2f× |%n", minimal, (double) minimal / floor);
            System.out.printf("| `Latches.open` on `RedisLatchStore` | %,d | %.2f× |%n", open, (double) open / floor);
        } finally {
            r.tearDown();
            RedisBenchmark.deleteTree(out); // callgrind's dumps
        }
    }

    /**
     * Calls {@code op} (which must return 1, a success) {@code calls} times between a reset and a
     * dump of callgrind's counters, after 200 calls of warm-up.
     */
    private static long perCall(long pid, Path out, int calls, IntSupplier op) throws Exception {
        for (int i = 0; i < 200; i++) {
            check(op.getAsInt());
        }
        control("-z", pid);
        for (int i = 0; i < calls; i++) {
            check(op.getAsInt());
        }
        Set<Path> before = dumps(out);
        control("-d", pid);
        for (int i = 0; i < 200; i++) { // the dump is written after callgrind_control returns
            Set<Path> now = dumps(out);
            now.removeAll(before);
            for (Path dump : now) {
                String text = Files.readString(dump);
                if (text.contains("\nsummary:") || text.contains("\ntotals:")) {
                    return totalInstructions(text) / calls;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("callgrind wrote no complete dump to " + out);
    }

    private static void check(int result) {
        if (result != 1) {
            throw new IllegalStateException("an operation did not succeed: the count would not be of the success path");
        }
    }

    private static Set<Path> dumps(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toSet());
        }
    }

    private static void control(String option, long pid) throws Exception {
        Process p = new ProcessBuilder("callgrind_control", option, Long.toString(pid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("callgrind_control " + option + " failed");
        }
    }

    /**
     * The instruction count of a callgrind dump: its {@code summary:} line (older valgrind writes
     * {@code totals:}), the first number after it.
     */
    static long totalInstructions(String dump) {
        for (String line : dump.split("\n")) {
            if (line.startsWith("summary:") || line.startsWith("totals:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalArgumentException("not a callgrind dump: no summary line");
    }
}
