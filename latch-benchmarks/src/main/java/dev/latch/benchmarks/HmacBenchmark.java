package dev.latch.benchmarks;

import dev.latch.spi.KeyedHmac;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import javax.crypto.Mac;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * Three ways to compute one HMAC-SHA256 under a fixed key, over 40 bytes (a code's hash input)
 * and 180 bytes (a token's signing input): the JDK's {@code Mac.doFinal} (one instance per
 * thread, as the floors of the open and token rows use it), latch's {@link KeyedHmac} (copies of
 * the key's pad states, two compressions fewer, two digest copies per call), and two digests per
 * thread that hash the pad blocks again on every call (no copies, as many compressions as the
 * {@code Mac}). No row of {@link RunAll}'s table reads it; BENCHMARKS.md says what it showed:
 * <pre>{@code
 * java -cp latch-benchmarks/target/benchmarks.jar org.openjdk.jmh.Main HmacBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HmacBenchmark {
    @Param({"40", "180"})
    int size;
    byte[] data;
    ThreadLocal<Mac> mac;
    KeyedHmac keyed;
    ThreadLocal<Pair> pairs;
    byte[] ipad = new byte[64];
    byte[] opad = new byte[64];

    /** A thread's two digests and the buffer for the inner hash. */
    static final class Pair {
        final MessageDigest in;
        final MessageDigest out;
        final byte[] tmp = new byte[32];

        Pair() {
            try {
                in = MessageDigest.getInstance("SHA-256");
                out = MessageDigest.getInstance("SHA-256");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Setup
    public void setUp() {
        data = new byte[size];
        new java.util.Random(1).nextBytes(data);
        mac = Fixtures.hmacSha256(Fixtures.PEPPER_BYTES);
        keyed = KeyedHmac.of("HmacSHA256", Fixtures.PEPPER_BYTES);
        for (int i = 0; i < 64; i++) {
            byte k = i < Fixtures.PEPPER_BYTES.length ? Fixtures.PEPPER_BYTES[i] : 0;
            ipad[i] = (byte) (k ^ 0x36);
            opad[i] = (byte) (k ^ 0x5c);
        }
        pairs = ThreadLocal.withInitial(Pair::new);
    }

    @Benchmark
    public byte[] mac() {
        return mac.get().doFinal(data);
    }

    @Benchmark
    public byte[] keyedClone() {
        return keyed.mac(data, 0, data.length);
    }

    @Benchmark
    public byte[] perThreadDigests() throws Exception {
        Pair p = pairs.get();
        p.in.update(ipad);
        p.in.update(data);
        p.in.digest(p.tmp, 0, 32);
        p.out.update(opad);
        p.out.update(p.tmp);
        return p.out.digest();
    }
}
