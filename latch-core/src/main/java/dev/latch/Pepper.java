package dev.latch;

import dev.latch.spi.Names;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret key latch uses to hash codes at rest (HMAC-SHA256). Without it, a copy of the
 * store is useless for guessing codes offline. Keep it outside the store: in a secret manager
 * or an environment variable, the same on every instance that shares a store.
 *
 * <pre>{@code
 * Pepper pepper = Pepper.fromBase64(System.getenv("LATCH_PEPPER"));   // 32+ random bytes
 * }</pre>
 *
 * <p>{@code toString} prints {@code Pepper[***]}. Thread-safe: immutable.
 */
public final class Pepper {
    /** The shortest pepper accepted, in bytes. */
    public static final int MIN_BYTES = 32;

    private final byte[] key;

    private Pepper(byte[] key) {
        this.key = key;
    }

    /**
     * @param key at least 32 bytes; copied
     * @return the pepper
     */
    public static Pepper of(byte[] key) {
        Names.required(key, "key");
        if (key.length < MIN_BYTES) {
            throw new IllegalArgumentException("a pepper needs at least " + MIN_BYTES + " bytes, got " + key.length);
        }
        boolean constant = true;
        for (byte b : key) {
            constant &= b == key[0];
        }
        if (constant) {
            throw new IllegalArgumentException("a pepper must be random bytes, not one byte repeated");
        }
        return new Pepper(key.clone());
    }

    /**
     * @param base64 standard or URL-safe base64 of at least 32 bytes
     * @return the pepper
     */
    public static Pepper fromBase64(String base64) {
        if (base64 == null || base64.isBlank()) {
            throw new IllegalArgumentException("pepper is missing: give 32 or more random bytes in base64");
        }
        byte[] bytes;
        try {
            String t = base64.trim();
            bytes = t.indexOf('-') >= 0 || t.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(t) : Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pepper is not valid base64");
        }
        return of(bytes);
    }

    /**
     * @param random the source
     * @return a fresh 32-byte pepper (for development and tests; codes hashed with it cannot be
     *         checked by another process)
     */
    public static Pepper generate(SecureRandom random) {
        byte[] key = new byte[MIN_BYTES];
        random.nextBytes(key);
        return new Pepper(key);
    }

    byte[] bytes() {
        return key;
    }

    @Override
    public String toString() {
        return "Pepper[***]";
    }
}
