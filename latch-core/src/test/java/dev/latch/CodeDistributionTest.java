package dev.latch;

import org.junit.jupiter.api.Test;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Codes are uniform: a chi-square test over the digits of 10^6 six-digit codes. The random
 * source is a seeded SHA1PRNG so the test is repeatable; the control shows that the statistic
 * catches the classic modulo bias ({@code byte % 10}) at this sample size.
 */
class CodeDistributionTest {
    private static final int CODES = 1_000_000;
    /** chi-square critical value, 9 degrees of freedom, p = 0.001. */
    private static final double CRITICAL_9DF = 27.877;

    private static SecureRandom seeded() throws NoSuchAlgorithmException {
        SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
        r.setSeed(42L);
        return r;
    }

    @Test
    void numericCodes_digitsAreUniformInEveryPosition() throws Exception {
        SecureRandom random = seeded();
        long[][] counts = new long[6][10];
        for (int i = 0; i < CODES; i++) {
            String code = Codes.generate(random, CodeFormat.numeric(6));
            assertEquals(6, code.length());
            for (int p = 0; p < 6; p++) {
                counts[p][code.charAt(p) - '0']++;
            }
        }
        for (int p = 0; p < 6; p++) {
            double chi = chiSquare(counts[p]);
            assertTrue(chi < CRITICAL_9DF, "position " + p + ": chi-square " + chi);
        }
    }

    @Test
    void numericCodes_wholeCodeSpaceIsUniformByLeadingDigitPair() throws Exception {
        SecureRandom random = seeded();
        long[] buckets = new long[100];
        for (int i = 0; i < CODES; i++) {
            String code = Codes.generate(random, CodeFormat.numeric(6));
            buckets[Integer.parseInt(code.substring(0, 2))]++;
        }
        assertTrue(chiSquare(buckets) < 148.23, "99 df, p = 0.001: " + chiSquare(buckets));
    }

    @Test
    void base32Codes_areUniformOverTheCrockfordAlphabet() throws Exception {
        SecureRandom random = seeded();
        long[] counts = new long[32];
        String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        for (int i = 0; i < 200_000; i++) {
            for (char c : Codes.generate(random, CodeFormat.base32(10)).toCharArray()) {
                counts[alphabet.indexOf(c)]++;
            }
        }
        assertTrue(chiSquare(counts) < 61.10, "31 df, p = 0.001: " + chiSquare(counts));
    }

    @Test
    void control_moduloBiasedDigitsFailTheSameTest() throws Exception {
        SecureRandom random = seeded();
        IntSupplier biased = () -> (random.nextInt(256)) % 10; // 0-5 come 26/256, 6-9 only 25/256
        long[] counts = new long[10];
        for (int i = 0; i < CODES; i++) {
            counts[biased.getAsInt()]++;
        }
        assertTrue(chiSquare(counts) > CRITICAL_9DF, "the test must be able to see modulo bias: " + chiSquare(counts));
    }

    private static double chiSquare(long[] observed) {
        long total = 0;
        for (long o : observed) {
            total += o;
        }
        double expected = (double) total / observed.length;
        double chi = 0;
        for (long o : observed) {
            chi += (o - expected) * (o - expected) / expected;
        }
        return chi;
    }

    @Test
    void drawnDigits_rejectTheTopOfTheRange_andOnlyThen() {
        // 2^63 mod 10^6 = 775,808: the values from 2^63 - 775,808 up would favour low codes.
        long rejectFrom = Long.MAX_VALUE - 775_807L;
        SecureRandom fallback = new SecureRandom() {
            @Override
            public long nextLong(long bound) {
                assertEquals(1_000_000L, bound);
                return 123L;
            }
        };
        assertEquals("999999", dev.latch.internal.Alphabets.digits(fallback, bytes(rejectFrom - 1), 0, 6),
                "the last accepted value");
        assertEquals("000123", dev.latch.internal.Alphabets.digits(fallback, bytes(rejectFrom), 0, 6),
                "rejected: drawn again");
        assertEquals("000123", dev.latch.internal.Alphabets.digits(fallback, bytes(-1L), 0, 6),
                "the sign bit is not part of the value; all ones is rejected");
        assertEquals("000042", dev.latch.internal.Alphabets.digits(fallback, bytes(Long.MIN_VALUE | 42L), 0, 6));
    }

    @Test
    void ids_areBase64UrlOfTheirFifteenBytes() throws Exception {
        SecureRandom random = seeded();
        for (int i = 0; i < 1000; i++) {
            byte[] b = new byte[20];
            random.nextBytes(b);
            assertEquals("c_" + java.util.Base64.getUrlEncoder().withoutPadding()
                            .encodeToString(java.util.Arrays.copyOfRange(b, 3, 18)),
                    dev.latch.internal.Alphabets.id("c_", b, 3));
        }
    }

    private static byte[] bytes(long value) {
        return java.nio.ByteBuffer.allocate(8).putLong(value).array();
    }
}
