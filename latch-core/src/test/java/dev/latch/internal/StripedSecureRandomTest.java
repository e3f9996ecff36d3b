package dev.latch.internal;

import org.junit.jupiter.api.Test;

import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StripedSecureRandomTest {
    @Test
    void drawsFromIndependentDrbgStripes_andNothingRepeatsAcrossThreads() throws Exception {
        SecureRandom random = StripedSecureRandom.shared();
        assertSame(random, StripedSecureRandom.shared(), "one per JVM");
        int stripes = ((StripedSecureRandom) random).stripes();
        assertTrue(stripes >= 2 && Integer.bitCount(stripes) == 1 && stripes <= 64, "stripes: " + stripes);
        assertTrue(random.toString().contains("DRBG"), random.toString());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        int threads = 8;
        int draws = 5_000; // each thread refills its stripe's buffer many times
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < draws; i++) {
                    byte[] b = new byte[16];
                    random.nextBytes(b);
                    seen.add(HexFormat.of().formatHex(b));
                }
            });
            ts[t].start();
        }
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        // a buffered byte handed to two callers, or a stripe shared unlocked, would repeat a draw
        assertEquals(threads * draws, seen.size(), "128-bit draws from every stripe are distinct");
    }

    @Test
    void consecutiveDrawsOfOneThread_neverOverlap_acrossBufferRefills() {
        SecureRandom random = StripedSecureRandom.shared();
        Set<String> seen = new java.util.HashSet<>();
        // 23 bytes (a code and its id) does not divide the buffer, so draws straddle refills
        for (int i = 0; i < 3 * StripedSecureRandom.BUFFER; i++) {
            byte[] b = new byte[23];
            random.nextBytes(b);
            assertTrue(seen.add(HexFormat.of().formatHex(b)), "draw " + i + " repeated");
        }
    }

    @Test
    void everyLengthIsFilled_smallFromTheBuffer_largeFromTheDrbg() {
        SecureRandom random = StripedSecureRandom.shared();
        for (int n : new int[]{0, 1, 8, 23, StripedSecureRandom.BUFFER / 4, StripedSecureRandom.BUFFER / 4 + 1,
                StripedSecureRandom.BUFFER, 4 * StripedSecureRandom.BUFFER}) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            if (n >= 8) {
                // all zero with chance 2^-64 or less: a draw that left the array alone
                boolean any = false;
                for (byte x : b) {
                    any |= x != 0;
                }
                assertTrue(any, "a " + n + "-byte draw filled nothing");
            }
        }
        byte[] b = new byte[32];
        random.nextBytes(b, DrbgParameters.nextBytes(128, false, null));
        assertFalse(java.util.Arrays.equals(new byte[32], b), "a draw with parameters goes to the DRBG");
    }

    @Test
    void nextIntIsUniform_throughTheOverriddenNextBytes() {
        SecureRandom random = StripedSecureRandom.shared();
        int[] counts = new int[10];
        for (int i = 0; i < 100_000; i++) {
            counts[random.nextInt(10)]++;
        }
        for (int c : counts) {
            // 10,000 expected per digit; 5 standard deviations is about 475
            assertTrue(Math.abs(c - 10_000) < 500, java.util.Arrays.toString(counts));
        }
    }

    @Test
    void seedingAndReseeding_mixIn_andNeverRepeatOutput() {
        SecureRandom random = StripedSecureRandom.shared();
        random.setSeed(new byte[]{1, 2, 3}); // mixed into the stripe, never resets it
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        random.nextBytes(a);
        random.setSeed(new byte[]{1, 2, 3});
        random.nextBytes(b);
        assertFalse(java.util.Arrays.equals(a, b), "the same seed twice does not repeat output");
        random.setSeed(42L);
        random.reseed();
        byte[] c = new byte[16];
        random.nextBytes(c);
        assertFalse(java.util.Arrays.equals(b, c));
        assertNotNull(random.getParameters(), "the DRBG's parameters");
        assertEquals(8, random.generateSeed(8).length);
        assertEquals("DRBG (striped)", random.getAlgorithm());
    }

    @Test
    void aSerialisedCopy_isTheSharedInstance() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(StripedSecureRandom.shared());
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            Object copy = in.readObject();
            assertSame(StripedSecureRandom.shared(), copy, "no instance without stripes");
        }
    }
}
