package dev.latch.jwt;

import dev.latch.Verdict.DenialReason;
import dev.latch.Verdict;
import dev.latch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import static dev.latch.jwt.JwtFixtures.AUDIENCE;
import static dev.latch.jwt.JwtFixtures.CALLER;
import static dev.latch.jwt.JwtFixtures.ISSUER;
import static dev.latch.jwt.JwtFixtures.READ;
import static dev.latch.jwt.JwtFixtures.grant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rotation suite: the primary signs, enabled old keys verify, disabled keys are refused. */
class JwtRotationTest {
    final MutableClock clock = MutableClock.monday10am();

    SignedJwts jwts(JwtKeySet keys) {
        return SignedJwts.builder(keys).clock(clock).audiences(AUDIENCE).auditSink(e -> { }).build();
    }

    @Test
    void hmacKeyFromASecretSource_signsWithItsIdAsKid() {
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        dev.latch.spi.SecretSource secrets = id -> id.equals("svc-1") ? java.util.Optional.of(secret.clone())
                : java.util.Optional.empty();
        JwtKeySet keys = JwtKeySet.of(JwtKey.hmac(secrets, "svc-1", JwtAlgorithm.HS256, JwtFixtures.ISSUER));
        String token = jwts(keys).sign(grant().build());
        assertTrue(JwtFixtures.json(token, 0).contains("\"kid\":\"svc-1\""));
        assertTrue(jwts(keys).verify(token, READ, CALLER).isOpen());
        assertThrows(IllegalStateException.class, () -> JwtKey.hmac(secrets, "svc-2", JwtAlgorithm.HS256, JwtFixtures.ISSUER));
        assertThrows(IllegalArgumentException.class, () -> JwtKey.hmac(null, "svc-1", JwtAlgorithm.HS256, JwtFixtures.ISSUER));
    }

    @Test
    void rotation_primarySignsOldKeyVerifiesUntilDisabled() {
        JwtKeySet v1 = JwtKeySet.of(JwtFixtures.ES256);
        String old = jwts(v1).sign(grant().build());
        JwtKeySet v2 = v1.rotateTo(JwtFixtures.RS256);
        String fresh = jwts(v2).sign(grant().build());
        assertTrue(JwtFixtures.json(fresh, 0).contains("\"kid\":\"rs256\""));
        assertTrue(jwts(v2).verify(old, READ, CALLER).isOpen());
        assertTrue(jwts(v2).verify(fresh, READ, CALLER).isOpen());
        JwtKeySet v3 = v2.disable("es256");
        assertEquals(new Verdict.Denied(DenialReason.UNKNOWN_KEY), jwts(v3).verify(old, READ, CALLER));
        assertTrue(jwts(v3.enable("es256")).verify(old, READ, CALLER).isOpen());
        assertThrows(IllegalArgumentException.class, () -> v3.disable("rs256"), "the primary cannot be disabled");
    }

    @Test
    void jwkSet_exportsPublicKeysOnlyAndImportsThem() {
        JwtKeySet keys = JwtKeySet.of(JwtFixtures.ES256, JwtFixtures.RS256, JwtFixtures.HS256);
        String jwks = keys.toPublicJwkSet();
        assertTrue(jwks.contains("\"kid\":\"es256\"") && jwks.contains("\"kid\":\"rs256\""));
        assertFalse(jwks.contains("hs256"), "HMAC secrets are never exported");
        assertFalse(jwks.contains("\"d\""), "no private parts");
        JwtKeySet imported = JwtKeySet.fromJwkSet(jwks, ISSUER);
        assertEquals(2, imported.keys().size());
        assertEquals(null, imported.primary());
        String token = jwts(keys).sign(grant().build());
        assertTrue(jwts(imported).verify(token, READ, CALLER).isOpen());
        assertThrows(IllegalArgumentException.class, () -> JwtKeySet.fromJwkSet("not json", ISSUER));
        assertEquals("JwtKeySet[es256*=ES256/ENABLED, hs256=HS256/ENABLED, rs256=RS256/ENABLED]", keys.toString());
    }
}
