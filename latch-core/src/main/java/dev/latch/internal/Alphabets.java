package dev.latch.internal;

import java.security.SecureRandom;

/** Alphabets for codes and keys, and uniform draws from them. Stateless; thread-safe. */
public final class Alphabets {
    /** Crockford base32: no I, L, O or U. */
    public static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    /** Base62, used in static keys so they survive double-click selection and URLs. */
    public static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Alphabets() {
    }

    /**
     * Draws {@code length} characters uniformly from {@code alphabet}.
     * {@link SecureRandom#nextInt(int)} rejects out-of-range draws, so there is no modulo bias.
     *
     * @param random   the source
     * @param alphabet the characters
     * @param length   how many
     * @return the characters
     */
    public static char[] draw(SecureRandom random, String alphabet, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return out;
    }

    private static final long[] POWERS_OF_TEN = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
            100_000_000L, 1_000_000_000L, 10_000_000_000L};

    /**
     * Draws a uniform number below 10^digits with one bounded draw ({@code nextLong(bound)}
     * rejects out-of-range values, so there is no modulo bias) and writes it with leading zeros.
     *
     * @param random the source
     * @param digits 1 to 10
     * @return the digits
     */
    public static String digits(SecureRandom random, int digits) {
        long value = random.nextLong(POWERS_OF_TEN[digits]);
        char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return new String(out);
    }

    /**
     * Draws Crockford base32 characters from one {@code nextBytes} call, 5 bits each: exactly
     * uniform, since 32 is a power of two.
     *
     * @param random the source
     * @param length how many characters
     * @return the characters
     */
    public static String crockford(SecureRandom random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = CROCKFORD.charAt(bytes[i] & 31);
        }
        return new String(out);
    }

    /**
     * @param random the source
     * @return a 20-character base64url id of 120 random bits, from one {@code nextBytes} call
     */
    public static String id(SecureRandom random) {
        byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Maps a typed Crockford character to its canonical form: case-insensitive, I and L read
     * as 1, O read as 0.
     *
     * @param c the typed character
     * @return the canonical character, or 0 when c is not in the alphabet
     */
    public static char crockford(char c) {
        if (c >= 'a' && c <= 'z') {
            c = (char) (c - 32);
        }
        switch (c) {
            case 'I':
            case 'L':
                return '1';
            case 'O':
                return '0';
            case 'U':
                return 0;
            default:
                return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ? c : 0;
        }
    }

    /**
     * @param c a character of {@link #BASE62}
     * @return its value, 0 to 61, in the order of {@link #BASE62}
     */
    public static int base62Value(char c) {
        if (c <= '9') {
            return c - '0';
        }
        return c <= 'Z' ? c - 'A' + 10 : c - 'a' + 36;
    }

    /**
     * @param value    a non-negative value
     * @param width    the fixed width
     * @return value in base62, left-padded with '0' to width
     */
    public static String base62(long value, int width) {
        char[] out = new char[width];
        for (int i = width - 1; i >= 0; i--) {
            out[i] = BASE62.charAt((int) (value % 62));
            value /= 62;
        }
        if (value != 0) {
            throw new IllegalArgumentException("value does not fit in " + width + " base62 digits");
        }
        return new String(out);
    }

    /**
     * @param c a character
     * @return true when c is in {@link #BASE62}
     */
    public static boolean isBase62(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /**
     * @param c a character
     * @return true when c is in the base64url alphabet (RFC 4648 §5), no padding
     */
    public static boolean isBase64Url(char c) {
        return isBase62(c) || c == '-' || c == '_';
    }
}
