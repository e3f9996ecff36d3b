package dev.latch.jwt;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import dev.latch.testing.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Wycheproof ECDSA P-256/SHA-256 vectors in IEEE P1363 (r||s) form, the form ES256 uses,
 * through the signature check of an ES256 {@link JwtKey}. Invalid vectors (malleated, out of
 * range, r or s zero, truncated) and "acceptable" ones never verify. Valid vectors verify,
 * except where the platform's own ECDSA rejects them: JDK 17's SunEC refuses the two valid
 * signatures whose nonce point has x >= n (tcId "k*G has a large x-coordinate" and "r = 3,
 * x = n + 3"), which JDK 25 accepts. That fails closed, and such signatures occur with
 * probability about 2^-128; the test pins it to exactly what the platform does.
 */
class WycheproofEcdsaTest {
    private static final JWSHeader HEADER = new JWSHeader.Builder(JWSAlgorithm.ES256)
            .type(new JOSEObjectType(SignedJwts.TYPE)).keyID("w").build();

    @SuppressWarnings("unchecked")
    static Stream<Arguments> vectors() throws Exception {
        Map<String, Object> root;
        try (InputStream in = WycheproofEcdsaTest.class.getResourceAsStream("/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json")) {
            root = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec p256 = params.getParameterSpec(ECParameterSpec.class);
        Stream.Builder<Arguments> out = Stream.builder();
        int count = 0;
        for (Object g : (List<Object>) root.get("testGroups")) {
            Map<String, Object> group = (Map<String, Object>) g;
            Map<String, Object> key = (Map<String, Object>) group.get("publicKey");
            ECPoint w = new ECPoint(new BigInteger((String) key.get("wx"), 16), new BigInteger((String) key.get("wy"), 16));
            ECPublicKey publicKey;
            try {
                publicKey = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, p256));
            } catch (java.security.GeneralSecurityException e) {
                continue; // a point the JDK refuses as a key is never a latch key either
            }
            JwtKey jwtKey = JwtKey.publicKey("w", JwtAlgorithm.ES256, "wycheproof", publicKey);
            for (Object t : (List<Object>) group.get("tests")) {
                Map<String, Object> test = (Map<String, Object>) t;
                out.add(Arguments.of(test.get("tcId"), test.get("comment"), jwtKey, test.get("msg"), test.get("sig"),
                        test.get("result")));
                count++;
            }
        }
        if (count < 100) {
            throw new IllegalStateException("expected the full vector file, read " + count);
        }
        return out.build();
    }

    private static boolean platformVerifies(JwtKey key, byte[] msg, byte[] sig) {
        try {
            java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
            v.initVerify(((com.nimbusds.jose.jwk.ECKey) key.publicJwk()).toECPublicKey());
            v.update(msg);
            return v.verify(sig);
        } catch (Exception e) {
            return false;
        }
    }

    @ParameterizedTest(name = "#{0} {1} ({5})")
    @MethodSource("vectors")
    void es256_matchesWycheproof(long tcId, String comment, JwtKey key, String msg, String sig, String result) {
        HexFormat hex = HexFormat.of();
        boolean ok = key.verifySignature(HEADER, hex.parseHex(msg), Base64URL.encode(hex.parseHex(sig)));
        if ("valid".equals(result)) {
            if (!ok) {
                assertFalse(platformVerifies(key, hex.parseHex(msg), hex.parseHex(sig)),
                        "latch rejected a valid signature the platform accepts: " + comment);
                assertTrue(comment.contains("large x-coordinate") || comment.contains("x = n + 3"),
                        "only the known x >= n edge cases may be refused: " + comment);
            }
        } else {
            assertFalse(ok, comment);
        }
    }
}
