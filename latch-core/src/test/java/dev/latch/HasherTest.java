package dev.latch;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The keyed digests at rest, checked against an independent HMAC over the documented layout:
 * {@code tag NUL-separated parts}, UTF-8 for latch and subject, on the buffered ASCII path and
 * the UTF-8 path alike.
 */
class HasherTest {
    private static final byte[] PEPPER_BYTES = "hasher-test-pepper-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final Hasher hasher = new Hasher(Pepper.of(PEPPER_BYTES));

    private static byte[] hmac(String tag, String... parts) throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.write(tag.getBytes(StandardCharsets.US_ASCII));
        in.write(0);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                in.write(0);
            }
            in.write(parts[i].getBytes(StandardCharsets.UTF_8));
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(PEPPER_BYTES, "HmacSHA256"));
        return mac.doFinal(in.toByteArray());
    }

    @Test
    void codeDigests_followTheLayout_onBothPaths() throws Exception {
        assertArrayEquals(hmac("lc1", "deploy:prod", "alice", "123456"), hasher.code("deploy:prod", "alice", "123456"));
        // non-ASCII subject and latch: the UTF-8 path
        assertArrayEquals(hmac("lc1", "déploiement", "zoë@example.org", "ABCDEFGH"),
                hasher.code("déploiement", "zoë@example.org", "ABCDEFGH"));
        // too long for the per-thread buffer
        String longLatch = "l".repeat(256);
        String longSubject = "s".repeat(300);
        assertArrayEquals(hmac("lc1", longLatch, longSubject, "123456"), hasher.code(longLatch, longSubject, "123456"));
        // and the buffered path still right after those
        assertArrayEquals(hmac("lc1", "a", "b", "654321"), hasher.code("a", "b", "654321"));
    }

    @Test
    void keyDigests_followTheLayout() throws Exception {
        String id = "AbCdEfGhIjKl";
        String secret = "0123456789abcdefghijABCD";
        String key = StaticKeys.format("lk_live", id, secret);
        assertArrayEquals(hmac("lk1", "lk_live", id, secret), hasher.key(StaticKeys.parse(key)));
    }

    @Test
    void theBuffer_keepsNoSecretAfterHashing() throws Exception {
        String code = "98765432";
        hasher.code("latch", "subject", code);
        byte[] buffer = buffer();
        assertFalse(new String(buffer, StandardCharsets.ISO_8859_1).contains(code), "the code was zeroed");
        String secret = "ZyXwVuTsRqPoNmLkJiHgFeDc";
        hasher.key(StaticKeys.parse(StaticKeys.format("lk_live", "AbCdEfGhIjKl", secret)));
        assertFalse(new String(buffer(), StandardCharsets.ISO_8859_1).contains(secret), "the secret was zeroed");
    }

    private byte[] buffer() throws Exception {
        Field local = Hasher.class.getDeclaredField("local");
        local.setAccessible(true);
        Object perThread = ((ThreadLocal<?>) local.get(hasher)).get();
        Field buffer = perThread.getClass().getDeclaredField("buffer");
        buffer.setAccessible(true);
        return (byte[]) buffer.get(perThread);
    }
}
