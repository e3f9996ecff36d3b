package dev.latch.benchmarks;

import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.hmac.OtpSecret;
import dev.latch.hmac.Totp;
import dev.latch.spi.LatchStore;
import dev.latch.testing.MutableClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * TOTP verification with a ±1 step window and the replay guard (every call is a new step, so
 * every call is an accepted code), next to its floor: one Mac keyed with the secret and three
 * raw HOTP computations with constant-time compares, and no replay guard.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TotpBenchmark {
    static final int STEPS = 1 << 20;
    static final int SUBJECTS = 16;
    static final long T0 = 1_700_000_000L / 30;

    OtpSecret secret;
    byte[] secretBytes;
    Totp totp;
    Latches latches;
    MutableClock clock;
    String[] codes;
    AccessContext[] contexts;
    int calls;
    Mac floorMac;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        secretBytes = new byte[20];
        new SecureRandom().nextBytes(secretBytes);
        secret = OtpSecret.of(secretBytes);
        totp = Totp.builder().build();
        clock = MutableClock.at(Instant.ofEpochSecond(T0 * 30));
        latches = Fixtures.latches(Latches.inMemoryStore(), clock);
        codes = new String[STEPS];
        for (int s = 0; s < STEPS; s++) {
            codes[s] = totp.generate(secret, Instant.ofEpochSecond((T0 + s) * 30));
        }
        contexts = new AccessContext[SUBJECTS];
        for (int i = 0; i < SUBJECTS; i++) {
            contexts[i] = AccessContext.of("user-" + i);
        }
        floorMac = Mac.getInstance("HmacSHA1");
    }

    @Benchmark
    public Verdict verify() {
        int i = calls++;
        int step = (i / SUBJECTS) % STEPS;
        clock.set(Instant.ofEpochSecond((T0 + step) * 30 + 10));
        return totp.verify(latches, "totp", secret, codes[step], contexts[i % SUBJECTS]);
    }

    @Benchmark
    public boolean floorThreeHotp() throws Exception {
        int i = calls++;
        int step = (i / SUBJECTS) % STEPS;
        byte[] typed = codes[step].getBytes(StandardCharsets.US_ASCII);
        floorMac.init(new SecretKeySpec(secretBytes, "HmacSHA1"));
        boolean any = false;
        for (long c = T0 + step - 1; c <= T0 + step + 1; c++) {
            any |= MessageDigest.isEqual(hotp(floorMac, c), typed);
        }
        return any;
    }

    private static byte[] hotp(Mac mac, long counter) {
        byte[] msg = new byte[8];
        for (int i = 7; i >= 0; i--) {
            msg[i] = (byte) counter;
            counter >>>= 8;
        }
        byte[] h = mac.doFinal(msg);
        int o = h[h.length - 1] & 0xf;
        int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
        String s = Integer.toString(bin % 1_000_000);
        return ("000000".substring(s.length()) + s).getBytes(StandardCharsets.US_ASCII);
    }
}
