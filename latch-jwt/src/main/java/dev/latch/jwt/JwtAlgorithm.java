package dev.latch.jwt;

/**
 * The JWS algorithms latch signs and verifies with. Each {@link JwtKey} has exactly one, and a
 * token is verified only with the algorithm of the key its {@code kid} names: the {@code alg}
 * header never chooses the algorithm.
 *
 * <p>EdDSA (Ed25519) runs on the JDK's own Ed25519 (Java 15+), not on Nimbus's, which needs Google
 * Tink.
 *
 * <pre>{@code
 * JwtKey key = JwtKey.generate("2026-03", JwtAlgorithm.ES256, "https://svc-a.internal", random);
 * }</pre>
 *
 * <p>Thread-safe: an enum.
 */
public enum JwtAlgorithm {
    /** HMAC-SHA256, keys of at least 256 bits. */
    HS256,
    /** HMAC-SHA384, keys of at least 256 bits. */
    HS384,
    /** HMAC-SHA512, keys of at least 256 bits. */
    HS512,
    /** RSASSA-PKCS1-v1_5 with SHA-256, keys of at least 2048 bits. */
    RS256,
    /** RSASSA-PSS with SHA-256, keys of at least 2048 bits. */
    PS256,
    /** ECDSA on P-256 with SHA-256, signatures in the JOSE (r||s) form. */
    ES256,
    /** EdDSA on Ed25519 (RFC 8037), on the JDK's own Ed25519; keys are OKP JWKs. */
    EdDSA;

    boolean hmac() {
        return this == HS256 || this == HS384 || this == HS512;
    }

    boolean rsa() {
        return this == RS256 || this == PS256;
    }
}
