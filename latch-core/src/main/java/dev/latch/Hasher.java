package dev.latch;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Keyed hashing of codes at rest: HMAC-SHA256 with the pepper over a domain tag, the latch, the
 * subject and the canonical code, each separated by NUL (which none of them may contain). One
 * {@link Mac} per thread, cloned from a prototype made (and checked) at construction.
 */
final class Hasher {
    private static final String ALGORITHM = "HmacSHA256";
    private final ThreadLocal<Mac> macs;

    Hasher(Pepper pepper) {
        Mac prototype;
        try {
            prototype = Mac.getInstance(ALGORITHM);
            prototype.init(new SecretKeySpec(pepper.bytes(), ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the HmacSHA256 provider cannot clone", e);
            }
        });
    }

    byte[] code(String latchId, String subject, CharSequence canonical) {
        return digest("latch-code:v1", latchId, subject, canonical);
    }

    byte[] key(String prefix, String keyId, CharSequence secret) {
        return digest("latch-key:v1", prefix, keyId, secret);
    }

    private byte[] digest(String domain, String a, String b, CharSequence c) {
        Mac mac = macs.get();
        mac.update(domain.getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) 0);
        mac.update(a.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(b.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] tail = new byte[c.length()];
        for (int i = 0; i < tail.length; i++) {
            tail[i] = (byte) c.charAt(i); // canonical codes are ASCII
        }
        return mac.doFinal(tail);
    }
}
