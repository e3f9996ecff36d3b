package dev.latch.benchmarks;

import dev.latch.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs each benchmark body a few times (not timed) to check that it measures the path it claims:
 * opens that open, verifications that succeed, floors that compare equal.
 */
class BenchmarksTest {

    @Test
    void dynamicCode_opensAndFloorMatches() {
        DynamicCodeBenchmark b = new DynamicCodeBenchmark();
        b.liveCodes = 1000;
        b.setUp();
        DynamicCodeBenchmark.Cursor c = new DynamicCodeBenchmark.Cursor(0, 1, b.liveCodes);
        for (int i = 0; i < 5000; i++) {
            assertTrue(b.open(c).isOpen());
            assertTrue(b.floor(c));
        }
        // a share of the codes per thread; a code used up is issued again, so opens never run out
        DynamicCodeBenchmark.Cursor second = new DynamicCodeBenchmark.Cursor(1, 2, b.liveCodes);
        assertEquals(500, second.from);
        assertEquals(500, second.count);
        DynamicCodeBenchmark small = new DynamicCodeBenchmark();
        small.liveCodes = 3;
        small.setUp();
        DynamicCodeBenchmark.Cursor all = new DynamicCodeBenchmark.Cursor(0, 1, small.liveCodes);
        for (int i = 0; i < 3 * Fixtures.MULTI_USE.maxUses() + 50; i++) {
            assertTrue(small.open(all).isOpen(), "open " + i);
        }
    }

    @Test
    void hmac_everyStrategyGivesTheJdkMac() throws Exception {
        for (int size : new int[]{40, 180}) {
            HmacBenchmark h = new HmacBenchmark();
            h.size = size;
            h.setUp();
            byte[] expected = h.mac();
            assertEquals(32, expected.length);
            assertArrayEquals(expected, h.keyedClone(), "KeyedHmac, " + size + " bytes");
            assertArrayEquals(expected, h.perThreadDigests(), "per-thread digests, " + size + " bytes");
            assertArrayEquals(expected, h.perThreadDigests(), "per-thread digests again (reset), " + size + " bytes");
        }
    }

    @Test
    void issueAndStaticKeys_work() {
        IssueBenchmark i = new IssueBenchmark();
        i.setUp();
        IssueBenchmark.Cursor c = new IssueBenchmark.Cursor();
        for (int n = 0; n < 100; n++) {
            assertTrue(i.issue(c).code().length() == 6);
            assertTrue(i.floor(c).length == 32);
        }
        StaticKeyBenchmark s = new StaticKeyBenchmark();
        s.setUp();
        StaticKeyBenchmark.Cursor sc = new StaticKeyBenchmark.Cursor();
        for (int n = 0; n < 100; n++) {
            assertTrue(s.authenticate(sc).isOpen());
            assertTrue(s.floor(sc));
        }
    }

    @Test
    void tokens_verifyInLatchAndEveryPeer() throws Exception {
        TokenBenchmark t = new TokenBenchmark();
        t.setUp();
        assertTrue(t.latchVerify().isOpen());
        assertTrue(t.floor());
        assertTrue(t.nimbusHs256());
        t.auth0Hs256();
        t.jjwtHs256();
    }

    @Test
    void jwt_verifiesInLatchAndInNimbusForEveryAlgorithm() throws Exception {
        for (String alg : new String[]{"HS256", "RS256", "ES256"}) {
            JwtBenchmark j = new JwtBenchmark();
            j.alg = alg;
            j.setUp();
            assertTrue(j.latchVerify().isOpen(), alg);
            assertTrue(j.nimbusMinimal(), alg);
        }
    }

    @Test
    void httpAuth_everyVariantLetsTheRequestThrough() {
        HttpAuthBenchmark h = new HttpAuthBenchmark();
        h.setUp();
        assertEquals(200, h.none());
        assertEquals(200, h.springSecurity());
        assertEquals(200, h.latchSpringSecurity());
        assertEquals(200, h.latchServletFilter());
    }

    @Test
    void redisInstructions_readsTheCountOfACallgrindDump() {
        String dump = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 16247\ncmd:  redis-server --port 7401\n"
                + "part: 7\n\npositions: line\nevents: Ir\nsummary: 166223811\n\n\ntotals: 166223811\n";
        assertEquals(166_223_811L, RedisInstructions.totalInstructions(dump));
        assertEquals(42L, RedisInstructions.totalInstructions("events: Ir\ntotals: 42 7\n"), "older valgrind");
        assertThrows(IllegalArgumentException.class, () -> RedisInstructions.totalInstructions("events: Ir\n"));
    }

    @Test
    void dueWork_everyItemIsClaimedAndCompleted_onBothStores() throws Exception {
        for (String store : new String[]{"memory", "redis"}) {
            DueWorkBenchmark b = new DueWorkBenchmark();
            b.store = store;
            b.setUp();
            try {
                for (int i = 0; i < 3; i++) {
                    assertEquals(DueWorkBenchmark.BATCH, b.scheduleClaimComplete(), store);
                }
                assertEquals(List.of(), b.target.claimDue(b.now.plusSeconds(3600), java.time.Duration.ofMinutes(1), 10),
                        "nothing is left behind");
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void redis_opensAndRawEvalshaRuns() throws Exception {
        Set<Path> before = tempDirs("latch-redis-");
        RedisBenchmark r = new RedisBenchmark();
        r.setUp();
        try {
            RedisBenchmark.Cursor c = new RedisBenchmark.Cursor();
            for (int i = 0; i < 50; i++) {
                assertTrue(r.open(c).isOpen());
            }
            assertTrue(Long.valueOf(1).equals(r.rawEvalsha(c)));
            for (int i = 0; i < 50; i++) {
                assertEquals(1L, r.minimalDecision(c), "the minimal decision matches and consumes");
            }
        } finally {
            r.tearDown();
        }
        Set<Path> left = tempDirs("latch-redis-");
        left.removeAll(before);
        assertEquals(Set.of(), left, "tear-down deletes redis-server's directory");
    }

    /** The temporary directories whose names start with {@code prefix}. */
    static Set<Path> tempDirs(String prefix) throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).collect(Collectors.toSet());
        }
    }

    @Test
    void interleaved_measuresIssueOpenTokenAndTotpAgainstTheirFloorsPerRound() {
        for (Interleaved.Pair pair : new Interleaved.Pair[]{Interleaved.issue(), Interleaved.open(1000),
                Interleaved.token(), Interleaved.totp()}) {
            double[] ratios = Interleaved.run(pair, 0, 2, 3_000, false);
            assertEquals(2, ratios.length);
            for (double x : ratios) {
                assertTrue(x > 0 && Double.isFinite(x), pair.name() + " / floor time: " + x);
            }
        }
    }

    @Test
    void interleavedThreads_measuresTwoThreadsAgainstOnePerRound() {
        for (String which : new String[]{"open", "issue", "token", "key"}) {
            double[] ratios = Interleaved.threads(Interleaved.scaling(which), 0, 2, 30, false);
            assertEquals(2, ratios.length);
            for (double x : ratios) {
                assertTrue(x > 0 && Double.isFinite(x), which + ": 2-thread / 1-thread throughput " + x);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Interleaved.scaling("totp"));
    }

    /** Each operation runs first equally often, warm-up rounds included, and rates keep their order. */
    @Test
    void rotate_movesTheFirstOperationOnEveryRound() {
        StringBuilder order = new StringBuilder();
        java.util.function.DoubleSupplier[] ops = new java.util.function.DoubleSupplier[3];
        for (int i = 0; i < 3; i++) {
            int op = i;
            ops[i] = () -> {
                order.append((char) ('a' + op));
                return 10 * (op + 1);
            };
        }
        double[][] rates = Interleaved.rotate(2, 3, ops);
        assertEquals("bcacababcbcacab", order.toString(), "rounds -2, -1 (warm-up), then 0, 1, 2");
        assertEquals(3, rates.length);
        for (double[] round : rates) {
            assertArrayEquals(new double[]{10, 20, 30}, round);
        }
        StringBuilder two = new StringBuilder();
        double[] ratios = Interleaved.alternate(1, 2, null, () -> {
            two.append('a');
            return 6;
        }, null, () -> {
            two.append('b');
            return 3;
        });
        assertEquals("baabba", two.toString(), "a then b on even rounds, b then a on odd ones");
        assertArrayEquals(new double[]{2, 2}, ratios);
    }

    @Test
    void interleaved_stopsWhenAnOpenIsDenied() {
        Interleaved.Pair open = Interleaved.open(1000);
        int[] calls = {0};
        Interleaved.Pair deniedLater = new Interleaved.Pair(open.name(), () -> ++calls[0] < 5_000 ? open.operation().getAsInt()
                : Interleaved.open(new Verdict.Denied(Verdict.DenialReason.USED)), open.floor());
        assertThrows(IllegalStateException.class, () -> Interleaved.run(deniedLater, 0, 2, 3_000, false));
    }

    @Test
    void redisOnACluster_opensAndRawEvalshaRunOnEveryPrimary() throws Exception {
        RedisBenchmark r = new RedisBenchmark();
        r.topology = "cluster";
        r.setUp();
        try {
            RedisBenchmark.Cursor c = new RedisBenchmark.Cursor();
            for (int i = 0; i < 50; i++) {
                assertTrue(r.open(c).isOpen());
                assertEquals(1L, r.rawEvalsha(c));
            }
            assertTrue(r.store.toString().contains("cluster"), r.store.toString());
            for (dev.latch.test.redis.LocalRedis node : r.cluster.nodes()) {
                assertTrue(Long.parseLong(node.command("DBSIZE").toString()) > 0, "every primary holds codes");
            }
        } finally {
            r.tearDown();
        }
    }

    @Test
    void redisInterleaved_measuresARatioPerRound() throws Exception {
        RedisBenchmark r = new RedisBenchmark();
        r.setUp();
        try {
            String first = r.codes[0];
            double[][] rates = RedisInterleaved.run(r, 0, 2, 150);
            assertNotEquals(first, r.codes[0], "the codes are issued afresh before an open phase");
            assertEquals(2, rates.length);
            for (double[] round : rates) {
                assertEquals(RedisInterleaved.OPERATIONS.length, round.length);
                for (int i = 0; i < round.length; i++) {
                    assertTrue(round[i] > 0 && Double.isFinite(round[i]), RedisInterleaved.OPERATIONS[i] + " calls per second: " + round[i]);
                }
            }
            assertTrue(RedisInterleaved.summary("x", new double[]{0.5, 0.7, 0.6}).startsWith("x: median 0.600 "));
        } finally {
            r.tearDown();
        }
    }

    @Test
    void totp_everyCallIsAnAcceptedCode() throws Exception {
        TotpBenchmark t = new TotpBenchmark();
        t.setUp();
        for (int i = 0; i < 100; i++) {
            Verdict v = t.verify();
            assertTrue(v.isOpen(), v::toString);
        }
        for (int i = 0; i < 100; i++) {
            assertTrue(t.floorThreeHotp());
        }
        assertFalse(t.codes[0].isEmpty());
    }

    @Test
    void profiles_putEachSampleInTheInnermostNamedCategory() {
        String stub = "dev/latch/benchmarks/jmh_generated/TokenBenchmark_latchVerify_jmhTest.latchVerify_avgt_jmhStub";
        String method = "dev/latch/benchmarks/TokenBenchmark.latchVerify";
        List<String> collapsed = List.of(
                // the JDK's SHA-256 inside latch's HMAC: HMAC, not "the JDK: the rest"
                "java/lang/Thread.run;" + stub + ";" + method + ";dev/latch/hmac/SignedTokens.verify;dev/latch/spi/KeyedHmac.mac;"
                        + "java/security/MessageDigest.digest;sun/security/provider/SHA2.implCompress0;sha256_implCompress 30",
                // allocation inside the HMAC: allocation, the innermost named frame
                "java/lang/Thread.run;" + stub + ";" + method + ";dev/latch/spi/KeyedHmac.mac;java/lang/Object.clone;"
                        + "MemAllocator::allocate 10",
                "java/lang/Thread.run;" + stub + ";" + method + ";dev/latch/hmac/SignedTokens.verify;java/time/Clock$SystemClock.instant;[vdso] 20",
                "java/lang/Thread.run;" + stub + ";" + method + ";dev/latch/hmac/SignedTokens.verify;dev/latch/hmac/TokenFormat.parse;"
                        + "java/lang/String.getBytes 25",
                "java/lang/Thread.run;" + stub + ";" + method + ";dev/latch/hmac/SignedTokens.verify;java/util/Set.of 10",
                "java/lang/Thread.run;" + stub + ";" + method + ";dev/latch/hmac/SignedTokens.verify 5",
                // not the benchmark's thread
                "G1ConcurrentRefineThread::run_service;G1RemSet::refine_card_concurrently 50");
        Map<String, Double> shares = Profiles.shares(collapsed, "_jmhTest.latchVerify");
        assertEquals(0.30, shares.get("HMAC"), 1e-9);
        assertEquals(0.10, shares.get("allocation and GC on the thread"), 1e-9);
        assertEquals(0.20, shares.get("clock"), 1e-9);
        assertEquals(0.25, shares.get("token parsing and checks"), 1e-9);
        assertEquals(0.10, shares.get("JDK: the rest"), 1e-9);
        assertEquals(0.05, shares.get("latch: the rest"), 1e-9);
        assertEquals(50 / 150.0, shares.get(Profiles.OTHER_THREADS), 1e-9);
        double sum = 0;
        for (Map.Entry<String, Double> e : shares.entrySet()) {
            sum += e.getKey().equals(Profiles.OTHER_THREADS) ? 0 : e.getValue();
        }
        assertEquals(1.0, sum, 1e-9, "the benchmark thread's categories cover all its samples");
        Map<String, Double> top = Profiles.topFrames(collapsed, "_jmhTest.latchVerify", 2);
        assertEquals(List.of("sha256_implCompress", "java/lang/String.getBytes"), List.copyOf(top.keySet()));
    }

    @Test
    void profiles_findTheProfilersLibraryOnTheClassPath() throws Exception {
        java.nio.file.Path lib = Profiles.library();
        assertTrue(java.nio.file.Files.size(lib) > 100_000, "the native library, not an empty file: " + lib);
    }

    @Test
    void runAll_optionsAreTheOnesEveryMeasurementShares() {
        org.openjdk.jmh.runner.options.Options o = RunAll.options("TokenBenchmark.floor$", 2, 3, 5, 700).build();
        assertEquals(1, o.getForkCount().get());
        assertEquals(2, o.getThreads().get());
        assertEquals(3, o.getWarmupIterations().get());
        assertEquals(5, o.getMeasurementIterations().get());
        assertEquals(org.openjdk.jmh.runner.options.TimeValue.milliseconds(700), o.getMeasurementTime().get());
        assertEquals(List.of("-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"), List.copyOf(o.getJvmArgsAppend().get()));
        assertEquals("TokenBenchmark.floor", RunAll.shortName("dev.latch.benchmarks.TokenBenchmark.floor"));
        org.openjdk.jmh.runner.options.Options three = RunAll.options("TokenBenchmark.floor$", 1, RunAll.CORE_FORKS, 4, 6, 500).build();
        assertEquals(3, three.getForkCount().get());
        assertEquals(List.of("-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"), List.copyOf(three.getJvmArgsAppend().get()));
    }

    @Test
    void runAll_scoreIsTheMedianOfTheForksMedians_withTheirRange() {
        // a slow fork (the 900s) moves neither the score nor the other forks' medians
        RunAll.Score s = RunAll.score(List.of(new double[]{410, 400, 405}, new double[]{900, 910, 905},
                new double[]{420, 430, 425}), 600, 50);
        assertEquals(425, s.ns());
        assertEquals(405, s.lowestFork());
        assertEquals(905, s.highestFork());
        assertEquals(3, s.forks());
        assertTrue(s.text().startsWith("425 (forks 405–905, mean 600 ± 50)"), s.text());
        RunAll.Score one = RunAll.score(List.of(new double[]{3, 1, 2, 4}), 2.5, 1);
        assertEquals(2.5, one.ns());
        assertEquals("3 (mean 3 ± 1)", one.text()); // one fork: no range
    }

    @Test
    void runAll_namesEachCoreRowsFloor_forTheFloorsOwnScaling() {
        assertEquals("DynamicCodeBenchmark.floor:1000", RunAll.floorOf("DynamicCodeBenchmark.open:1000"));
        assertEquals("IssueBenchmark.floor", RunAll.floorOf("IssueBenchmark.issue"));
        assertEquals("TotpBenchmark.floorThreeHotp", RunAll.floorOf("TotpBenchmark.verify"));
    }
}
