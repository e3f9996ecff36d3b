/**
 * latch-jwt: short-lived JWTs on Nimbus JOSE+JWT. Exports only {@code dev.latch.jwt}; no Nimbus
 * type appears in its public signatures.
 */
module dev.latch.jwt {
    requires transitive dev.latch.core;
    requires com.nimbusds.jose.jwt;
    requires transitive java.net.http;

    exports dev.latch.jwt;
}
