package dev.latch.benchmarks;

import dev.latch.Latches;
import dev.latch.redis.RedisLatchStore;
import dev.latch.spi.LatchStore;
import dev.latch.test.redis.LocalRedis;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The store's cost of one scheduled item's life: schedule it, claim it when due (with a lease)
 * and complete it, in batches of {@value #BATCH} claimed by one {@code claimDue} call, as
 * {@code Latches.runDueWork} does. Per item, on the in-memory store and on a local redis-server
 * (started here on a free loopback port).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DueWorkBenchmark {
    static final int BATCH = 100;

    @Param({"memory", "redis"})
    public String store;

    LocalRedis redis;
    LatchStore target;
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    long next;
    final LatchStore.Work[] batch = new LatchStore.Work[BATCH];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (store.equals("redis")) {
            redis = LocalRedis.start();
            target = RedisLatchStore.builder(redis.uri()).build();
        } else {
            target = Latches.inMemoryStore();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (target instanceof AutoCloseable c) {
            c.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** @return items run: schedule, claim and complete {@value #BATCH} items */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int scheduleClaimComplete() {
        for (int i = 0; i < BATCH; i++) {
            LatchStore.Work w = new LatchStore.Work("remind:c_" + next++, "REMINDER", "c_x\n300\nalice", now);
            batch[i] = w;
            target.schedule(w, now);
        }
        List<LatchStore.Claim> claims = target.claimDue(now, Duration.ofMinutes(1), BATCH);
        int done = 0;
        for (LatchStore.Claim c : claims) {
            if (target.complete(c.work().id(), c.token(), now)) {
                done++;
            }
        }
        if (done != BATCH) {
            throw new IllegalStateException("claimed and completed " + done + " of " + BATCH);
        }
        return done;
    }
}
