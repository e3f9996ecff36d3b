package dev.latch.hmac;

import dev.latch.spi.Names.CodeText;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.nio.charset.StandardCharsets;

/** HOTP codes (RFC 4226 §5.3): HMAC of the 8-byte counter, dynamic truncation, modulo 10^digits. */
final class OtpEngine {
    private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private final OtpAlgorithm algorithm;
    private final int digits;
    private final ThreadLocal<Mac> macs;

    /** @return digits, when 6 to 8 (RFC 4226 allows more, but apps show 6 to 8) */
    static int checkDigits(int digits) {
        if (digits < 6 || digits > 8) {
            throw new IllegalArgumentException("OTP codes have 6 to 8 digits, got " + digits);
        }
        return digits;
    }

    OtpEngine(OtpAlgorithm algorithm, int digits) {
        this.algorithm = algorithm;
        this.digits = digits;
        try {
            Mac.getInstance(algorithm.jcaName()); // fail fast
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm.jcaName() + " is required by every Java platform", e);
        }
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                return Mac.getInstance(algorithm.jcaName());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A Mac keyed with the secret, for several counters in a row on this thread. */
    Mac keyed(OtpSecret secret) {
        Mac mac = macs.get();
        try {
            mac.init(new SecretKeySpec(secret.bytes(), algorithm.jcaName()));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("OTP secret rejected by " + algorithm.jcaName(), e);
        }
        return mac;
    }

    int code(Mac keyed, long counter) {
        byte[] msg = new byte[8];
        for (int i = 7; i >= 0; i--) {
            msg[i] = (byte) counter;
            counter >>>= 8;
        }
        byte[] h = keyed.doFinal(msg);
        int offset = h[h.length - 1] & 0x0f;
        int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8)
                | (h[offset + 3] & 0xff);
        return binary % POWERS[digits];
    }

    String format(int code) {
        String s = Integer.toString(code);
        return "0".repeat(digits - s.length()) + s;
    }

    /**
     * @return the input as exactly {@code digits} ASCII digits, once grouping separators are
     *         dropped by the rule every latch code follows ({@link CodeText}), or null
     */
    byte[] wellFormed(String typed) {
        if (typed == null || typed.length() > 2 * digits) {
            return null;
        }
        String input = CodeText.ungroup(typed);
        if (input == null || input.length() != digits) {
            return null;
        }
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return input.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Compares the input with the code of every counter in [from, to], all of them, each as one
     * integer comparison (no early exit, no branch on the secret), and returns the counters that
     * matched.
     */
    long[] matches(OtpSecret secret, byte[] input, long from, long to) {
        int typed = 0;
        for (byte b : input) {
            typed = typed * 10 + (b - '0');
        }
        Mac mac = keyed(secret);
        // Counted rather than compared with 'to', so a window that ends at Long.MAX_VALUE ends.
        int count = (int) (to - from + 1);
        long[] found = new long[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            long c = from + i;
            found[n] = c;
            n += (code(mac, c) ^ typed) == 0 ? 1 : 0;
        }
        return java.util.Arrays.copyOf(found, n);
    }

    OtpAlgorithm algorithm() {
        return algorithm;
    }

    int digits() {
        return digits;
    }
}
