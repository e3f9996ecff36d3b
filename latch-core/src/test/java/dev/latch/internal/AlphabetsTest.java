package dev.latch.internal;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlphabetsTest {
    static boolean plain(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Alphabets.isBase62((char) (b[i] & 0xff))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void allBase62_agreesWithTheCharacterTest_forEveryByteAtEveryPlace() {
        // Every one of the 256 byte values, at every position of ranges 0 to 40 long (the SWAR
        // path, its overlapping last word, and the short path).
        Random random = new Random(62);
        for (int length = 0; length <= 40; length++) {
            for (int place = 0; place < length; place++) {
                for (int v = 0; v < 256; v++) {
                    byte[] b = new byte[length + 6];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (byte) Alphabets.BASE62.charAt(random.nextInt(62));
                    }
                    b[3 + place] = (byte) v;
                    assertEquals(plain(b, 3, 3 + length), Alphabets.allBase62(b, 3, 3 + length),
                            "length " + length + ", byte " + v + " at " + place);
                }
            }
        }
    }

    @Test
    void allBase62_edges() {
        assertTrue(Alphabets.allBase62(new byte[0], 0, 0));
        byte[] all = Alphabets.BASE62.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(Alphabets.allBase62(all, 0, all.length));
        for (char c : new char[]{'/', ':', '@', '[', '`', '{', 0x7f, 0}) {
            byte[] b = all.clone();
            b[61] = (byte) c;
            assertFalse(Alphabets.allBase62(b, 0, b.length), "character " + (int) c);
            assertTrue(Alphabets.allBase62(b, 0, 61), "outside the range");
        }
    }
}
