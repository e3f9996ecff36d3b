package dev.latch.hmac;

import dev.latch.spi.Names;
import dev.latch.spi.KeyedHmac;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * One HMAC key of a key set: an id, an algorithm, a status and the secret. Keys shorter than
 * 32 bytes are refused. {@code toString} shows id, algorithm and status only.
 *
 * <pre>{@code
 * HmacKey key = HmacKey.generate("2026-03", HmacAlgorithm.HMAC_SHA256, new SecureRandom());
 * HmacKey imported = HmacKey.of("2025-12", HmacAlgorithm.HMAC_SHA256, bytesFromVault);
 * }</pre>
 *
 * <p>Thread-safe: immutable. The secret is held as a {@link KeyedHmac} (its pad blocks hashed
 * once), shared by all threads.
 */
public final class HmacKey {
    /** The shortest key accepted, in bytes. */
    public static final int MIN_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String id;
    private final HmacAlgorithm algorithm;
    private final KeyStatus status;
    private final KeyedHmac hmac;

    private HmacKey(String id, HmacAlgorithm algorithm, KeyStatus status, KeyedHmac hmac) {
        this.id = id;
        this.algorithm = algorithm;
        this.status = status;
        this.hmac = hmac;
    }

    /**
     * @param id        1 to 64 characters of {@code A-Z a-z 0-9 . _ -}
     * @param algorithm the algorithm
     * @param secret    at least 32 bytes; copied
     * @return an enabled key
     */
    public static HmacKey of(String id, HmacAlgorithm algorithm, byte[] secret) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("key id must match " + ID.pattern());
        }
        Names.required(algorithm, "algorithm");
        Names.required(secret, "secret");
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("HMAC keys need at least " + MIN_BYTES + " bytes, got " + secret.length);
        }
        return new HmacKey(id, algorithm, KeyStatus.ENABLED, KeyedHmac.of(algorithm.jcaName(), secret));
    }

    /**
     * Reads a key from a secret source by its id (the source's bytes are wiped once the key has
     * its own copy).
     *
     * <pre>{@code
     * SecretSource secrets = SecretSource.directory(Path.of("/run/secrets/latch"));
     * HmacKeySet keys = HmacKeySet.of(HmacKey.from(secrets, "links-2026-12", HmacAlgorithm.HS256),
     *         HmacKey.from(secrets, "links-2026-06", HmacAlgorithm.HS256));
     * }</pre>
     *
     * @param source    where the key is
     * @param id        its id, which is also the key id tokens carry
     * @param algorithm the algorithm
     * @return an enabled key
     * @throws IllegalStateException    when the source has no secret of that id, or cannot be read
     * @throws IllegalArgumentException when the secret is shorter than 32 bytes or the id malformed
     */
    public static HmacKey from(dev.latch.spi.SecretSource source, String id, HmacAlgorithm algorithm) {
        Names.required(source, "source");
        dev.latch.spi.SecretSource.checkId(id);
        byte[] secret = source.secret(id).orElseThrow(() -> new IllegalStateException(
                "the secret source " + source + " has no secret of id " + id + ": refusing to run without it"));
        try {
            return of(id, algorithm, secret);
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
    }

    /** Any key length, for the Wycheproof vectors only (their keys go below the 32-byte floor). */
    static HmacKey unchecked(String id, HmacAlgorithm algorithm, byte[] secret) {
        return new HmacKey(id, algorithm, KeyStatus.ENABLED, KeyedHmac.of(algorithm.jcaName(), secret));
    }

    /**
     * @param id        the key id
     * @param algorithm the algorithm
     * @param random    the source
     * @return a new enabled key with as many random bytes as the algorithm's tag (at least 32)
     */
    public static HmacKey generate(String id, HmacAlgorithm algorithm, SecureRandom random) {
        byte[] secret = new byte[Math.max(MIN_BYTES, algorithm.tagLength())];
        random.nextBytes(secret);
        return of(id, algorithm, secret);
    }

    /** @return the id */
    public String id() {
        return id;
    }

    /** @return the algorithm */
    public HmacAlgorithm algorithm() {
        return algorithm;
    }

    /** @return the status */
    public KeyStatus status() {
        return status;
    }

    /**
     * @param newStatus a status; DESTROYED drops the key material for good
     * @return a copy with that status
     */
    public HmacKey withStatus(KeyStatus newStatus) {
        Names.required(newStatus, "status");
        if (status == KeyStatus.DESTROYED && newStatus != KeyStatus.DESTROYED) {
            throw new IllegalStateException("key " + id + " was destroyed");
        }
        return new HmacKey(id, algorithm, newStatus, newStatus == KeyStatus.DESTROYED ? null : hmac);
    }

    byte[] mac(byte[] data) {
        if (hmac == null) {
            throw new IllegalStateException("key " + id + " was destroyed");
        }
        return hmac.mac(data, 0, data.length);
    }

    /** Full-length tags only, compared in constant time. */
    boolean verify(byte[] data, byte[] tag) {
        if (hmac == null || tag.length != algorithm.tagLength()) {
            return false;
        }
        return MessageDigest.isEqual(hmac.mac(data, 0, data.length), tag);
    }

    /**
     * The token check: the MAC of {@code data[0, length)} against the base64url tag in
     * {@code data[tagFrom, tagTo)}, decoded while compared, in constant time.
     */
    boolean verifyEncoded(byte[] data, int length, int tagFrom, int tagTo) {
        if (hmac == null) {
            return false;
        }
        return TokenFormat.tagMatches(hmac.mac(data, 0, length), data, tagFrom, tagTo);
    }

    @Override
    public String toString() {
        return "HmacKey[" + id + ", " + algorithm + ", " + status + "]";
    }
}
