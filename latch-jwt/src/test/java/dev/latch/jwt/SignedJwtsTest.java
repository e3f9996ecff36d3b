package dev.latch.jwt;

import dev.latch.Latches;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.AuditEvent;
import dev.latch.Verdict.DenialReason;
import dev.latch.LatchStoreException;
import dev.latch.Grant.Requirement;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.latch.jwt.JwtFixtures.AUDIENCE;
import static dev.latch.jwt.JwtFixtures.CALLER;
import static dev.latch.jwt.JwtFixtures.ISSUER;
import static dev.latch.jwt.JwtFixtures.READ;
import static dev.latch.jwt.JwtFixtures.b64;
import static dev.latch.jwt.JwtFixtures.grant;
import static dev.latch.jwt.JwtFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignedJwtsTest {
    MutableClock clock;
    RecordingAuditSink audit;

    @BeforeEach
    void setUp() {
        clock = MutableClock.monday10am();
        audit = new RecordingAuditSink();
    }

    SignedJwts jwts(JwtKey key) {
        return SignedJwts.builder(JwtKeySet.of(key)).clock(clock).audiences(AUDIENCE).auditSink(audit).build();
    }

    static Verdict denied(DenialReason r) {
        return new Verdict.Denied(r);
    }

    static Stream<JwtKey> allKeys() {
        return Stream.of(JwtFixtures.HS256, JwtFixtures.HS384, JwtFixtures.HS512, JwtFixtures.RS256, JwtFixtures.PS256,
                JwtFixtures.ES256);
    }

    @ParameterizedTest
    @MethodSource("allKeys")
    void signAndVerify_everyAlgorithm(JwtKey key) {
        SignedJwts jwts = jwts(key);
        String token = jwts.sign(grant().build());
        String header = json(token, 0);
        assertTrue(header.contains("\"typ\":\"latch+jwt\""), header);
        assertTrue(header.contains("\"kid\":\"" + key.id() + "\""), header);
        assertTrue(header.contains("\"alg\":\"" + key.algorithm() + "\""), header);
        String claims = json(token, 1);
        for (String c : new String[]{"\"iss\"", "\"sub\"", "\"aud\"", "\"iat\"", "\"nbf\"", "\"exp\"", "\"jti\"", "\"scope\""}) {
            assertTrue(claims.contains(c), c + " in " + claims);
        }
        Verdict.Opened opened = assertInstanceOf(Verdict.Opened.class, jwts.verify(token, READ, CALLER));
        assertEquals("svc-a", opened.subject());
        assertEquals(java.util.Set.of("orders:read"), opened.scopes());
    }

    @Test
    void time_expNbfIatWithBoundedSkewAndMaxLifetime() {
        SignedJwts jwts = jwts(JwtFixtures.HS256);
        String token = jwts.sign(grant().build());
        clock.advance(Duration.ofMinutes(2).plusSeconds(59));
        assertTrue(jwts.verify(token, READ, CALLER).isOpen(), "within 60 s of skew");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(denied(DenialReason.EXPIRED), jwts.verify(token, READ, CALLER));
        String later = jwts.sign(grant().notBefore(clock.instant().plusSeconds(120)).build());
        assertEquals(denied(DenialReason.NOT_YET_VALID), jwts.verify(later, READ, CALLER));
        assertThrows(IllegalArgumentException.class, () -> jwts.sign(grant().ttl(Duration.ofMinutes(16)).build()));
        assertThrows(IllegalArgumentException.class, () -> SignedJwts.builder(JwtKeySet.of(JwtFixtures.HS256))
                .skew(Duration.ofMinutes(6)));
        SignedJwts strict = SignedJwts.builder(JwtKeySet.of(JwtFixtures.HS256)).clock(clock).audiences(AUDIENCE)
                .maxLifetime(Duration.ofMinutes(1)).auditSink(audit).build();
        assertEquals(denied(DenialReason.EXPIRED), strict.verify(jwts.sign(grant().build()), READ, CALLER),
                "a lifetime over the verifier's maximum");
    }

    @Test
    void audienceScopeAndIssuer_areEnforced() {
        SignedJwts jwts = jwts(JwtFixtures.ES256);
        String token = jwts.sign(grant().build());
        assertEquals(denied(DenialReason.INSUFFICIENT_SCOPE), jwts.verify(token, Requirement.of(AUDIENCE, "orders:write"), CALLER));
        assertEquals(denied(DenialReason.INSUFFICIENT_SCOPE), jwts.verify(token, Requirement.of("https://svc-c", "orders:read"), CALLER));
        SignedJwts otherAudience = SignedJwts.builder(JwtKeySet.of(JwtFixtures.ES256)).clock(clock)
                .audiences("https://svc-c").auditSink(audit).build();
        assertEquals(denied(DenialReason.INSUFFICIENT_SCOPE), otherAudience.verify(token, READ, CALLER),
                "the audience must be in the verifier's allowlist");
        JwtKey sameKeyOtherIssuer = JwtKey.hmac("hs256", JwtAlgorithm.HS256, "https://evil", secretOf());
        SignedJwts evil = SignedJwts.builder(JwtKeySet.of(sameKeyOtherIssuer)).clock(clock).audiences(AUDIENCE).auditSink(audit).build();
        SignedJwts good = SignedJwts.builder(JwtKeySet.of(JwtKey.hmac("hs256", JwtAlgorithm.HS256, ISSUER, secretOf())))
                .clock(clock).audiences(AUDIENCE).auditSink(audit).build();
        assertEquals(denied(DenialReason.UNKNOWN_KEY), good.verify(evil.sign(grant().build()), READ, CALLER),
                "a key is bound to its issuer");
    }

    private static byte[] secretOf() {
        return "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void singleUse_jtiThroughTheStoreAlsoUnder32Threads() throws Exception {
        SignedJwts jwts = SignedJwts.builder(JwtKeySet.of(JwtFixtures.HS256)).clock(clock).audiences(AUDIENCE)
                .store(Latches.inMemoryStore()).auditSink(audit).build();
        String token = jwts.sign(grant().build());
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            CyclicBarrier barrier = new CyclicBarrier(32);
            List<Future<Verdict>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                results.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return jwts.verify(token, READ, CALLER);
                }));
            }
            int opened = 0;
            for (Future<Verdict> f : results) {
                Verdict v = f.get(30, TimeUnit.SECONDS);
                opened += v.isOpen() ? 1 : 0;
                assertTrue(v.isOpen() || v.equals(denied(DenialReason.REPLAYED)));
            }
            assertEquals(1, opened);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void failingStore_failsClosed() {
        LatchStore broken = dev.latch.testing.FailingStore.broken();
        SignedJwts jwts = SignedJwts.builder(JwtKeySet.of(JwtFixtures.HS256)).clock(clock).audiences(AUDIENCE)
                .store(broken).auditSink(audit).build();
        String token = jwts.sign(grant().build());
        assertThrows(LatchStoreException.class, () -> jwts.verify(token, READ, CALLER));
        assertEquals(1, audit.ofType(AuditEvent.Type.STORE_FAILURE).size());
    }

    // ------------------------------------------------------------------ the rejection table

    static String signedRaw(String header, String claims, JwtKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(JWSHeader.parse(header), JWTClaimsSet.parse(claims));
        jwt.sign(key.signer());
        return jwt.serialize();
    }

    String validClaims() {
        long now = clock.instant().getEpochSecond();
        return "{\"iss\":\"" + ISSUER + "\",\"sub\":\"svc-a\",\"aud\":\"" + AUDIENCE + "\",\"iat\":" + now + ",\"nbf\":" + now
                + ",\"exp\":" + (now + 60) + ",\"jti\":\"abcdefgh\",\"scope\":\"orders:read\"}";
    }

    static String hs256(String header, String claims, byte[] secret) throws Exception {
        String input = b64(header) + "." + b64(claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    Stream<Arguments> rejections() throws Exception {
        JwtKey hs = JwtFixtures.HS256;
        JwtKey rs = JwtFixtures.RS256;
        JwtKey es = JwtFixtures.ES256;
        String claims = validClaims();
        String good = signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}", claims, hs);
        String[] p = good.split("\\.");
        byte[] rsaPublicBytes = ((RSAKey) rs.publicJwk()).toRSAPublicKey().getEncoded();
        KeyPair attacker = KeyPairGenerator.getInstance("RSA").genKeyPair();
        RSAKey attackerJwk = new RSAKey.Builder((java.security.interfaces.RSAPublicKey) attacker.getPublic()).keyID("rs256").build();
        SignedJWT embedded = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rs256")
                .type(new com.nimbusds.jose.JOSEObjectType("latch+jwt")).jwk(attackerJwk).build(), JWTClaimsSet.parse(claims));
        embedded.sign(new RSASSASigner(attacker.getPrivate()));
        return Stream.of(
                Arguments.of("alg none", b64("{\"alg\":\"none\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}") + "." + p[1] + ".", DenialReason.MALFORMED),
                Arguments.of("alg none with signature", b64("{\"alg\":\"none\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}") + "." + p[1] + "." + p[2], DenialReason.MALFORMED),
                Arguments.of("alg None", b64("{\"alg\":\"None\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}") + "." + p[1] + "." + p[2], DenialReason.MALFORMED),
                Arguments.of("alg NONE", b64("{\"alg\":\"NONE\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}") + "." + p[1] + "." + p[2], DenialReason.MALFORMED),
                Arguments.of("unsecured, two segments", p[0] + "." + p[1], DenialReason.MALFORMED),
                Arguments.of("JWE (five segments)", p[0] + "." + p[1] + ".AAAA." + p[2] + ".BBBB", DenialReason.MALFORMED),
                Arguments.of("JWE header", b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}") + "." + p[1] + "." + p[2], DenialReason.MALFORMED),
                Arguments.of("HS256 signed with the RSA public key (key confusion)",
                        hs256("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"rs256\"}", claims, rsaPublicBytes), DenialReason.UNKNOWN_KEY),
                Arguments.of("embedded jwk", embedded.serialize(), DenialReason.MALFORMED),
                Arguments.of("jku", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\",\"jku\":\"https://evil/jwks\"}", claims, hs), DenialReason.MALFORMED),
                Arguments.of("x5u", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\",\"x5u\":\"https://evil/cert\"}", claims, hs), DenialReason.MALFORMED),
                Arguments.of("x5c", b64("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\",\"x5c\":[\"MIIB\"]}") + "." + p[1] + "." + p[2], DenialReason.MALFORMED),
                Arguments.of("unknown crit", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\",\"crit\":[\"exp2\"],\"exp2\":1}", claims, hs), DenialReason.MALFORMED),
                Arguments.of("hostile kid (path)", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"../../etc/passwd\"}", claims, hs), DenialReason.UNKNOWN_KEY),
                Arguments.of("hostile kid (SQL)", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"' OR 1=1 --\"}", claims, hs), DenialReason.UNKNOWN_KEY),
                Arguments.of("hostile kid (URL)", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"http://169.254.169.254/\"}", claims, hs), DenialReason.UNKNOWN_KEY),
                Arguments.of("no kid", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\"}", claims, hs), DenialReason.UNKNOWN_KEY),
                Arguments.of("wrong typ", signedRaw("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"hs256\"}", claims, hs), DenialReason.MALFORMED),
                Arguments.of("no typ", signedRaw("{\"alg\":\"HS256\",\"kid\":\"hs256\"}", claims, hs), DenialReason.MALFORMED),
                Arguments.of("nested JWT", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\",\"cty\":\"JWT\"}", claims, hs), DenialReason.MALFORMED),
                Arguments.of("duplicate claim", hs256("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replace("\"sub\":\"svc-a\"", "\"sub\":\"svc-a\",\"sub\":\"admin\""), secret(hs)), DenialReason.MALFORMED),
                Arguments.of("duplicate claim, escaped as \\u", hs256("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replace("\"sub\":\"svc-a\"", "\"sub\":\"svc-a\",\"s\\u0075b\":\"admin\""), secret(hs)), DenialReason.MALFORMED),
                Arguments.of("duplicate header member, escaped slash", hs256("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\",\"x/y\":1,\"x\\/y\":2}",
                        claims, secret(hs)), DenialReason.MALFORMED),
                Arguments.of("duplicate header member, escaped", hs256("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\",\"k\\u0069d\":\"x\"}",
                        claims, secret(hs)), DenialReason.MALFORMED),
                Arguments.of("duplicate header member", hs256("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\",\"kid\":\"x\"}",
                        claims, secret(hs)), DenialReason.MALFORMED),
                Arguments.of("malformed base64", p[0] + "." + p[1] + "!." + p[2], DenialReason.MALFORMED),
                Arguments.of("padding", p[0] + "=." + p[1] + "." + p[2], DenialReason.MALFORMED),
                Arguments.of("extra segment", good + ".AAAA", DenialReason.MALFORMED),
                Arguments.of("signature re-spelled in its unused base64 bits", p[0] + "." + p[1] + "."
                        + p[2].substring(0, p[2].length() - 1) + (char) (p[2].charAt(p[2].length() - 1) ^ 1), DenialReason.MALFORMED),
                Arguments.of("empty signature", p[0] + "." + p[1] + ".", DenialReason.MALFORMED),
                Arguments.of("ES256 r = s = 0", signedRaw("{\"alg\":\"ES256\",\"typ\":\"latch+jwt\",\"kid\":\"es256\"}", claims, es)
                        .replaceAll("\\.[^.]+$", "." + b64(new byte[64])), DenialReason.BAD_SIGNATURE),
                Arguments.of("wrong algorithm for the key", signedRaw("{\"alg\":\"HS512\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}", claims,
                        JwtKey.hmac("x", JwtAlgorithm.HS512, ISSUER, secret(hs))), DenialReason.UNKNOWN_KEY),
                Arguments.of("tampered claims", p[0] + "." + b64(claims.replace("orders:read", "orders:admin")) + "." + p[2], DenialReason.BAD_SIGNATURE),
                Arguments.of("missing exp", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replaceAll(",\"exp\":[0-9]+", ""), hs), DenialReason.MALFORMED),
                Arguments.of("missing aud", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replace("\"aud\":\"" + AUDIENCE + "\",", ""), hs), DenialReason.INSUFFICIENT_SCOPE),
                Arguments.of("newline in sub (forged log line)", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replace("\"sub\":\"svc-a\"", "\"sub\":\"svc-a\\nINFO OPENED latch=prod\""), hs), DenialReason.MALFORMED),
                // Signed as raw JSON text: the escape must reach the verifier as written (Nimbus's
                // own serializer would have turned the lone surrogate into '?').
                Arguments.of("unpaired surrogate in sub", hs256("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replace("\"sub\":\"svc-a\"", "\"sub\":\"svc-a\\ud800\""), secret(hs)), DenialReason.MALFORMED),
                Arguments.of("empty sub", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replace("\"sub\":\"svc-a\"", "\"sub\":\"\""), hs), DenialReason.MALFORMED),
                Arguments.of("control character in jti", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replace("\"jti\":\"abcdefgh\"", "\"jti\":\"abc\\u0007defgh\""), hs), DenialReason.MALFORMED),
                Arguments.of("oversized jti", signedRaw("{\"alg\":\"HS256\",\"typ\":\"latch+jwt\",\"kid\":\"hs256\"}",
                        claims.replace("\"jti\":\"abcdefgh\"", "\"jti\":\"" + "j".repeat(257) + "\""), hs), DenialReason.MALFORMED),
                Arguments.of("oversized", good + "A".repeat(9000), DenialReason.MALFORMED),
                Arguments.of("null", null, DenialReason.MALFORMED),
                Arguments.of("empty", "", DenialReason.MALFORMED));
    }

    static byte[] secret(JwtKey key) {
        // the fixtures' HS keys are generated; sign through Nimbus with the key's own signer instead
        return ((MACSigner) key.signer()).getSecret();
    }

    @Test
    void rejectionTable_everyAttackIsDeniedWithItsReasonAndNothingOfTheTokenIsLogged() throws Exception {
        JwtKeySet keys = JwtKeySet.of(JwtFixtures.HS256, JwtFixtures.RS256, JwtFixtures.ES256);
        SignedJwts jwts = SignedJwts.builder(keys).clock(clock).audiences(AUDIENCE).auditSink(audit).build();
        List<Arguments> table = rejections().toList();
        assertTrue(table.size() >= 30);
        for (Arguments row : table) {
            Object[] a = row.get();
            String token = (String) a[1];
            Verdict v = jwts.verify(token, READ, CALLER);
            assertEquals(denied((DenialReason) a[2]), v, (String) a[0]);
        }
        for (AuditEvent e : audit.events()) {
            for (String field : new String[] {e.latchId(), e.codeId(), e.subject(), e.source(), e.reason()}) {
                assertTrue(field == null || field.chars().noneMatch(c -> Character.isISOControl(c) || Character.isSurrogate((char) c)),
                        "no control character or surrogate from a claim in the audit trail: " + e);
            }
            for (Arguments row : table) {
                String token = (String) row.get()[1];
                if (token != null && token.length() > 20) {
                    String sig = token.substring(token.lastIndexOf('.') + 1);
                    assertFalse(sig.length() > 8 && e.toString().contains(sig), "signature in audit: " + e);
                    assertFalse(e.toString().contains(token.substring(0, 20)), "token in audit: " + e);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = JwtAlgorithm.class, names = {"RS256", "PS256"})
    void rsaKeysUnder2048Bits_areRefused(JwtAlgorithm alg) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        KeyPair small = g.generateKeyPair();
        assertThrows(IllegalArgumentException.class, () -> JwtKey.keyPair("k", alg, ISSUER, small));
        assertThrows(IllegalArgumentException.class, () -> JwtKey.hmac("k", JwtAlgorithm.HS256, ISSUER, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> JwtKey.hmac("k", JwtAlgorithm.RS256, ISSUER, new byte[32]));
    }

    @Test
    void grantsWithSourceRangesArePlainlyRefused() {
        assertThrows(IllegalArgumentException.class, () -> jwts(JwtFixtures.HS256).sign(grant().sourceRange("10.0.0.0/8").build()));
        assertFalse(JwtFixtures.HS256.toString().contains(b64(secret(JwtFixtures.HS256))));
    }
}
