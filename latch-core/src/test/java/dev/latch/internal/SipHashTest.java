package dev.latch.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SipHashTest {
    /** SipHash-c-d over bytes, written from the paper, to check the char-wise version against. */
    static long reference(int c, int d, long k0, long k1, byte[] in) {
        long[] v = {k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L,
                k1 ^ 0x7465646279746573L};
        int words = in.length / 8;
        for (int w = 0; w <= words; w++) {
            long m = 0;
            if (w < words) {
                for (int b = 7; b >= 0; b--) {
                    m = m << 8 | (in[w * 8 + b] & 0xff);
                }
            } else {
                m = (long) (in.length & 0xff) << 56;
                for (int b = in.length - 1; b >= w * 8; b--) {
                    m |= (long) (in[b] & 0xff) << (8 * (b - w * 8));
                }
            }
            v[3] ^= m;
            for (int r = 0; r < c; r++) {
                round(v);
            }
            v[0] ^= m;
        }
        v[2] ^= 0xff;
        for (int r = 0; r < d; r++) {
            round(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    static void round(long[] v) {
        v[0] += v[1]; v[1] = Long.rotateLeft(v[1], 13); v[1] ^= v[0]; v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3]; v[3] = Long.rotateLeft(v[3], 16); v[3] ^= v[2];
        v[0] += v[3]; v[3] = Long.rotateLeft(v[3], 21); v[3] ^= v[0];
        v[2] += v[1]; v[1] = Long.rotateLeft(v[1], 17); v[1] ^= v[2]; v[2] = Long.rotateLeft(v[2], 32);
    }

    static final long K0 = 0x0706050403020100L;
    static final long K1 = 0x0f0e0d0c0b0a0908L;

    @Test
    void reference_givesThePapersExample() {
        // SipHash-2-4, key 00..0f, message 00..0e: appendix A of "SipHash: a fast short-input PRF".
        byte[] msg = new byte[15];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) i;
        }
        assertEquals(0xa129ca6149be45e5L, reference(2, 4, K0, K1, msg));
        assertEquals(reference(1, 3, K0, K1, "latch".getBytes(StandardCharsets.UTF_16LE)), SipHash.hash64(K0, K1, "latch"));
    }

    /** The string's chars as bytes, low byte first (unlike getBytes, keeps lone surrogates). */
    static byte[] utf16le(String s) {
        byte[] out = new byte[2 * s.length()];
        for (int i = 0; i < s.length(); i++) {
            out[2 * i] = (byte) s.charAt(i);
            out[2 * i + 1] = (byte) (s.charAt(i) >> 8);
        }
        return out;
    }

    @Test
    void hash_isSipHash13OfTheUtf16LeBytes_forEveryLengthAndChar() {
        Random random = new Random(7);
        for (int n = 0; n < 300; n++) {
            int length = n < 40 ? n : random.nextInt(257);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < length; i++) {
                b.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(0x10000)));
            }
            String s = b.toString();
            long k0 = random.nextLong();
            long k1 = random.nextLong();
            long expected = reference(1, 3, k0, k1, utf16le(s));
            assertEquals(expected, SipHash.hash64(k0, k1, s), "length " + length);
            assertEquals((int) (expected ^ (expected >>> 32)), SipHash.hash(k0, k1, s));
        }
    }

    /** 4,096 strings of 24 characters, all with one {@code String.hashCode()}. */
    static List<String> collidingSubjects() {
        List<String> out = new java.util.ArrayList<>();
        for (int bits = 0; bits < 4096; bits++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                b.append((bits >> i & 1) == 0 ? "Aa" : "BB");
            }
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void subjectTable_spreadsSubjectsWhoseStringHashesCollide_underAKeyOfItsOwn() {
        List<String> subjects = collidingSubjects();
        assertEquals(1, subjects.stream().mapToInt(String::hashCode).distinct().count(), "they do collide");
        InMemoryLatchStore.SlotsBySubject table = new InMemoryLatchStore.SlotsBySubject(new SecureRandom());
        Set<Integer> hashes = new HashSet<>();
        for (String s : subjects) {
            hashes.add(table.hash(s));
        }
        assertTrue(hashes.size() >= 4090, "distinct table hashes: " + hashes.size());
        InMemoryLatchStore.SlotsBySubject other = new InMemoryLatchStore.SlotsBySubject(new SecureRandom());
        int same = 0;
        for (String s : subjects.subList(0, 64)) {
            same += table.hash(s) == other.hash(s) ? 1 : 0;
        }
        assertTrue(same < 4, "each table draws its own key: " + same + " of 64 hashes agree");
    }
}
