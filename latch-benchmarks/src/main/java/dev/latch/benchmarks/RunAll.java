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
 * Optional argument: a regular expression of benchmarks to run (default all), for profiling.
 */
public final class RunAll {
    private RunAll() {
    }

    /**
     * A JMH result in ns/op: the median of the measurement iterations (used for ratios, as the
     * machine is noisy), and the mean with its 99.9% error as JMH reports it.
     */
    record Score(double ns, double mean, double error) {
        String text() {
            return String.format(Locale.ROOT, "%.0f (mean %.0f ± %.0f)", ns, mean, error);
        }
    }

    public static void main(String[] args) throws Exception {
        String include = args.length > 0 ? args[0] : "dev.latch.benchmarks.*";
        boolean everything = args.length == 0;
        StringBuilder report = new StringBuilder();
        report.append("JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n");

        if (everything) {
            MemoryFootprint.Result m = MemoryFootprint.measure(1_000_000);
            report.append(String.format(Locale.ROOT, "Memory per live dynamic code at %,d codes: latch %.0f B, floor %.0f B, "
                    + "ratio %.2f (target: at most 256 B)%n%n", m.codes(), m.latchBytesPerCode(), m.floorBytesPerCode(),
                    m.latchBytesPerCode() / m.floorBytesPerCode()));
            System.out.print(report);
        }

        Map<String, Score> one = new LinkedHashMap<>();
        if (everything || !(include.contains("Redis") || include.contains("HttpAuth"))) {
            one.putAll(run(include, "RedisBenchmark|HttpAuthBenchmark", 1));
        }
        if (everything || include.contains("HttpAuth")) {
            // a servlet filter chain through Spring Security is deep code: the JIT needs longer than
            // half a second per iteration to settle it, so 10 x 1 s of warm-up here
            one.putAll(run("HttpAuthBenchmark", null, 1, 1000, 10));
        }
        Map<String, Score> two = everything
                ? run("(DynamicCodeBenchmark|TokenBenchmark|StaticKeyBenchmark).*", null, 2) : Map.of();
        if (everything || include.contains("Redis")) {
            // A round trip takes ~60 µs here, so half a second is too few calls for the JIT to
            // settle the Lettuce/Netty path: both Redis benchmarks get 10 × 1 s of warm-up.
            one.putAll(run("RedisBenchmark", null, 2, 1000, 10));
        }

        report.append("Scores are ns/op: the median of 8 half-second iterations after 6 of warm-up (mean ± 99.9% error"
                + " in brackets). Ratios are of medians.\n\n");
        report.append("| operation | latch ns/op | floor or peer ns/op | ratio | target |\n|---|---|---|---|---|\n");
        for (String size : new String[]{"1000", "100000", "1000000"}) {
            row(report, one, "DynamicCodeBenchmark.open:" + size, "DynamicCodeBenchmark.floor:" + size,
                    "open, " + size + " live codes vs HMAC + Caffeine hit", "≤ 1.5");
        }
        row(report, one, "DynamicCodeBenchmark.open:1000000", "DynamicCodeBenchmark.open:1000",
                "open at 10^6 vs at 10^3 live codes (flatness)", "≤ 1.3");
        row(report, one, "IssueBenchmark.issue", "IssueBenchmark.floor", "issue vs SecureRandom + HMAC + Caffeine put", "≤ 1.5");
        row(report, one, "StaticKeyBenchmark.authenticate", "StaticKeyBenchmark.floor", "static key vs CRC32 + HMAC + map hit", "≤ 1.5");
        row(report, one, "TokenBenchmark.latchVerify", "TokenBenchmark.floor", "token verify vs Mac.doFinal + compare", "≤ 2");
        row(report, one, "TokenBenchmark.nimbusHs256", "TokenBenchmark.latchVerify", "Nimbus HS256 verify ÷ token verify", "≥ 10");
        row(report, one, "TokenBenchmark.auth0Hs256", "TokenBenchmark.latchVerify", "auth0 java-jwt HS256 ÷ token verify", "≥ 3");
        row(report, one, "TokenBenchmark.jjwtHs256", "TokenBenchmark.latchVerify", "jjwt HS256 ÷ token verify", "(peer)");
        row(report, one, "TotpBenchmark.verify", "TotpBenchmark.floorThreeHotp", "TOTP ±1 + replay guard vs 3 HOTP", "≤ 1.5");
        if (one.containsKey("RedisBenchmark.open") && one.containsKey("RedisBenchmark.rawEvalsha")) {
            double ratio = one.get("RedisBenchmark.rawEvalsha").ns() / one.get("RedisBenchmark.open").ns();
            report.append(String.format(Locale.ROOT, "| Redis open, 2 client threads, throughput vs raw Lettuce EVALSHA | %s | %s | %.2f× | ≥ 0.7× |%n",
                    one.get("RedisBenchmark.open").text(), one.get("RedisBenchmark.rawEvalsha").text(), ratio));
            if (one.containsKey("RedisBenchmark.minimalDecision")) {
                report.append(String.format(Locale.ROOT, "| (bound) minimal decision script, HGET + compare + HINCRBY, vs raw EVALSHA | %s | %s | %.2f× | |%n",
                        one.get("RedisBenchmark.minimalDecision").text(), one.get("RedisBenchmark.rawEvalsha").text(),
                        one.get("RedisBenchmark.rawEvalsha").ns() / one.get("RedisBenchmark.minimalDecision").ns()));
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
        for (String b : new String[]{"DynamicCodeBenchmark.open:1000", "TokenBenchmark.latchVerify",
                "StaticKeyBenchmark.authenticate"}) {
            if (one.containsKey(b) && two.containsKey(b)) {
                // AverageTime is per operation per thread: throughput is threads / time.
                double speedup = (2 / two.get(b).ns()) / (1 / one.get(b).ns());
                report.append(String.format(Locale.ROOT, "| %s, 2 threads vs 1 | %s (2 thr) | %s (1 thr) | %.2f× throughput | ≥ 1.7 |%n",
                        b, two.get(b).text(), one.get(b).text(), speedup));
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

    private static Map<String, Score> run(String include, String exclude, int threads) throws Exception {
        return run(include, exclude, threads, 500, 6);
    }

    private static Map<String, Score> run(String include, String exclude, int threads, int iterationMs, int warmups)
            throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .forks(1)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.milliseconds(iterationMs))
                .measurementIterations(8)
                .measurementTime(TimeValue.milliseconds(iterationMs))
                .threads(threads)
                // AlwaysPreTouch: without it the first pass through a 3 GB heap pays a page fault per
                // page, which slowed the allocating benchmarks (never the floors) 2.5x for seconds.
                .jvmArgsAppend("-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch");
        if (exclude != null) {
            options.exclude(exclude);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Score> scores = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            List<String> params = new ArrayList<>();
            for (String key : r.getParams().getParamsKeys()) {
                params.add(r.getParams().getParam(key));
            }
            String label = params.isEmpty() ? name : name + ":" + String.join(",", params);
            double[] iterations = r.getBenchmarkResults().stream()
                    .flatMap(b -> b.getIterationResults().stream())
                    .mapToDouble(i -> i.getPrimaryResult().getScore()).sorted().toArray();
            double median = iterations.length % 2 == 1 ? iterations[iterations.length / 2]
                    : (iterations[iterations.length / 2 - 1] + iterations[iterations.length / 2]) / 2;
            scores.put(label, new Score(median, r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
        }
        return scores;
    }
}
