package dev.latch.jwt;

import dev.latch.spi.Names;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.regex.Pattern;

/**
 * One JWT key: a key id, exactly one {@link JwtAlgorithm}, the issuer it is bound to, a status,
 * and the key material (an HMAC secret, an RSA or P-256 key pair, or only a public key for
 * verification). HMAC secrets must have at least 256 bits and RSA keys at least 2048 bits.
 * {@code toString} shows id, algorithm, issuer and status only.
 *
 * <pre>{@code
 * JwtKey signing = JwtKey.generate("a-2026-03", JwtAlgorithm.ES256, "https://svc-a.internal", new SecureRandom());
 * JwtKey shared = JwtKey.hmac("s1", JwtAlgorithm.HS256, "https://svc-a.internal", secretFromVault);
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class JwtKey {
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /**
     * The status of a key. For example {@code if (key.status() == JwtKey.Status.DISABLED) ...}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Status {
        /** Verifies; the primary also signs. */
        ENABLED,
        /** Refused. */
        DISABLED
    }

    private final String id;
    private final JwtAlgorithm algorithm;
    private final String issuer;
    private final Status status;
    private final JWSSigner signer;
    private final JWSVerifier verifier;
    private final JWK publicJwk;
    /** For HMAC keys, the check verification uses: one Mac per thread, no Nimbus objects. */
    private final HmacCheck hmac;

    private JwtKey(String id, JwtAlgorithm algorithm, String issuer, Status status, JWSSigner signer,
                   JWSVerifier verifier, JWK publicJwk) {
        this(id, algorithm, issuer, status, signer, verifier, publicJwk, null);
    }

    private JwtKey(String id, JwtAlgorithm algorithm, String issuer, Status status, JWSSigner signer,
                   JWSVerifier verifier, JWK publicJwk, HmacCheck hmac) {
        this.id = id;
        this.algorithm = algorithm;
        this.issuer = issuer;
        this.status = status;
        this.signer = signer;
        this.verifier = verifier;
        this.publicJwk = publicJwk;
        this.hmac = hmac;
    }

    /** An HMAC key's signature check: its own Mac per thread, compared in constant time. */
    private static final class HmacCheck {
        private final ThreadLocal<javax.crypto.Mac> macs;

        HmacCheck(JwtAlgorithm algorithm, byte[] secret) {
            String name = "Hmac" + "SHA" + algorithm.name().substring(2);
            javax.crypto.spec.SecretKeySpec key = new javax.crypto.spec.SecretKeySpec(secret, name);
            this.macs = ThreadLocal.withInitial(() -> {
                try {
                    javax.crypto.Mac mac = javax.crypto.Mac.getInstance(name);
                    mac.init(key);
                    return mac;
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException("the JDK has no " + name, e);
                }
            });
            macs.get();
        }

        boolean verify(byte[] signingInput, byte[] signature) {
            byte[] expected = macs.get().doFinal(signingInput);
            return java.security.MessageDigest.isEqual(expected, signature);
        }
    }

    private static void check(String id, JwtAlgorithm algorithm, String issuer) {
        if (id == null || !KID.matcher(id).matches()) {
            throw new IllegalArgumentException("key id must match " + KID.pattern());
        }
        Names.required(algorithm, "algorithm");
        if (issuer == null || issuer.isBlank() || issuer.length() > 256) {
            throw new IllegalArgumentException("a key is bound to an issuer of 1 to 256 characters");
        }
    }

    /**
     * @param id        the key id
     * @param algorithm HS256, HS384 or HS512
     * @param issuer    the issuer this key signs for
     * @param secret    at least 32 bytes; copied
     * @return a key that signs and verifies
     */
    public static JwtKey hmac(String id, JwtAlgorithm algorithm, String issuer, byte[] secret) {
        check(id, algorithm, issuer);
        if (!algorithm.hmac()) {
            throw new IllegalArgumentException(algorithm + " is not an HMAC algorithm");
        }
        if (secret == null || secret.length < 32) {
            throw new IllegalArgumentException("HMAC keys need at least 256 bits");
        }
        try {
            byte[] copy = secret.clone();
            return new JwtKey(id, algorithm, issuer, Status.ENABLED, new MACSigner(copy), new MACVerifier(copy), null,
                    new HmacCheck(algorithm, copy));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("HMAC key refused: " + e.getMessage());
        }
    }

    /**
     * Reads an HMAC key from a secret source by its id, which is also the {@code kid} tokens carry
     * (the source's bytes are wiped once the key has its own copy).
     *
     * <pre>{@code
     * JwtKey key = JwtKey.hmac(SecretSource.environment("LATCH_JWT_"), "svc-2026-12", JwtAlgorithm.HS256, "orders");
     * }</pre>
     *
     * @param source    where the key is
     * @param id        its id
     * @param algorithm HS256, HS384 or HS512
     * @param issuer    the issuer this key signs for
     * @return a key that signs and verifies
     * @throws IllegalStateException    when the source has no secret of that id, or cannot be read
     * @throws IllegalArgumentException when the secret is shorter than 32 bytes, or an argument breaks its rule
     */
    public static JwtKey hmac(dev.latch.spi.SecretSource source, String id, JwtAlgorithm algorithm, String issuer) {
        if (source == null) {
            throw new IllegalArgumentException("source is required, got null");
        }
        dev.latch.spi.SecretSource.checkId(id);
        byte[] secret = source.secret(id).orElseThrow(() -> new IllegalStateException(
                "the secret source " + source + " has no secret of id " + id + ": refusing to run without it"));
        try {
            return hmac(id, algorithm, issuer, secret);
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * @param id        the key id
     * @param algorithm the algorithm
     * @param issuer    the issuer
     * @param random    the source
     * @return a new key: 64 random bytes for HMAC, RSA 3072 bits, a P-256 or an Ed25519 pair
     */
    public static JwtKey generate(String id, JwtAlgorithm algorithm, String issuer, SecureRandom random) {
        check(id, algorithm, issuer);
        if (algorithm.hmac()) {
            byte[] secret = new byte[64];
            random.nextBytes(secret);
            return hmac(id, algorithm, issuer, secret);
        }
        try {
            KeyPairGenerator g;
            if (algorithm.rsa()) {
                g = KeyPairGenerator.getInstance("RSA");
                g.initialize(3072, random);
            } else if (algorithm == JwtAlgorithm.EdDSA) {
                g = KeyPairGenerator.getInstance("Ed25519");
                g.initialize(255, random);
            } else {
                g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"), random);
            }
            return keyPair(id, algorithm, issuer, g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " key generation failed", e);
        }
    }

    /**
     * @param id        the key id
     * @param algorithm RS256, PS256, ES256 or EdDSA
     * @param issuer    the issuer
     * @param pair      the key pair
     * @return a key that signs and verifies
     */
    public static JwtKey keyPair(String id, JwtAlgorithm algorithm, String issuer, KeyPair pair) {
        check(id, algorithm, issuer);
        JwtKey verifying = publicKey(id, algorithm, issuer, pair.getPublic());
        PrivateKey p = pair.getPrivate();
        try {
            JWSSigner signer = algorithm.rsa() ? new RSASSASigner((RSAPrivateKey) p)
                    : algorithm == JwtAlgorithm.EdDSA ? new Ed25519Jca.Signer(p) : new ECDSASigner((ECPrivateKey) p);
            return new JwtKey(id, algorithm, issuer, Status.ENABLED, signer, verifying.verifier, verifying.publicJwk);
        } catch (ClassCastException | JOSEException e) {
            throw new IllegalArgumentException("private key does not fit " + algorithm);
        }
    }

    /**
     * @param id        the key id
     * @param algorithm RS256, PS256, ES256 or EdDSA
     * @param issuer    the issuer
     * @param key       an RSA (2048 bits or more), P-256 or Ed25519 public key
     * @return a key that only verifies
     */
    public static JwtKey publicKey(String id, JwtAlgorithm algorithm, String issuer, PublicKey key) {
        check(id, algorithm, issuer);
        try {
            if (algorithm.rsa()) {
                RSAPublicKey rsa = (RSAPublicKey) key;
                if (rsa.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("RSA keys need at least 2048 bits, got " + rsa.getModulus().bitLength());
                }
                JWK jwk = new RSAKey.Builder(rsa).keyID(id).keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.parse(algorithm.name())).build();
                return new JwtKey(id, algorithm, issuer, Status.ENABLED, null, new RSASSAVerifier(rsa), jwk);
            }
            if (algorithm == JwtAlgorithm.ES256) {
                ECPublicKey ec = (ECPublicKey) key;
                if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                    throw new IllegalArgumentException("ES256 needs a P-256 key");
                }
                JWK jwk = new ECKey.Builder(Curve.P_256, ec).keyID(id).keyUse(KeyUse.SIGNATURE)
                        .algorithm(JWSAlgorithm.ES256).build();
                return new JwtKey(id, algorithm, issuer, Status.ENABLED, null, new ECDSAVerifier(ec), jwk);
            }
            if (algorithm == JwtAlgorithm.EdDSA) {
                JWK jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Ed25519Jca.raw(key))).keyID(id)
                        .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.EdDSA).build();
                return new JwtKey(id, algorithm, issuer, Status.ENABLED, null, new Ed25519Jca.Verifier(key), jwk);
            }
        } catch (ClassCastException | JOSEException e) {
            throw new IllegalArgumentException("public key does not fit " + algorithm);
        }
        throw new IllegalArgumentException(algorithm + " keys are secrets: use JwtKey.hmac");
    }

    /** Builds a verifying key from a public JWK of a key set, or returns null when unusable. */
    static JwtKey fromJwk(JWK jwk, String issuer) {
        if (jwk.getKeyID() == null || jwk.getAlgorithm() == null || jwk.isPrivate()
                || (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse()))) {
            return null;
        }
        JwtAlgorithm algorithm;
        try {
            algorithm = JwtAlgorithm.valueOf(jwk.getAlgorithm().getName());
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            if (jwk instanceof RSAKey rsa && algorithm.rsa()) {
                return publicKey(jwk.getKeyID(), algorithm, issuer, rsa.toRSAPublicKey());
            }
            if (jwk instanceof ECKey ec && algorithm == JwtAlgorithm.ES256) {
                return publicKey(jwk.getKeyID(), algorithm, issuer, ec.toECPublicKey());
            }
            if (jwk instanceof OctetKeyPair okp && algorithm == JwtAlgorithm.EdDSA && Curve.Ed25519.equals(okp.getCurve())) {
                return publicKey(jwk.getKeyID(), algorithm, issuer, Ed25519Jca.publicKey(okp.getX().decode()));
            }
        } catch (JOSEException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    /** @return the key id */
    public String id() {
        return id;
    }

    /** @return the one algorithm of this key */
    public JwtAlgorithm algorithm() {
        return algorithm;
    }

    /** @return the issuer this key is bound to */
    public String issuer() {
        return issuer;
    }

    /** @return the status */
    public Status status() {
        return status;
    }

    /** @return whether this key can sign */
    public boolean canSign() {
        return signer != null;
    }

    /**
     * @param newStatus a status
     * @return a copy with that status
     */
    public JwtKey withStatus(Status newStatus) {
        return new JwtKey(id, algorithm, issuer, Names.required(newStatus, "status"), signer, verifier, publicJwk, hmac);
    }

    /** @return whether this key's check needs no JWS header: HMAC keys, see {@link #verifyHmac} */
    boolean hmac() {
        return hmac != null;
    }

    /**
     * @param signingInput the token's header and payload segments with the dot, as ASCII
     * @param signature    the decoded signature
     * @return whether the signature is this HMAC key's (constant-time comparison)
     */
    boolean verifyHmac(byte[] signingInput, byte[] signature) {
        return hmac.verify(signingInput, signature);
    }

    JWSSigner signer() {
        return signer;
    }

    JWK publicJwk() {
        return publicJwk;
    }

    /** The signature check that verification uses; also what the Wycheproof vectors exercise. */
    boolean verifySignature(JWSHeader header, byte[] signingInput, Base64URL signature) {
        if (hmac != null) {
            return hmac.verify(signingInput, signature.decode());
        }
        try {
            return verifier.verify(header, signingInput, signature);
        } catch (JOSEException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "JwtKey[" + id + ", " + algorithm + ", issuer=" + issuer + ", " + status
                + (signer == null ? ", verify-only" : "") + "]";
    }
}
