package dev.latch.benchmarks;

import dev.latch.Latches;
import dev.latch.LatchPolicy;
import dev.latch.Pepper;
import dev.latch.RateLimit;
import dev.latch.spi.LatchStore;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;

/** What the benchmarks share. Audit goes to a no-op sink so that logging is not measured. */
final class Fixtures {
    static final byte[] PEPPER_BYTES = "benchmark-pepper-0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    static final Pepper PEPPER = Pepper.of(PEPPER_BYTES);
    /** Multi-use, so that an open measures the opening path (match, checks, consume) every time. */
    static final LatchPolicy MULTI_USE = LatchPolicy.custom().name("bench").ttl(Duration.ofDays(1)).maxUses(1000).build();

    private Fixtures() {
    }

    static Latches latches(LatchStore store, Clock clock) {
        return Latches.builder().pepper(PEPPER).store(store).clock(clock).auditSink(e -> { })
                .issueRateLimit(RateLimit.of(1000, Duration.ofSeconds(1)))
                .pollDueWork(Duration.ZERO) // measured opens only: no claims of due work in between
                .build();
    }

    static ThreadLocal<Mac> hmacSha256(byte[] key) {
        return ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A per-thread xorshift cursor: random indexes without a shared counter. */
    static int next(int[] state, int bound) {
        int x = state[0];
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        state[0] = x;
        return (x & 0x7fffffff) % bound;
    }
}
