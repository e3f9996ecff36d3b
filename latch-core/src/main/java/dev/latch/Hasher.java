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

    private static final byte[] CODE_DOMAIN = "latch-code:v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_DOMAIN = "latch-key:v1\0".getBytes(StandardCharsets.US_ASCII);

    byte[] code(String latchId, String subject, String canonical) {
        return digest(CODE_DOMAIN, latchId, subject, canonical);
    }

    /**
     * HMAC over key-domain NUL prefix NUL keyId NUL secret, read in place from a parsed key's
     * ASCII bytes {@code prefix "_" keyId "_" secret checksum}: no strings are made of its
     * parts. Issue and authenticate both hash through here.
     */
    byte[] key(StaticKeys.Parsed parsed) {
        byte[] key = parsed.bytes;
        int idStart = parsed.idStart;
        int secretStart = parsed.secretStart;
        int secretLength = StaticKeys.SECRET_LENGTH;
        int prefixLength = idStart - 1;
        int idLength = secretStart - 1 - idStart;
        byte[] input = new byte[KEY_DOMAIN.length + prefixLength + 1 + idLength + 1 + secretLength];
        System.arraycopy(KEY_DOMAIN, 0, input, 0, KEY_DOMAIN.length);
        int o = KEY_DOMAIN.length;
        System.arraycopy(key, 0, input, o, prefixLength);
        o += prefixLength + 1;
        System.arraycopy(key, idStart, input, o, idLength);
        o += idLength + 1;
        System.arraycopy(key, secretStart, input, o, secretLength);
        return macs.get().doFinal(input);
    }

    /** HMAC over domain NUL a NUL b NUL c, built in one buffer and hashed in one call. */
    private byte[] digest(byte[] domain, String a, String b, String c) {
        byte[] ab = a.getBytes(StandardCharsets.UTF_8);
        byte[] bb = b.getBytes(StandardCharsets.UTF_8);
        int n = domain.length + ab.length + 1 + bb.length + 1 + c.length();
        byte[] input = new byte[n];
        System.arraycopy(domain, 0, input, 0, domain.length);
        int o = domain.length;
        System.arraycopy(ab, 0, input, o, ab.length);
        o += ab.length + 1;
        System.arraycopy(bb, 0, input, o, bb.length);
        o += bb.length + 1;
        for (int i = 0; i < c.length(); i++) {
            input[o + i] = (byte) c.charAt(i); // canonical codes and key secrets are ASCII
        }
        return macs.get().doFinal(input);
    }
}
