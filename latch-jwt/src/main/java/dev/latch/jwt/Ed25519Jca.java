package dev.latch.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Set;

/**
 * EdDSA (Ed25519, RFC 8037) signing and verification on the JDK's own Ed25519 (Java 15+), for
 * Nimbus: its built-in Ed25519 signer needs Google Tink, which latch does not pull in for one
 * algorithm. Verification accepts only the {@code EdDSA} algorithm and 64-byte signatures; a new
 * {@link Signature} per call (they are not thread-safe, and cheap to get). Thread-safe.
 */
final class Ed25519Jca {
    /** The X.509 SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): 12 bytes, then the 32 raw bytes. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.EdDSA);

    private Ed25519Jca() {
    }

    /** @return the raw 32-byte public key of a JDK Ed25519 key */
    static byte[] raw(PublicKey key) {
        byte[] enc = key.getEncoded();
        if (enc == null || enc.length != 44 || !Arrays.equals(Arrays.copyOf(enc, 12), X509_PREFIX)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(enc, 12, 44);
    }

    /** @return the JDK key of a raw 32-byte Ed25519 public key */
    static PublicKey publicKey(byte[] raw) {
        if (raw == null || raw.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
        }
        byte[] enc = Arrays.copyOf(X509_PREFIX, 44);
        System.arraycopy(raw, 0, enc, 12, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(enc));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
    }

    /** What Nimbus asks of every signer and verifier: the one algorithm, and a JCA context. */
    private abstract static class Provider implements com.nimbusds.jose.JWSProvider {
        private final JCAContext jca = new JCAContext();

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return ALGORITHMS;
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }

    static final class Signer extends Provider implements JWSSigner {
        private final PrivateKey key;

        Signer(PrivateKey key) {
            if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm())) {
                throw new IllegalArgumentException("not an Ed25519 private key");
            }
            this.key = key;
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                throw new JOSEException("this key signs EdDSA only");
            }
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(key);
                s.update(signingInput);
                return Base64URL.encode(s.sign());
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 signing failed: " + e.getClass().getSimpleName());
            }
        }
    }

    static final class Verifier extends Provider implements JWSVerifier {
        private final PublicKey key;

        Verifier(PublicKey key) {
            raw(key); // an Ed25519 key, or IllegalArgumentException
            this.key = key;
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                return false;
            }
            byte[] sig = signature.decode();
            if (sig.length != 64) {
                return false;
            }
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(signingInput);
                return s.verify(sig);
            } catch (GeneralSecurityException | RuntimeException e) {
                return false;
            }
        }
    }
}
