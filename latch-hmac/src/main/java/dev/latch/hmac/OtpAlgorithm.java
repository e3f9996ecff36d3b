package dev.latch.hmac;

/**
 * The HMAC of HOTP (RFC 4226) and TOTP (RFC 6238) codes. SHA-1 is the default because nearly
 * every authenticator app supports only it; its weakness as a hash does not affect HMAC here.
 *
 * <pre>{@code
 * Totp totp = Totp.builder().algorithm(OtpAlgorithm.SHA256).build();
 * }</pre>
 *
 * <p>Thread-safe: an enum.
 */
public enum OtpAlgorithm {
    /** HMAC-SHA1. */
    SHA1("HmacSHA1"),
    /** HMAC-SHA256. */
    SHA256("HmacSHA256"),
    /** HMAC-SHA512. */
    SHA512("HmacSHA512");

    private final String jcaName;

    OtpAlgorithm(String jcaName) {
        this.jcaName = jcaName;
    }

    /** @return the JCA name */
    public String jcaName() {
        return jcaName;
    }
}
