package dev.latch.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every benchmark next to its floor or peers in one run and prints the ratio table (also
 * written to {@code target/benchmark-results.md}). The command is in BENCHMARKS.md:
 * <pre>
 * mvn -q -pl latch-benchmarks -am package -DskipTests
 * java -jar latch-benchmarks/target/benchmarks.jar
 * </pre>
 * Optional argument: {@code core} for the core hot paths only (memory per code, open, issue,
 * static key, token and TOTP on 1 and 2 threads, each in {@value #CORE_FORKS} forks; about 25
 * minutes), or a regular
 * expression of benchmarks to run (default all), for profiling.
 */
public final class RunAll {
    private RunAll() {
    }

    /** The benchmarks of the core rows, run on 1 and on 2 threads. */
    private static final String CORE = "(DynamicCodeBenchmark|IssueBenchmark|TokenBenchmark|StaticKeyBenchmark|TotpBenchmark).*";

    /**
     * Forks of each in-memory benchmark. The same code in seven JVMs gave token verify ÷ its floor
     * from 1.45 to 1.84 ({@code Interleaved token}, both sides in one JVM; the compile logs of a
     * fast and a slow JVM differ in which hot methods C1 first compiled without a full profile),
     * so one fork decides such a ratio by lot; the median of three forks' medians does not rest
     * on one compilation.
     */
    static final int CORE_FORKS = 3;

    /**
     * A JMH result in ns/op: the median over forks of each fork's median iteration (used for
     * ratios, as the machine is noisy), the lowest and highest fork median, and the mean of all
     * iterations with its 99.9% error as JMH reports it.
     */
    record Score(double ns, double lowestFork, double highestFork, int forks, double mean, double error) {
        String text() {
            return forks > 1
                    ? String.format(Locale.ROOT, "%.0f (forks %.0f–%.0f, mean %.0f ± %.0f)", ns, lowestFork, highestFork, mean, error)
                    : String.format(Locale.ROOT, "%.0f (mean %.0f ± %.0f)", ns, mean, error);
        }
    }

    /** The median of {@code values} (sorted here), the mean of the middle two for an even count. */
    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * @param forkIterations each fork's measured iteration scores
     * @return the score: the median of the fork medians, and their range
     */
    static Score score(List<double[]> forkIterations, double mean, double error) {
        double[] medians = forkIterations.stream().mapToDouble(RunAll::median).toArray();
        return new Score(median(medians), java.util.Arrays.stream(medians).min().orElse(Double.NaN),
                java.util.Arrays.stream(medians).max().orElse(Double.NaN), medians.length, mean, error);
    }

    public static void main(String[] args) throws Exception {
        boolean core = args.length > 0 && args[0].equals("core");
        String include = core ? CORE : args.length > 0 ? args[0] : "dev.latch.benchmarks.*";
        boolean everything = args.length == 0;
        StringBuilder report = new StringBuilder();
        report.append("JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n");

        if (everything || core) {
            MemoryFootprint.Result m = MemoryFootprint.measure(1_000_000);
            report.append(String.format(Locale.ROOT, "Memory per live dynamic code at %,d codes: latch %.0f B, floor %.0f B, "
                    + "ratio %.2f (target: at most 200 B)%n%n", m.codes(), m.latchBytesPerCode(), m.floorBytesPerCode(),
                    m.latchBytesPerCode() / m.floorBytesPerCode()));
            System.out.print(report);
        }

        Map<String, Score> one = new LinkedHashMap<>();
        if (everything || core || !(include.contains("Redis") || include.contains("HttpAuth"))) {
            // HmacBenchmark compares HMAC strategies (BENCHMARKS.md); no row of the table reads it
            one.putAll(run(include, "RedisBenchmark|HttpAuthBenchmark|HmacBenchmark", 1));
        }
        if (everything || (!core && include.contains("HttpAuth"))) {
            // a servlet filter chain through Spring Security is deep code: the JIT needs longer than
            // half a second per iteration to settle it, so 10 x 1 s of warm-up here
            one.putAll(run("HttpAuthBenchmark", null, 1, 1000, 10));
        }
        Map<String, Score> two = everything || core ? run(CORE, null, 2) : Map.of();
        if (everything || (!core && include.contains("Redis"))) {
            // A round trip takes ~60 µs here, so half a second is too few calls for the JIT to
            // settle the Lettuce/Netty path: both Redis benchmarks get 10 × 1 s of warm-up.
            one.putAll(run("RedisBenchmark", null, 2, 1000, 10));
        }

        Map<String, Score> scale = new LinkedHashMap<>();
        Map<String, Double> allocation = new LinkedHashMap<>();
        if (everything || (!core && include.contains("RedisScale"))) {
            for (int threads : new int[]{1, 8, 64}) {
                scale.putAll(prefixed(threads + "t:", runRedisScale(threads, allocation, threads + "t:")));
            }
        }

        report.append(String.format(Locale.ROOT, "Scores are ns/op. In-memory rows: %d forks of 6 half-second iterations after 4"
                + " of warm-up, the median of the forks' medians (the lowest and highest fork median, and the mean of all"
                + " iterations ± 99.9%% error, in brackets). Other rows: one fork, the median of 8 iterations. Ratios are"
                + " of medians.%n%n", CORE_FORKS));
        report.append("| operation | latch ns/op | floor or peer ns/op | ratio | target |\n|---|---|---|---|---|\n");
        for (String size : new String[]{"1000", "100000", "1000000"}) {
            row(report, one, "DynamicCodeBenchmark.open:" + size, "DynamicCodeBenchmark.floor:" + size,
                    "open, " + size + " live codes vs HMAC + Caffeine hit", "≤ 1.3");
        }
        row(report, one, "DynamicCodeBenchmark.open:1000000", "DynamicCodeBenchmark.open:1000",
                "open at 10^6 vs at 10^3 live codes (flatness)", "≤ 1.3");
        row(report, one, "IssueBenchmark.issue", "IssueBenchmark.floor", "issue vs SecureRandom + HMAC + Caffeine put", "≤ 1.25");
        row(report, one, "StaticKeyBenchmark.authenticate", "StaticKeyBenchmark.floor", "static key vs CRC32 + HMAC + map hit", "≤ 1.5");
        row(report, one, "TokenBenchmark.latchVerify", "TokenBenchmark.floor", "token verify vs Mac.doFinal + compare", "≤ 1.25");
        row(report, one, "TokenBenchmark.nimbusHs256", "TokenBenchmark.latchVerify", "Nimbus HS256 verify ÷ token verify", "≥ 15");
        row(report, one, "TokenBenchmark.auth0Hs256", "TokenBenchmark.latchVerify", "auth0 java-jwt HS256 ÷ token verify", "≥ 3");
        row(report, one, "TokenBenchmark.jjwtHs256", "TokenBenchmark.latchVerify", "jjwt HS256 ÷ token verify", "(peer)");
        row(report, one, "TotpBenchmark.verify", "TotpBenchmark.floorThreeHotp", "TOTP ±1 + replay guard vs 3 HOTP", "≤ 1.1");
        if (one.containsKey("RedisBenchmark.open:standalone") && one.containsKey("RedisBenchmark.rawEvalsha:standalone")) {
            double ratio = one.get("RedisBenchmark.rawEvalsha:standalone").ns() / one.get("RedisBenchmark.open:standalone").ns();
            report.append(String.format(Locale.ROOT, "| Redis open, 2 client threads, throughput vs raw Lettuce EVALSHA | %s | %s | %.2f× | ≥ 0.7× |%n",
                    one.get("RedisBenchmark.open:standalone").text(), one.get("RedisBenchmark.rawEvalsha:standalone").text(), ratio));
            if (one.containsKey("RedisBenchmark.minimalDecision:standalone")) {
                report.append(String.format(Locale.ROOT, "| (bound) minimal decision script, HGET + compare + HINCRBY, vs raw EVALSHA | %s | %s | %.2f× | |%n",
                        one.get("RedisBenchmark.minimalDecision:standalone").text(), one.get("RedisBenchmark.rawEvalsha:standalone").text(),
                        one.get("RedisBenchmark.rawEvalsha:standalone").ns() / one.get("RedisBenchmark.minimalDecision:standalone").ns()));
            }
        }
        row(report, one, "JwtBenchmark.latchVerify:HS256", "JwtBenchmark.nimbusMinimal:HS256",
                "JWT HS256 full policy vs minimal Nimbus verify", "≤ 1.2");
        row(report, one, "JwtBenchmark.latchVerify:RS256", "JwtBenchmark.nimbusMinimal:RS256",
                "JWT RS256 full policy vs minimal Nimbus verify", "≤ 1.05");
        row(report, one, "JwtBenchmark.latchVerify:ES256", "JwtBenchmark.nimbusMinimal:ES256",
                "JWT ES256 full policy vs minimal Nimbus verify", "≤ 1.05");
        for (String filter : new String[]{"HttpAuthBenchmark.latchSpringSecurity", "HttpAuthBenchmark.latchServletFilter"}) {
            Score none = one.get("HttpAuthBenchmark.none");
            Score spring = one.get("HttpAuthBenchmark.springSecurity");
            Score latch = one.get(filter);
            if (none != null && spring != null && latch != null) {
                // the cost a filter adds to a request is its time minus the chain without authentication
                report.append(String.format(Locale.ROOT,
                        "| %s, added cost vs Spring Security resource server's (HS256 token; chain alone %s) | %.0f | %.0f | %.2f | ≤ 0.33 |%n",
                        filter.substring(filter.indexOf('.') + 1), none.text(), latch.ns() - none.ns(), spring.ns() - none.ns(),
                        (latch.ns() - none.ns()) / (spring.ns() - none.ns())));
            }
        }
        for (String b : new String[]{"DynamicCodeBenchmark.open:1000", "DynamicCodeBenchmark.open:100000",
                "DynamicCodeBenchmark.open:1000000", "IssueBenchmark.issue", "StaticKeyBenchmark.authenticate",
                "TokenBenchmark.latchVerify", "TotpBenchmark.verify"}) {
            if (one.containsKey(b) && two.containsKey(b)) {
                // AverageTime is per operation per thread: throughput is threads / time.
                double speedup = (2 / two.get(b).ns()) / (1 / one.get(b).ns());
                // the floor's own scaling in the same run: what the machine's second core gives
                String floor = floorOf(b);
                String floorSpeedup = one.containsKey(floor) && two.containsKey(floor)
                        ? String.format(Locale.ROOT, " (floor %.2f×)", (2 / two.get(floor).ns()) / (1 / one.get(floor).ns())) : "";
                report.append(String.format(Locale.ROOT, "| %s, 2 threads vs 1 | %s (2 thr) | %s (1 thr) | %.2f× throughput%s | ≥ 1.8 |%n",
                        b, two.get(b).text(), one.get(b).text(), speedup, floorSpeedup));
            }
        }
        if (!scale.isEmpty()) {
            report.append("\nRedis at scale: open and raw EVALSHA (`return 1`), each through one shared Lettuce connection, "
                    + "1 s iterations (8 measured after 10 of warm-up), allocation from JMH's GC profiler.\n\n"
                    + "| callers | topology | open ns/op | raw EVALSHA ns/op | open throughput ÷ raw | target | open B/op | raw B/op | target |\n"
                    + "|---|---|---|---|---|---|---|---|---|\n");
            for (int threads : new int[]{1, 8, 64}) {
                for (String topology : new String[]{"standalone", "cluster"}) {
                    Score open = scale.get(threads + "t:RedisBenchmark.open:" + topology);
                    Score floor = scale.get(threads + "t:RedisBenchmark.rawEvalsha:" + topology);
                    if (open == null || floor == null) {
                        continue;
                    }
                    report.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %.2f× | ≥ 0.9× | %.0f | %.0f | ≤ 1024 |%n",
                            threads, topology, open.text(), floor.text(), floor.ns() / open.ns(), 
                            allocation.getOrDefault(threads + "t:RedisBenchmark.open:" + topology, Double.NaN),
                            allocation.getOrDefault(threads + "t:RedisBenchmark.rawEvalsha:" + topology, Double.NaN)));
                }
                Score standalone = scale.get(threads + "t:RedisBenchmark.open:standalone");
                Score clustered = scale.get(threads + "t:RedisBenchmark.open:cluster");
                if (standalone != null && clustered != null) {
                    report.append(String.format(Locale.ROOT, "| %d | cluster open ÷ standalone open (time) | %s | %s | %.2f | ≤ 1.1 | | | |%n",
                            threads, clustered.text(), standalone.text(), clustered.ns() / standalone.ns()));
                }
            }
        }
        System.out.println();
        System.out.println(report);
        Path out = Path.of("latch-benchmarks", "target").toFile().isDirectory()
                ? Path.of("latch-benchmarks", "target", "benchmark-results.md") : Path.of("benchmark-results.md");
        try {
            Files.writeString(out, report.toString());
            System.out.println("written to " + out.toAbsolutePath());
        } catch (IOException e) {
            System.out.println("could not write " + out + ": " + e);
        }
    }

    private static void row(StringBuilder report, Map<String, Score> scores, String subject, String base, String label,
                            String target) {
        Score a = scores.get(subject);
        Score b = scores.get(base);
        if (a == null || b == null) {
            return;
        }
        report.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %s |%n", label, a.text(), b.text(), a.ns() / b.ns(),
                target));
    }

    private static Map<String, Score> prefixed(String prefix, Map<String, Score> scores) {
        Map<String, Score> out = new LinkedHashMap<>();
        scores.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    /**
     * RedisBenchmark's open and raw EVALSHA on one server and on a three-primary cluster, at
     * {@code threads} callers, with the GC profiler: allocation per call goes into {@code allocation}.
     */
    private static Map<String, Score> runRedisScale(int threads, Map<String, Double> allocation, String prefix)
            throws Exception {
        ChainedOptionsBuilder options = options("RedisBenchmark\\.(open|rawEvalsha)$", threads, 10, 8, 1000)
                .param("topology", "standalone", "cluster")
                .addProfiler(org.openjdk.jmh.profile.GCProfiler.class);
        Collection<RunResult> results = new Runner(options.build()).run();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = shortName(name);
            org.openjdk.jmh.results.Result<?> norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
            if (norm != null) {
                allocation.put(prefix + name + ":" + r.getParams().getParam("topology"), norm.getScore());
            }
        }
        return scores(results);
    }

    /**
     * The JMH options every latch measurement uses: one fork, {@code warmups} warm-up and
     * {@code iterations} measured iterations of {@code iterationMs} each, on {@code threads}
     * threads, with a fixed, pre-touched 3 GB heap. Without AlwaysPreTouch the first pass
     * through the heap pays a page fault per page, which slowed the allocating benchmarks (never
     * the floors) 2.5x for seconds.
     */
    static ChainedOptionsBuilder options(String include, int threads, int warmups, int iterations, int iterationMs) {
        return options(include, threads, 1, warmups, iterations, iterationMs);
    }

    /** {@link #options(String, int, int, int, int)} with {@code forks} forks of each benchmark. */
    static ChainedOptionsBuilder options(String include, int threads, int forks, int warmups, int iterations, int iterationMs) {
        return new OptionsBuilder()
                .include(include)
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.milliseconds(iterationMs))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.milliseconds(iterationMs))
                .threads(threads)
                .jvmArgsAppend("-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch");
    }

    /** {@code dev.latch.benchmarks.TokenBenchmark.floor} to {@code TokenBenchmark.floor}. */
    static String shortName(String benchmark) {
        return benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
    }

    /** The floor benchmark of a core row ({@code DynamicCodeBenchmark.open:1000} to {@code DynamicCodeBenchmark.floor:1000}). */
    static String floorOf(String benchmark) {
        String params = benchmark.contains(":") ? benchmark.substring(benchmark.indexOf(':')) : "";
        String cls = benchmark.substring(0, benchmark.indexOf('.'));
        return cls + (cls.equals("TotpBenchmark") ? ".floorThreeHotp" : ".floor") + params;
    }

    /** The in-memory benchmarks: {@link #CORE_FORKS} forks of 4 + 6 half-second iterations. */
    private static Map<String, Score> run(String include, String exclude, int threads) throws Exception {
        return run(include, exclude, threads, CORE_FORKS, 500, 4, 6);
    }

    private static Map<String, Score> run(String include, String exclude, int threads, int iterationMs, int warmups)
            throws Exception {
        return run(include, exclude, threads, 1, iterationMs, warmups, 8);
    }

    private static Map<String, Score> run(String include, String exclude, int threads, int forks, int iterationMs,
                                          int warmups, int iterations) throws Exception {
        ChainedOptionsBuilder options = options(include, threads, forks, warmups, iterations, iterationMs);
        if (exclude != null) {
            options.exclude(exclude);
        }
        return scores(new Runner(options.build()).run());
    }

    private static Map<String, Score> scores(Collection<RunResult> results) {
        Map<String, Score> scores = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = shortName(name);
            List<String> params = new ArrayList<>();
            for (String key : r.getParams().getParamsKeys()) {
                params.add(r.getParams().getParam(key));
            }
            String label = params.isEmpty() ? name : name + ":" + String.join(",", params);
            List<double[]> forks = new ArrayList<>();
            for (org.openjdk.jmh.results.BenchmarkResult fork : r.getBenchmarkResults()) {
                forks.add(fork.getIterationResults().stream().mapToDouble(i -> i.getPrimaryResult().getScore()).toArray());
            }
            scores.put(label, score(forks, r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
        }
        return scores;
    }
}
