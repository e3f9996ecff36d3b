package dev.latch.internal;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.security.SecureRandomSpi;
import java.util.Arrays;

/**
 * The default source of codes, ids and keys: a {@link SecureRandom} that draws from one of a few
 * independent DRBG instances (NIST SP 800-90A Hash_DRBG, the JDK's {@code "DRBG"}, each seeded
 * from the platform's entropy), chosen by the calling thread's id. On Linux a plain
 * {@code new SecureRandom()} is {@code NativePRNG}, whose instances all draw through one shared
 * generator under one lock, so every thread that issues a code waits for every other; here
 * threads wait only when they land on the same stripe. The stripes are made once per JVM, so a
 * short-lived thread costs no new generator.
 *
 * <p>A small draw (a code and its id: tens of bytes) is served from its stripe's buffer, which
 * the stripe's DRBG fills {@value #BUFFER} bytes at a time: one DRBG generation serves many
 * codes, where one per code would cost more than the rest of an issue's randomness. Bytes are
 * handed out once and zeroed in the buffer as they leave it, so the buffer holds only bytes no
 * caller has seen. Draws larger than a quarter of the buffer go to the DRBG directly.
 *
 * <pre>{@code
 * SecureRandom random = StripedSecureRandom.shared();
 * byte[] id = new byte[15];
 * random.nextBytes(id);
 * }</pre>
 *
 * <p>Thread-safe: each stripe is locked while its buffer is read or refilled. {@code setSeed}
 * and {@code reseed} reach the calling thread's stripe only (a DRBG mixes a seed in, never
 * replaces its state with it) and drop that stripe's buffered bytes, so output after a reseed
 * comes from the reseeded state.
 */
public final class StripedSecureRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    static final int BUFFER = 512;
    private static final StripedSecureRandom SHARED = new StripedSecureRandom();

    private final transient Stripe[] stripes;

    /** One DRBG and its buffer of bytes not yet handed out ({@code buffer[next..]}). */
    private static final class Stripe {
        final SecureRandom drbg;
        final byte[] buffer = new byte[BUFFER];
        int next = BUFFER;
        // keeps the next stripe's hot fields off this one's cache line (they are allocated in order)
        @SuppressWarnings("unused")
        long p1, p2, p3, p4, p5, p6, p7;

        Stripe(SecureRandom drbg) {
            this.drbg = drbg;
        }

        synchronized void draw(byte[] out) {
            int n = out.length;
            if (next + n > BUFFER) {
                drbg.nextBytes(buffer);
                next = 0;
            }
            System.arraycopy(buffer, next, out, 0, n);
            Arrays.fill(buffer, next, next + n, (byte) 0);
            next += n;
        }

        synchronized void drop() {
            Arrays.fill(buffer, (byte) 0);
            next = BUFFER;
        }
    }

    private StripedSecureRandom() {
        super(new NoSpi(), null);
        // at least two per core, a power of two, at most 64
        int n = Math.min(64, Integer.highestOneBit(Math.max(1, 2 * Runtime.getRuntime().availableProcessors() - 1)) << 1);
        Stripe[] s = new Stripe[n];
        for (int i = 0; i < n; i++) {
            s[i] = new Stripe(drbg());
        }
        stripes = s;
    }

    /** @return the JVM's one striped generator */
    public static SecureRandom shared() {
        return SHARED;
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom(); // a platform without DRBG: its default generator
        }
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    private Stripe stripe() {
        long id = Thread.currentThread().getId();
        return stripes[(int) (id ^ (id >>> 16)) & (stripes.length - 1)];
    }

    /** @return the JVM's one instance: a deserialised copy would have no stripes */
    private Object readResolve() {
        return SHARED;
    }

    /** @return the number of independent generators (a power of two) */
    int stripes() {
        return stripes.length;
    }

    @Override
    public void nextBytes(byte[] bytes) {
        Stripe s = stripe();
        if (bytes.length > BUFFER / 4) {
            s.drbg.nextBytes(bytes);
        } else {
            s.draw(bytes);
        }
    }

    @Override
    public void nextBytes(byte[] bytes, SecureRandomParameters params) {
        if (params == null) {
            nextBytes(bytes);
        } else {
            stripe().drbg.nextBytes(bytes, params); // parameters (strength, prediction resistance) are the DRBG's to honour
        }
    }

    @Override
    public void setSeed(byte[] seed) {
        Stripe s = stripe();
        s.drbg.setSeed(seed);
        s.drop();
    }

    @Override
    public void setSeed(long seed) {
        if (stripes != null) { // the superclass constructor calls this before the stripes exist
            Stripe s = stripe();
            s.drbg.setSeed(seed);
            s.drop();
        }
    }

    @Override
    public void reseed() {
        Stripe s = stripe();
        s.drbg.reseed();
        s.drop();
    }

    @Override
    public void reseed(SecureRandomParameters params) {
        Stripe s = stripe();
        s.drbg.reseed(params);
        s.drop();
    }

    @Override
    public byte[] generateSeed(int numBytes) {
        return stripe().drbg.generateSeed(numBytes);
    }

    @Override
    public String getAlgorithm() {
        return "DRBG (striped)";
    }

    @Override
    public SecureRandomParameters getParameters() {
        return stripes[0].drbg.getParameters();
    }

    @Override
    public String toString() {
        return "StripedSecureRandom[" + stripes.length + " x " + stripes[0].drbg.getAlgorithm() + "]";
    }

    /** Never used: every method that would reach it is overridden above. */
    private static final class NoSpi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;

        @Override
        protected void engineSetSeed(byte[] seed) {
            throw new UnsupportedOperationException("StripedSecureRandom draws from its stripes");
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            throw new UnsupportedOperationException("StripedSecureRandom draws from its stripes");
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            throw new UnsupportedOperationException("StripedSecureRandom draws from its stripes");
        }
    }
}
