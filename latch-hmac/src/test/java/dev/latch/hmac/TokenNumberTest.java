package dev.latch.hmac;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The token's time fields: canonical decimal only, eight digits at a time. */
class TokenNumberTest {
    /** The rule, written the plain way. */
    static long reference(byte[] b, int from, int to) {
        int n = to - from;
        if (n < 1 || n > 12 || (n > 1 && b[from] == '0')) {
            return -2;
        }
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -2;
            }
        }
        return Long.parseLong(new String(b, from, n, StandardCharsets.ISO_8859_1));
    }

    @Test
    void agreesWithThePlainRule_onDigitsAndEveryKindOfIntruder() {
        Random random = new Random(2026);
        byte[] intruders = {'/', ':', '0' - 1, '9' + 1, '~', ' ', 0, (byte) 0xb9, (byte) 0xff, (byte) 0x36, 'a', '-'};
        for (int round = 0; round < 200_000; round++) {
            int n = random.nextInt(15);
            byte[] b = new byte[n + 4];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) ('0' + random.nextInt(10));
            }
            if (random.nextInt(3) == 0 && n > 0) {
                b[2 + random.nextInt(n)] = intruders[random.nextInt(intruders.length)];
            }
            if (random.nextInt(5) == 0) {
                b[2] = '0';
            }
            assertEquals(reference(b, 2, 2 + n), TokenFormat.number(b, 2, 2 + n), new String(b, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void edges() {
        assertEquals(0, number("0"));
        assertEquals(-2, number("00"));
        assertEquals(-2, number(""));
        assertEquals(1795417737L, number("1795417737"));
        assertEquals(12345678L, number("12345678"));
        assertEquals(999999999999L, number("999999999999"));
        assertEquals(-2, number("1000000000000"), "13 digits");
        assertEquals(-2, number("1795417:37"), "':' is '9' + 1");
        assertEquals(-2, number("179541/737"), "'/' is '0' - 1");
        assertEquals(-2, number("12345678\u00b9"));
    }

    static long number(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return TokenFormat.number(b, 0, b.length);
    }
}
