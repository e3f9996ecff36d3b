package dev.latch.jwt;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.Verdict.DenialReason;
import dev.latch.Verdict;
import dev.latch.VerifiedClaims;
import dev.latch.testing.MutableClock;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.latch.jwt.JwtFixtures.AUDIENCE;
import static dev.latch.jwt.JwtFixtures.CALLER;
import static dev.latch.jwt.JwtFixtures.ISSUER;
import static dev.latch.jwt.JwtFixtures.READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HS256 tokens made by jjwt, auth0 java-jwt and Nimbus, each with an {@code aud} array and
 * custom claims: they verify, and the opened verdict reports every claim the token carried.
 */
class PeerTokensTest {
    static final byte[] SECRET = "peer-secret-of-thirty-two-bytes!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final List<String> AUDIENCES = List.of(AUDIENCE, "https://reports.internal", "https://audit.internal");
    static final String SCOPE = "orders:read orders:write";
    final MutableClock clock = MutableClock.monday10am();
    final Instant iat = clock.instant().minusSeconds(5);
    final Instant exp = iat.plusSeconds(120);
    final SignedJwts verifier = SignedJwts.builder(JwtKeySet.verifyOnly(JwtKey.hmac("peer", JwtAlgorithm.HS256, ISSUER, SECRET)))
            .clock(clock).audiences(AUDIENCE).auditSink(e -> { }).build();

    String jjwt() {
        return Jwts.builder().header().add("typ", SignedJwts.TYPE).keyId("peer").and()
                .issuer(ISSUER).subject("svc-a").audience().add(AUDIENCES).and().id("jjwt-1")
                .issuedAt(Date.from(iat)).expiration(Date.from(exp)).claim("scope", SCOPE)
                .claim("tenant", "acme").claim("roles", List.of("reader", "writer")).claim("limits", Map.of("max", 5))
                .signWith(Keys.hmacShaKeyFor(SECRET), Jwts.SIG.HS256).compact();
    }

    String auth0() {
        return JWT.create().withHeader(Map.of("typ", SignedJwts.TYPE)).withKeyId("peer").withIssuer(ISSUER)
                .withSubject("svc-a").withAudience(AUDIENCES.toArray(new String[0])).withJWTId("auth0-1")
                .withIssuedAt(iat).withExpiresAt(exp).withClaim("scope", SCOPE).withClaim("tenant", "acme")
                .withClaim("roles", List.of("reader", "writer")).withClaim("limits", Map.of("max", 5))
                .sign(Algorithm.HMAC256(SECRET));
    }

    String nimbus() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("svc-a").audience(AUDIENCES)
                .jwtID("nimbus-1").issueTime(Date.from(iat)).expirationTime(Date.from(exp)).claim("scope", SCOPE)
                .claim("tenant", "acme").claim("roles", List.of("reader", "writer")).claim("limits", Map.of("max", 5))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType(SignedJwts.TYPE))
                .keyID("peer").build(), claims);
        jwt.sign(new MACSigner(SECRET));
        return jwt.serialize();
    }

    void assertReportsEveryClaim(String token, String jti) {
        Verdict v = verifier.verify(token, READ, CALLER);
        Verdict.Opened opened = assertInstanceOf(Verdict.Opened.class, v, v.toString());
        VerifiedClaims c = opened.claims();
        assertEquals(AUDIENCES, c.audiences(), "every audience, in the token's order");
        assertEquals(ISSUER, c.issuer().orElseThrow());
        assertEquals("svc-a", c.subject().orElseThrow());
        assertEquals(jti, c.tokenId().orElseThrow());
        assertEquals(Set.of("orders:read", "orders:write"), c.scopes());
        assertEquals(iat.getEpochSecond(), c.issuedAt().orElseThrow().getEpochSecond());
        assertEquals(exp.getEpochSecond(), c.expiresAt().orElseThrow().getEpochSecond());
        assertTrue(c.notBefore().isEmpty());
        assertEquals("acme", c.string("tenant").orElseThrow());
        assertEquals(List.of("reader", "writer"), c.get("roles").orElseThrow());
        assertEquals(Map.of("max", 5L), c.get("limits").orElseThrow());
        assertThrows(UnsupportedOperationException.class, () -> c.all().put("tenant", "evil"));
        @SuppressWarnings("unchecked")
        List<Object> roles = (List<Object>) c.get("roles").orElseThrow();
        assertThrows(UnsupportedOperationException.class, () -> roles.add("admin"));
        assertEquals(jti, opened.codeId());
        assertTrue(!opened.toString().contains("acme"), "claim values stay out of toString: " + opened);
    }

    @Test
    void jjwtToken_reportsEveryAudienceAndClaim() {
        assertReportsEveryClaim(jjwt(), "jjwt-1");
    }

    @Test
    void auth0Token_reportsEveryAudienceAndClaim() {
        assertReportsEveryClaim(auth0(), "auth0-1");
    }

    @Test
    void nimbusToken_reportsEveryAudienceAndClaim() throws Exception {
        assertReportsEveryClaim(nimbus(), "nimbus-1");
    }

    @Test
    void nullArguments_followTheApiRule() throws Exception {
        String token = nimbus();
        Verdict.Denied malformed = new Verdict.Denied(DenialReason.MALFORMED);
        assertEquals(malformed, verifier.verify(null, READ, CALLER));
        assertEquals(malformed, verifier.verify(token, null, CALLER));
        assertEquals(malformed, verifier.verify(token, READ, null), "a null context, also for a valid token");
        assertTrue(verifier.verify(token, READ, CALLER).isOpen(), "the token itself verifies");
        assertThrows(IllegalArgumentException.class, () -> verifier.sign(null));
        assertThrows(IllegalArgumentException.class, () -> SignedJwts.builder((JwtKeySet) null));
    }

    @Test
    void tamperedPeerToken_isDeniedAndCarriesNoClaims() {
        String token = auth0();
        int dot = token.lastIndexOf('.');
        char last = token.charAt(dot - 1);
        String tampered = token.substring(0, dot - 1) + (last == 'A' ? 'B' : 'A') + token.substring(dot);
        Verdict v = verifier.verify(tampered, READ, CALLER);
        assertTrue(v instanceof Verdict.Denied, v.toString());
        assertTrue(((Verdict.Denied) v).reason() == DenialReason.BAD_SIGNATURE
                || ((Verdict.Denied) v).reason() == DenialReason.MALFORMED, v.toString());
    }
}
