/**
 * HMAC-based latch codes on the JDK's crypto: {@link dev.latch.hmac.SignedTokens}, SAS-style
 * signed tokens with {@link dev.latch.hmac.HmacKeySet key rotation}, and
 * {@link dev.latch.hmac.Totp} / {@link dev.latch.hmac.Hotp} one-time passwords (RFC 6238, RFC 4226).
 *
 * <pre>{@code
 * SignedTokens tokens = SignedTokens.builder(HmacKeySet.of(HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, random))).build();
 * }</pre>
 */
package dev.latch.hmac;
