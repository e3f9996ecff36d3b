package dev.latch.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import dev.latch.Verdict;
import dev.latch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;

import static dev.latch.jwt.JwtFixtures.AUDIENCE;
import static dev.latch.jwt.JwtFixtures.CALLER;
import static dev.latch.jwt.JwtFixtures.ISSUER;
import static dev.latch.jwt.JwtFixtures.READ;
import static dev.latch.jwt.JwtFixtures.grant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EdDSA (Ed25519) tokens: the RFC 8037 vector, the same hardening as the other algorithms, JWKS. */
class JwtEdDsaTest {
    final MutableClock clock = MutableClock.monday10am();
    static final JwtKey ED = JwtKey.generate("ed-1", JwtAlgorithm.EdDSA, ISSUER, new java.security.SecureRandom());

    SignedJwts jwts(JwtKeySet keys) {
        return SignedJwts.builder(keys).clock(clock).audiences(AUDIENCE).auditSink(e -> { }).build();
    }

    /** RFC 8037, appendix A.1 (the key), A.4 (signing "Example of Ed25519 signing"), A.5 (verifying). */
    @Test
    void rfc8037_a4_signatureIsTheRfcs_andVerifies() throws Exception {
        byte[] d = Base64URL.from("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").decode();
        byte[] x = Base64URL.from("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").decode();
        byte[] pkcs8 = new byte[48];
        byte[] prefix = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
        System.arraycopy(prefix, 0, pkcs8, 0, 16);
        System.arraycopy(d, 0, pkcs8, 16, 32);
        PrivateKey priv = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        byte[] input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".getBytes(StandardCharsets.US_ASCII);
        JWSHeader header = new JWSHeader(JWSAlgorithm.EdDSA);
        Base64URL sig = new Ed25519Jca.Signer(priv).sign(header, input);
        assertEquals("hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg", sig.toString());
        Ed25519Jca.Verifier v = new Ed25519Jca.Verifier(Ed25519Jca.publicKey(x));
        assertTrue(v.verify(header, input, sig));
        byte[] tampered = sig.decode();
        tampered[10] ^= 1;
        assertFalse(v.verify(header, input, Base64URL.encode(tampered)));
        assertFalse(v.verify(header, input, Base64URL.encode(Arrays.copyOf(sig.decode(), 63))), "a short signature");
        assertFalse(v.verify(new JWSHeader(JWSAlgorithm.ES256), input, sig), "another algorithm in the header");
    }

    @Test
    void signedJwts_withEdDsa_verify_andRefuseTamperingAndOtherAlgorithms() {
        SignedJwts ed = jwts(JwtKeySet.of(ED));
        String token = ed.sign(grant().build());
        assertTrue(JwtFixtures.json(token, 0).contains("\"alg\":\"EdDSA\""));
        assertTrue(ed.verify(token, READ, CALLER).isOpen());
        String[] parts = token.split("\\.");
        char last = parts[2].charAt(5);
        String tampered = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 5) + (last == 'A' ? 'B' : 'A')
                + parts[2].substring(6);
        assertFalse(ed.verify(tampered, READ, CALLER).isOpen());
        String byEs = jwts(JwtKeySet.of(JwtKey.generate("ed-1", JwtAlgorithm.ES256, ISSUER, new java.security.SecureRandom())))
                .sign(grant().build());
        Verdict v = ed.verify(byEs, READ, CALLER);
        assertFalse(v.isOpen(), "an ES256 token under the EdDSA key's id is refused: " + v);
        String none = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"ed-1\"}").toString() + "." + parts[1] + ".";
        assertFalse(ed.verify(none, READ, CALLER).isOpen(), "alg none is never accepted");
    }

    @Test
    void publicJwkSet_roundTrip_verifiesWithoutThePrivateKey() throws Exception {
        JwtKeySet keys = JwtKeySet.of(ED);
        String jwks = keys.toPublicJwkSet();
        assertTrue(jwks.contains("\"kty\":\"OKP\"") && jwks.contains("\"crv\":\"Ed25519\""), jwks);
        assertFalse(jwks.contains("\"d\""), "no private part");
        String token = jwts(keys).sign(grant().build());
        SignedJwts verifier = jwts(JwtKeySet.fromJwkSet(jwks, ISSUER));
        assertTrue(verifier.verify(token, READ, CALLER).isOpen());
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        java.security.PublicKey p256 = ec.generateKeyPair().getPublic();
        assertThrows(IllegalArgumentException.class, () -> JwtKey.publicKey("x", JwtAlgorithm.EdDSA, ISSUER, p256),
                "an EdDSA key is an Ed25519 key");
    }
}
