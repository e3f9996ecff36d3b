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
 * Pepper pepper = Pepper.fromBase64(System.getenv("LATCH_PEPPER"));   // 32+ random bytes, id "default"
 * Pepper named = Pepper.from(SecretSource.directory(Path.of("/run/secrets")), "pepper-2026-12");
 * }</pre>
 *
 * <p>Every pepper has an id ({@link #DEFAULT_ID} unless named), which static keys' stored
 * hashes record, so peppers can rotate: see {@code Latches.Builder.peppers}.
 *
 * <p>{@code toString} prints the id and {@code ***}. Thread-safe: immutable.
 */
public final class Pepper {
    /** The shortest pepper accepted, in bytes. */
    public static final int MIN_BYTES = 32;

    /** The id of a pepper given without one. */
    public static final String DEFAULT_ID = "default";

    private final String id;
    private final byte[] key;

    private Pepper(String id, byte[] key) {
        this.id = id;
        this.key = key;
    }

    /** @return the pepper's id, recorded with the hashes made with it (not secret) */
    public String id() {
        return id;
    }

    /**
     * @param id  the pepper's id, 1 to 64 characters of {@code A-Z a-z 0-9 . _ -}
     * @param key at least 32 random bytes; copied
     * @return the pepper
     * @throws IllegalArgumentException when an argument breaks its rule
     */
    public static Pepper of(String id, byte[] key) {
        dev.latch.spi.SecretSource.checkId(id);
        return new Pepper(id, of(key).key);
    }

    /**
     * Reads a pepper from a secret source; the source's bytes are wiped once copied.
     *
     * @param source where it is
     * @param id     its id
     * @return the pepper
     * @throws IllegalStateException    when the source has no secret of that id, or cannot be read
     * @throws IllegalArgumentException when the secret is not a pepper (under 32 bytes, or one byte repeated)
     */
    public static Pepper from(dev.latch.spi.SecretSource source, String id) {
        Names.required(source, "source");
        dev.latch.spi.SecretSource.checkId(id);
        byte[] bytes = source.secret(id).orElseThrow(() -> new IllegalStateException(
                "the secret source " + source + " has no secret of id " + id + ": refusing to run without it"));
        try {
            return of(id, bytes);
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
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
        return new Pepper(DEFAULT_ID, key.clone());
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
        return new Pepper(DEFAULT_ID, key);
    }

    byte[] bytes() {
        return key;
    }

    @Override
    public String toString() {
        return "Pepper[" + id + ", ***]";
    }
}
