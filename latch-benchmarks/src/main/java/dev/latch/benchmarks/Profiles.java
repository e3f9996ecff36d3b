package dev.latch.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the time of each core benchmark goes: every core row and its floor is run under
 * async-profiler (CPU samples every 0.2 ms, from the {@code tools.profiler:async-profiler} jar on
 * the class path; Linux and macOS), and each sample below the benchmark method is put in the
 * category of the innermost frame that names one (the HMAC, the clock, audit events, token
 * parsing, the store, SecureRandom, ...), else in "the rest" of latch or of the JDK. It prints, per benchmark, each category's share of the benchmark
 * thread's samples and that share of the benchmark's time per call, so latch's HMAC or clock can
 * be read next to the floor's:
 * <pre>{@code
 * java -cp latch-benchmarks/target/benchmarks.jar dev.latch.benchmarks.Profiles [threads]
 * }</pre>
 * Samples outside the benchmark threads (the collector's and the compiler's threads) are
 * counted apart, as a share of all samples: on 2 cores they take time from 2-thread runs that
 * a 1-thread run leaves to the idle core. About 4 minutes per thread count.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class Profiles {
    private Profiles() {
    }

    /** The benchmarks profiled: every core row and its floor. */
    static final String CORE = "TokenBenchmark.(latchVerify|floor)$|DynamicCodeBenchmark.(open|floor)$"
            + "|IssueBenchmark.(issue|floor)$|StaticKeyBenchmark.(authenticate|floor)$|TotpBenchmark.(verify|floorThreeHotp)$";

    /** A category and the frame names (substrings) that put a sample in it. */
    record Category(String name, List<String> frames) {
    }

    /** Checked in this order for each frame, innermost first; the first frame that matches decides. */
    static final List<Category> CATEGORIES = List.of(
            new Category("HMAC", List.of("dev/latch/spi/KeyedHmac.", "javax/crypto/Mac.",
                    "com/sun/crypto/provider/HmacCore")),
            new Category("SecureRandom", List.of("SecureRandom", "NativePRNG", "sun/security/provider/AbstractDrbg",
                    "sun/security/provider/HashDrbg")),
            new Category("clock", List.of("java/time/Clock", "jdk/internal/misc/VM.getNanoTimeAdjustment")),
            new Category("audit event", List.of("dev/latch/AuditEvent.", "dev/latch/Part.audit", "dev/latch/hmac/SignedTokens.event")),
            new Category("token parsing and checks", List.of("dev/latch/hmac/TokenFormat")),
            new Category("store (lookup, decision, write)", List.of("dev/latch/internal/InMemoryLatchStore",
                    "dev/latch/internal/InMemoryKeys", "dev/latch/internal/OpenTable", "com/github/benmanes/caffeine",
                    "java/util/concurrent/ConcurrentHashMap")),
            new Category("allocation and GC on the thread", List.of("G1", "MemAllocator", "OptoRuntime::new",
                    "TypeArrayKlass::allocate", "InstanceKlass::allocate", "CollectedHeap")),
            new Category("latch: the rest", List.of("dev/latch/")),
            new Category("JDK: the rest", List.of("java/", "sun/", "jdk/")));

    static final String OTHER_THREADS = "other threads (collector, compiler)";
    static final String UNMATCHED = "harness and native";

    /**
     * Each category's share of the samples in a collapsed-stack profile ({@code frame;frame;... count}
     * per line, outermost first). A stack through {@code marker} (the benchmark's generated stub)
     * is the benchmark thread's; the rest go to {@link #OTHER_THREADS}, as a share of all samples.
     *
     * @return category name to share (0 to 1); the benchmark threads' categories sum to 1
     */
    static Map<String, Double> shares(List<String> collapsed, String marker) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Category c : CATEGORIES) {
            counts.put(c.name(), 0L);
        }
        counts.put(UNMATCHED, 0L);
        long benchmark = 0;
        long other = 0;
        for (String line : collapsed) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(space + 1).trim());
            String[] frames = line.substring(0, space).split(";");
            boolean onBenchmark = false;
            for (String f : frames) {
                onBenchmark |= f.contains(marker);
            }
            if (!onBenchmark) {
                other += n;
                continue;
            }
            benchmark += n;
            counts.merge(category(frames), n, Long::sum);
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            shares.put(e.getKey(), benchmark == 0 ? 0 : e.getValue() / (double) benchmark);
        }
        shares.put(OTHER_THREADS, benchmark + other == 0 ? 0 : other / (double) (benchmark + other));
        return shares;
    }

    /**
     * The innermost frames (the code running when sampled) of the benchmark threads' samples,
     * most sampled first.
     *
     * @return frame name to share of the benchmark threads' samples, the {@code n} largest
     */
    static Map<String, Double> topFrames(List<String> collapsed, String marker, int n) {
        Map<String, Long> counts = new java.util.HashMap<>();
        long total = 0;
        for (String line : collapsed) {
            int space = line.lastIndexOf(' ');
            if (space < 0 || !line.contains(marker)) {
                continue;
            }
            long k = Long.parseLong(line.substring(space + 1).trim());
            String stack = line.substring(0, space);
            counts.merge(stack.substring(stack.lastIndexOf(';') + 1), k, Long::sum);
            total += k;
        }
        long all = total;
        Map<String, Double> top = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> top.put(e.getKey(), e.getValue() / (double) all));
        return top;
    }

    /**
     * The category of one benchmark-thread stack, outermost frame first: the innermost frame
     * (below the benchmark method) that names a specific category decides; only a stack with
     * none falls to the innermost frame of latch or of the JDK ("the rest").
     */
    static String category(String[] frames) {
        int below = frames.length; // frames[below..] lie below the benchmark method
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].startsWith("dev/latch/benchmarks/") && !frames[i].contains("jmh_generated")) {
                below = i + 1;
            }
        }
        for (boolean specific : new boolean[]{true, false}) {
            for (int i = frames.length - 1; i >= below; i--) {
                for (Category c : CATEGORIES) {
                    if (c.name().endsWith("the rest") == specific) {
                        continue;
                    }
                    for (String name : c.frames()) {
                        if (frames[i].contains(name)) {
                            return c.name();
                        }
                    }
                }
            }
        }
        return UNMATCHED;
    }

    /**
     * Writes the platform's async-profiler library from the class path to a temporary file.
     *
     * @return its path
     * @throws IllegalStateException on a platform the jar has no library for
     */
    static Path library() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String dir = os.contains("mac") ? "macos"
                : os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")) ? "linux-x64"
                : os.contains("linux") && arch.equals("aarch64") ? "linux-arm64" : null;
        if (dir == null) {
            throw new IllegalStateException("async-profiler ships no library for " + os + " " + arch);
        }
        String resource = dir + "/libasyncProfiler.so";
        try (InputStream in = Profiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path (tools.profiler:async-profiler)");
            }
            Path lib = Files.createTempFile("libasyncProfiler", ".so");
            lib.toFile().deleteOnExit();
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Profiles the core benchmarks and prints where their time goes.
     *
     * @param args {@code [threads]}, default 1
     * @throws Exception when JMH fails
     */
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        Path lib = library();
        Path out = Files.createTempDirectory("latch-profiles");
        // four 2-second iterations, after four of warm-up, profiled
        ChainedOptionsBuilder options = RunAll.options(CORE, threads, 4, 4, 2000)
                .param("liveCodes", "1000")
                .addProfiler("async", "libPath=" + lib + ";output=collapsed;event=cpu;interval=200000;dir=" + out);
        Collection<RunResult> results = new Runner(options.build()).run();
        StringBuilder report = new StringBuilder();
        report.append(String.format("%nWhere the time goes, %d thread(s); ns per call from each category's share of the benchmark threads' samples%n",
                threads));
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            String shortName = RunAll.shortName(benchmark);
            double ns = r.getPrimaryResult().getScore();
            Path file = find(out, benchmark);
            if (file == null) {
                report.append(String.format("%n%s: %.0f ns, no profile written%n", shortName, ns));
                continue;
            }
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            List<String> lines = Files.readAllLines(file);
            Map<String, Double> shares = shares(lines, "_jmhTest." + method);
            report.append(String.format("%n%s: %.0f ns per call%n", shortName, ns));
            for (Map.Entry<String, Double> e : shares.entrySet()) {
                if (e.getKey().equals(OTHER_THREADS)) {
                    report.append(String.format("  %-36s %5.1f%% of all samples%n", e.getKey(), 100 * e.getValue()));
                } else if (e.getValue() >= 0.005) {
                    report.append(String.format("  %-36s %5.1f%%  %5.0f ns%n", e.getKey(), 100 * e.getValue(), e.getValue() * ns));
                }
            }
            report.append("  most sampled code:");
            topFrames(lines, "_jmhTest." + method, 8).forEach((frame, share) ->
                    report.append(String.format(" %s %.0f ns,", frame.substring(frame.lastIndexOf('/') + 1), share * ns)));
            report.setLength(report.length() - 1);
            report.append(String.format("%n"));
        }
        System.out.print(report);
    }

    private static Path find(Path out, String benchmark) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(out)) {
            s.filter(p -> p.getFileName().toString().startsWith("collapsed-cpu")
                    && p.getParent().getFileName().toString().startsWith(benchmark + "-")).forEach(found::add);
        }
        return found.isEmpty() ? null : found.get(0);
    }
}
