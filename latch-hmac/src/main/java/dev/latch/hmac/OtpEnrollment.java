package dev.latch.hmac;

import java.net.URI;

/**
 * A new TOTP enrollment: the secret to store (encrypted) and the {@code otpauth://} URI to show
 * once as a QR code. {@code toString} reveals neither.
 *
 * <pre>{@code
 * OtpEnrollment e = totp.enroll("Example Corp", "alice@example.com", random);
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class OtpEnrollment {
    private final OtpSecret secret;
    private final URI uri;

    OtpEnrollment(OtpSecret secret, URI uri) {
        this.secret = secret;
        this.uri = uri;
    }

    /** @return the secret */
    public OtpSecret secret() {
        return secret;
    }

    /** @return the URI for the authenticator app (it holds the secret: show it once) */
    public URI uri() {
        return uri;
    }

    @Override
    public String toString() {
        return "OtpEnrollment[secret=***, uri=otpauth://totp/***]";
    }
}
