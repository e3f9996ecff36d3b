package dev.latch.internal;

/**
 * Dynamic code ids, {@code "c_"} and 20 base64url characters: the first 8 are a tag of the
 * latch and subject (48 bits of a keyed hash), the other 12 are random (72 bits). Every code a
 * {@code Latches} issues to one latch and subject has the same tag, so the in-memory store
 * files a subject's codes in its code-id table by the tag alone ({@link #tableHash}): issuing
 * again leaves the table untouched, where a fully random id had to be removed from it and the
 * new one added, both under the table's lock. Ids of any other form still work everywhere;
 * they are filed by their whole text.
 *
 * <p>The tag tells only that two ids belong to the same latch and subject, which their audit
 * events say anyway; without the key it tells nothing about the subject. Ids are not secrets,
 * and 72 random bits keep them unguessable.
 *
 * <p>Thread-safe: stateless. Example: {@code CodeIds.id(CodeIds.tag(k0, k1, "deploy", "bob"), draw)}.
 */
public final class CodeIds {
    /** The id's length: {@code "c_"} and 20 characters. */
    public static final int LENGTH = 22;
    /** Bytes of the tag at the start of an id's 15 bytes. */
    public static final int TAG_BYTES = 6;

    private CodeIds() {
    }

    /**
     * The tag of a latch and subject: a SipHash-1-3 of the subject under the key, with the latch
     * id's hash mixed into the key (latch ids are the application's, subjects may be anyone's).
     *
     * @param k0      the key's first half
     * @param k1      the key's second half
     * @param latchId the latch
     * @param subject the subject
     * @return 64 bits, of which an id keeps 48
     */
    public static long tag(long k0, long k1, String latchId, String subject) {
        return SipHash.hash64(k0 ^ latchId.hashCode() * 0x9E3779B97F4A7C15L, k1, subject);
    }

    /**
     * A code id from a tag and drawn bytes.
     *
     * @param tag    from {@link #tag}
     * @param draw   drawn bytes; bytes {@code TAG_BYTES .. 15} are the id's random part, and the
     *               first {@code TAG_BYTES} are overwritten with the tag
     * @return {@code "c_"} and 20 base64url characters
     */
    public static String id(long tag, byte[] draw) {
        for (int i = 0; i < TAG_BYTES; i++) {
            draw[i] = (byte) (tag >>> (8 * i));
        }
        return Alphabets.id("c_", draw, 0);
    }

    /**
     * Where a code id is filed: for an id of this class's form, a hash of its tag alone (so every
     * code of one latch and subject lands in the same place); for any other id, its
     * {@code hashCode()}.
     *
     * @param id a code id, not null
     * @return the hash
     */
    public static int tableHash(String id) {
        return packable(id) ? tableHash(high(id)) : id.hashCode();
    }

    /**
     * {@link #tableHash(String)} of a packed id, from its {@link #high} half alone.
     *
     * @param high the id's first half
     * @return the hash
     */
    public static int tableHash(long high) {
        long h = (high >>> 12) * 0x9E3779B97F4A7C15L; // the 8 tag characters; already a keyed hash, this folds them
        return (int) (h ^ (h >>> 32));
    }

    private static final byte[] BASE64URL = Alphabets.BASE64URL;
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < 64; i++) {
            VALUES[BASE64URL[i]] = (byte) i;
        }
    }

    /** Marks a {@link #low} half, so that a packed id is never two zero words. */
    private static final long PACKED = 1L << 63;

    /**
     * Whether an id has this class's form ({@code "c_"} and 20 base64url characters) and so packs
     * into two longs ({@link #high}, {@link #low}) without loss: the in-memory store keeps a
     * live code's id that way, 16 bytes instead of a 64-byte string.
     *
     * @param id a code id, not null
     * @return whether {@link #high} and {@link #low} may be called
     */
    public static boolean packable(String id) {
        if (id.length() != LENGTH || id.charAt(0) != 'c' || id.charAt(1) != '_') {
            return false;
        }
        for (int i = 2; i < LENGTH; i++) {
            char c = id.charAt(i);
            if (c >= 128 || VALUES[c] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param id a {@link #packable} id
     * @return its characters 2 to 11, 6 bits each (the tag is the top 48 of these 60 bits)
     */
    public static long high(String id) {
        return bits(id, 2);
    }

    /**
     * @param id a {@link #packable} id
     * @return its characters 12 to 21, 6 bits each, with the top bit set (never 0)
     */
    public static long low(String id) {
        return bits(id, 12) | PACKED;
    }

    private static long bits(String id, int from) {
        long v = 0;
        for (int i = from; i < from + 10; i++) {
            v = v << 6 | VALUES[id.charAt(i)];
        }
        return v;
    }

    /**
     * The id that {@link #high} and {@link #low} packed.
     *
     * @param high the first half
     * @param low  the second half (not 0)
     * @return the id's text
     */
    public static String unpack(long high, long low) {
        byte[] out = new byte[LENGTH];
        out[0] = 'c';
        out[1] = '_';
        for (int i = 0; i < 10; i++) {
            out[11 - i] = BASE64URL[(int) (high >>> (6 * i)) & 63];
            out[21 - i] = BASE64URL[(int) (low >>> (6 * i)) & 63];
        }
        return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
