package dev.latch.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
        return crockford(bytes, 0, length);
    }

    /**
     * @param random the source
     * @return a 20-character base64url id of 120 random bits, from one {@code nextBytes} call
     */
    public static String id(SecureRandom random) {
        byte[] bytes = new byte[ID_BYTES];
        random.nextBytes(bytes);
        return id("", bytes, 0);
    }

    /** Random bytes in an id made by {@link #id(String, byte[], int)}. */
    public static final int ID_BYTES = 15;
    /** The base64url alphabet (RFC 4648 section 5), as ASCII bytes; never written. */
    static final byte[] BASE64URL =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);

    /**
     * An id of 120 bits already drawn: the prefix and 20 base64url characters of
     * {@code bytes[offset .. offset + 15)}, in one string. The bits are random but where a
     * caller puts something else in front ({@link CodeIds}: a tag of the latch and subject).
     *
     * @param prefix ASCII text before the random part, such as {@code "c_"}
     * @param bytes  drawn bytes
     * @param offset where the id's 15 bytes start
     * @return the id
     */
    public static String id(String prefix, byte[] bytes, int offset) {
        int p = prefix.length();
        byte[] out = new byte[p + 20];
        for (int i = 0; i < p; i++) {
            out[i] = (byte) prefix.charAt(i);
        }
        for (int g = 0; g < 5; g++) {
            int b = (bytes[offset + 3 * g] & 0xff) << 16 | (bytes[offset + 3 * g + 1] & 0xff) << 8
                    | (bytes[offset + 3 * g + 2] & 0xff);
            int o = p + 4 * g;
            out[o] = BASE64URL[b >>> 18];
            out[o + 1] = BASE64URL[(b >>> 12) & 63];
            out[o + 2] = BASE64URL[(b >>> 6) & 63];
            out[o + 3] = BASE64URL[b & 63];
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /**
     * Draws a uniform number below 10^digits from 8 bytes already drawn, by rejection: the
     * bytes give a 63-bit value, which is used only when it lies below the largest multiple of
     * the bound (so every result is equally likely); otherwise, with a probability below 2^-33,
     * one {@code nextLong(bound)} from {@code random} replaces it. Written with leading zeros.
     *
     * @param random used only when the drawn value is rejected
     * @param bytes  drawn bytes
     * @param offset where the 8 bytes start
     * @param digits 1 to 10
     * @return the digits
     */
    public static String digits(SecureRandom random, byte[] bytes, int offset, int digits) {
        long bound = POWERS_OF_TEN[digits];
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = x << 8 | (bytes[offset + i] & 0xff);
        }
        x &= Long.MAX_VALUE;
        // 2^63 mod bound values at the top of the range would make the low results likelier
        long rejectFrom = Long.MAX_VALUE - Long.remainderUnsigned(Long.MIN_VALUE, bound) + 1;
        long value = x < rejectFrom ? x % bound : random.nextLong(bound);
        return decimal(value, digits);
    }

    private static String decimal(long value, int digits) {
        byte[] out = new byte[digits];
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /**
     * Crockford base32 characters from bytes already drawn, 5 bits each: exactly uniform, since
     * 32 is a power of two.
     *
     * @param bytes  drawn bytes
     * @param offset where the {@code length} bytes start
     * @param length how many characters
     * @return the characters
     */
    public static String crockford(byte[] bytes, int offset, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = CROCKFORD.charAt(bytes[offset + i] & 31);
        }
        return new String(out);
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
        return BASE62_VALUE[c & 127]; // a table: checksum digits are random, so branches would mispredict
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
        return c < 128 && NOT_BASE62[c] == 0;
    }

    /** 1 for every ASCII character outside {@link #BASE62}, 0 inside. */
    private static final byte[] NOT_BASE62 = new byte[128];

    /** The value of each base62 character, 0 elsewhere. */
    private static final byte[] BASE62_VALUE = new byte[128];

    static {
        java.util.Arrays.fill(NOT_BASE62, (byte) 1);
        for (int i = 0; i < BASE62.length(); i++) {
            NOT_BASE62[BASE62.charAt(i)] = 0;
            BASE62_VALUE[BASE62.charAt(i)] = (byte) i;
        }
    }

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH = 0x8080808080808080L;
    private static final long ONES = 0x0101010101010101L;

    /**
     * Whether every byte of {@code b[from, to)} is a base62 character, eight bytes at a time
     * within one long (SWAR), without a branch per character: keys are random text, and
     * per-character range tests mispredicted about every other character (a 36-character check
     * took 300 ns on random keys, 70 on a repeated one; a table lookup per character, 50). A
     * range shorter than 8 is checked byte by byte; a longer one's last word overlaps the one
     * before it, which an "all" test allows.
     *
     * @param b    ASCII or ISO-8859-1 bytes
     * @param from first index
     * @param to   end index, exclusive
     * @return true when all are base62 (also for an empty range)
     */
    public static boolean allBase62(byte[] b, int from, int to) {
        if (to - from < 8) {
            int bad = 0;
            for (int i = from; i < to; i++) {
                int c = b[i] & 0xff;
                bad |= (c >>> 7) | NOT_BASE62[c & 127];
            }
            return bad == 0;
        }
        long ok = HIGH;
        for (int i = from; ; i += 8) {
            if (i > to - 8) {
                i = to - 8; // the last word, overlapping the one before
            }
            ok &= base62Bytes((long) LONG_LE.get(b, i));
            if (i == to - 8) {
                return ok == HIGH;
            }
        }
    }

    /** The high bit of each byte of the result is set where that byte of x is 0-9, A-Z or a-z. */
    private static long base62Bytes(long x) {
        long seven = x | HIGH; // subtracting below can then never borrow from the next byte
        long digit = ((seven - '0' * ONES) & ~(seven - ('9' + 1) * ONES));
        long upper = ((seven - 'A' * ONES) & ~(seven - ('Z' + 1) * ONES));
        long lower = ((seven - 'a' * ONES) & ~(seven - ('z' + 1) * ONES));
        return (digit | upper | lower) & ~x & HIGH; // ~x: bytes 0x80 and above are never base62
    }

    /**
     * @param c a character
     * @return true when c is in the base64url alphabet (RFC 4648 §5), no padding
     */
    public static boolean isBase64Url(char c) {
        return isBase62(c) || c == '-' || c == '_';
    }
}
