package dev.latch.internal;

/**
 * SipHash-1-3 (Aumasson and Bernstein; the variant Rust's and Python's hash tables use) of a
 * string's UTF-16LE bytes, under a 128-bit key: a keyed hash whose collisions cannot be found
 * without the key. The in-memory store places subjects with it, because subjects may be chosen
 * by whoever presents a code, and {@link String#hashCode()} collisions are easy to make (every
 * string of the blocks "Aa" and "BB" of one length has the same hash): thousands of colliding
 * subjects would form one long probe run in a table, making each of its operations linear.
 *
 * <p>Not a cryptographic digest or a MAC of anything latch stores; it only spreads keys.
 * Stateless and thread-safe. Example: {@code SipHash.hash(k0, k1, "alice")}.
 */
final class SipHash {
    private SipHash() {
    }

    /**
     * @param k0 the key's first 8 bytes, little-endian
     * @param k1 the key's last 8 bytes, little-endian
     * @param s  the string, hashed as its UTF-16LE bytes
     * @return the 64-bit SipHash-1-3, folded to 32 bits
     */
    static int hash(long k0, long k1, String s) {
        long h = hash64(k0, k1, s);
        return (int) (h ^ (h >>> 32));
    }

    /**
     * The full 64-bit SipHash-1-3 of the string's UTF-16LE bytes. The round is written out three
     * times (words, last word, finish): one loop with branches for the three took 44–58 ns per
     * 14-character subject against 27 ns for this.
     */
    static long hash64(long k0, long k1, String s) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int n = s.length();
        int i = 0;
        for (; i + 4 <= n; i += 4) { // 4 chars are one 8-byte word
            long m = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48;
            v3 ^= m;
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            v0 ^= m;
        }
        long m = (long) (2 * n) << 56; // the last word: the byte length's low byte on top, then what is left
        for (int shift = 0; i < n; i++, shift += 16) {
            m |= (long) s.charAt(i) << shift;
        }
        v3 ^= m;
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        v0 ^= m;
        v2 ^= 0xff;
        for (int r = 0; r < 3; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
