/**
 * latch-hmac: HMAC-signed latch tokens and HOTP/TOTP, on the JDK's crypto. Exports only
 * {@code dev.latch.hmac}.
 */
module dev.latch.hmac {
    requires transitive dev.latch.core;

    exports dev.latch.hmac;
}
