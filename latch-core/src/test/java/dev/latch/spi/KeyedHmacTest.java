package dev.latch.spi;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyedHmacTest {
    static final String[] ALGORITHMS = {"HmacSHA1", "HmacSHA256", "HmacSHA384", "HmacSHA512"};

    static byte[] jdk(String algorithm, byte[] key, byte[] data, int offset, int length) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        mac.update(data, offset, length);
        return mac.doFinal();
    }

    @Test
    void rfc4231_knownAnswers() {
        HexFormat hex = HexFormat.of();
        byte[] key1 = new byte[20];
        Arrays.fill(key1, (byte) 0x0b);
        byte[] hi = "Hi There".getBytes(StandardCharsets.US_ASCII);
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                hex.formatHex(KeyedHmac.of("HmacSHA256", key1).mac(hi, 0, hi.length)));
        byte[] key6 = new byte[131]; // longer than a block: hashed first
        Arrays.fill(key6, (byte) 0xaa);
        byte[] data6 = "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII);
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                hex.formatHex(KeyedHmac.of("HmacSHA256", key6).mac(data6, 0, data6.length)));
        assertEquals("80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                        + "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
                hex.formatHex(KeyedHmac.of("HmacSHA512", key6).mac(data6, 0, data6.length)));
    }

    @Test
    void equalsTheJdkMac_forKeyLengthsAroundTheBlock_andInputsAcrossBlocks() throws Exception {
        Random random = new Random(42);
        for (String algorithm : ALGORITHMS) {
            for (int keyLength : new int[]{1, 20, 32, 63, 64, 65, 127, 128, 129, 300}) {
                byte[] key = new byte[keyLength];
                random.nextBytes(key);
                KeyedHmac hmac = KeyedHmac.of(algorithm, key);
                assertEquals(Mac.getInstance(algorithm).getMacLength(), hmac.length());
                for (int n = 0; n <= 300; n += 1 + n / 16) {
                    byte[] data = new byte[n + 7];
                    random.nextBytes(data);
                    assertArrayEquals(jdk(algorithm, key, data, 3, n), hmac.mac(data, 3, n),
                            algorithm + " key " + keyLength + " input " + n);
                }
            }
        }
    }

    @Test
    void theFallbackForDigestsThatCannotClone_givesTheSameHmacs() throws Exception {
        Random random = new Random(3);
        for (String algorithm : ALGORITHMS) {
            byte[] key = new byte[200];
            random.nextBytes(key);
            KeyedHmac fallback = KeyedHmac.of(algorithm, key, false);
            byte[] data = new byte[150];
            random.nextBytes(data);
            assertArrayEquals(jdk(algorithm, key, data, 5, 140), fallback.mac(data, 5, 140), algorithm);
            assertArrayEquals(KeyedHmac.of(algorithm, key).mac(data, 5, 140), fallback.mac(data, 5, 140), algorithm);
        }
    }

    @Test
    void theKeyIsCopied_andResultsDoNotDependOnEarlierCalls() throws Exception {
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] original = key.clone();
        KeyedHmac hmac = KeyedHmac.of("HmacSHA256", key);
        Arrays.fill(key, (byte) 0);
        byte[] a = "a".getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[1000];
        byte[] first = hmac.mac(a, 0, 1);
        hmac.mac(b, 0, b.length);
        assertArrayEquals(first, hmac.mac(a, 0, 1));
        assertArrayEquals(jdk("HmacSHA256", original, a, 0, 1), first);
    }

    @Test
    void manyThreadsAtOnce_eachGetTheirOwnRightAnswer() throws Exception {
        byte[] key = new byte[32];
        new Random(7).nextBytes(key);
        KeyedHmac hmac = KeyedHmac.of("HmacSHA256", key);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(key, "HmacSHA256"));
                    for (int i = 0; i < 5_000; i++) {
                        byte[] data = new byte[r.nextInt(200)];
                        r.nextBytes(data);
                        if (!Arrays.equals(mac.doFinal(data), hmac.mac(data, 0, data.length))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badArguments_areRefused_andToStringNamesNoKey() {
        assertThrows(IllegalArgumentException.class, () -> KeyedHmac.of("HmacSHA256", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> KeyedHmac.of("HmacMD5", new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> KeyedHmac.of("HmacSHA256", null));
        KeyedHmac hmac = KeyedHmac.of("HmacSHA256", "super-secret-key-material-1234567".getBytes(StandardCharsets.US_ASCII));
        assertThrows(IndexOutOfBoundsException.class, () -> hmac.mac(new byte[4], 2, 3));
        assertEquals("KeyedHmac[HmacSHA256]", hmac.toString());
        assertFalse(hmac.toString().contains("secret"));
        assertEquals("HmacSHA256", hmac.algorithm());
    }
}
