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
    private static final int TAG_CHARS = 8;

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
        if (id.length() != LENGTH || id.charAt(0) != 'c' || id.charAt(1) != '_') {
            return id.hashCode();
        }
        long h = 0;
        for (int i = 2; i < 2 + TAG_CHARS; i++) {
            h = h << 8 | (id.charAt(i) & 0xff);
        }
        h *= 0x9E3779B97F4A7C15L; // the tag is a keyed hash already; this folds its 8 characters
        return (int) (h ^ (h >>> 32));
    }
}
