package dev.latch.hmac;

import dev.latch.spi.Names;
import java.security.SecureRandom;

/**
 * The shared secret of an HOTP or TOTP authenticator. latch never stores it: keep it encrypted
 * with the user's record and hand it to {@link Totp#verify} or {@link Hotp#verify}. latch stores
 * only the replay counter and the failure count. {@code toString} prints {@code OtpSecret[***]}.
 *
 * <pre>{@code
 * OtpSecret secret = OtpSecret.generate(new SecureRandom());        // 160 bits
 * String forDatabase = encrypt(secret.base32());
 * OtpSecret loaded = OtpSecret.fromBase32(decrypt(row.secret()));
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class OtpSecret {
    /** Bytes of a generated secret: 160 bits, as RFC 4226 recommends. */
    public static final int GENERATED_BYTES = 20;
    /** The shortest secret accepted: 128 bits, RFC 4226's minimum. */
    public static final int MIN_BYTES = 16;

    private final byte[] bytes;

    private OtpSecret(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * @param random the source
     * @return a new 160-bit secret
     */
    public static OtpSecret generate(SecureRandom random) {
        return generate(random, GENERATED_BYTES);
    }

    /**
     * @param random the source
     * @param bytes  20 to 64
     * @return a new secret
     */
    public static OtpSecret generate(SecureRandom random, int bytes) {
        if (bytes < GENERATED_BYTES || bytes > 64) {
            throw new IllegalArgumentException("generated OTP secrets have 20 to 64 bytes, got " + bytes);
        }
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return new OtpSecret(b);
    }

    /**
     * @param bytes 16 to 128 bytes; copied
     * @return the secret
     */
    public static OtpSecret of(byte[] bytes) {
        Names.required(bytes, "bytes");
        if (bytes.length < MIN_BYTES || bytes.length > 128) {
            throw new IllegalArgumentException("OTP secrets have 16 to 128 bytes, got " + bytes.length);
        }
        return new OtpSecret(bytes.clone());
    }

    /**
     * @param base32 RFC 4648 base32, as in otpauth URIs; case, spaces and padding do not matter
     * @return the secret
     */
    public static OtpSecret fromBase32(String base32) {
        Names.required(base32, "base32");
        return of(Base32.decode(base32));
    }

    /** @return the secret in base32, for storage (encrypted) and for the otpauth URI */
    public String base32() {
        return Base32.encode(bytes);
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "OtpSecret[***]";
    }
}
