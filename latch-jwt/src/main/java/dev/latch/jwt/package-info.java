/**
 * Short-lived JWTs on Nimbus JOSE+JWT: {@link dev.latch.jwt.SignedJwts} (a
 * {@link dev.latch.spi.CodeSigner}), {@link dev.latch.jwt.JwtKeySet} with rotation and JWK set
 * import and export, and {@link dev.latch.jwt.RemoteJwks} for another service's keys.
 *
 * <pre>{@code
 * SignedJwts jwts = SignedJwts.builder(JwtKeySet.of(JwtKey.generate("a1", JwtAlgorithm.ES256, "https://svc-a", random)))
 *         .audiences("https://svc-b").build();
 * }</pre>
 */
package dev.latch.jwt;
