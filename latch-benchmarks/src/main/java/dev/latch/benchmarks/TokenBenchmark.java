package dev.latch.benchmarks;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.Verdict;
import dev.latch.hmac.HmacAlgorithm;
import dev.latch.hmac.HmacKey;
import dev.latch.hmac.HmacKeySet;
import dev.latch.hmac.SignedTokens;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import javax.crypto.Mac;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.TimeUnit;

/**
 * Verifying a signed latch token, next to its floor (one Mac.doFinal over the same signing input
 * and a constant-time compare) and to HS256 JWT verification of similar claims in Nimbus
 * JOSE+JWT, auth0 java-jwt and jjwt.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TokenBenchmark {
    byte[] secret;
    SignedTokens tokens;
    String token;
    Requirement requirement;
    AccessContext context;
    byte[] signingInput;
    byte[] tag;
    ThreadLocal<Mac> mac;
    String jwt;
    MACVerifier nimbusVerifier;
    JWTVerifier auth0Verifier;
    JwtParser jjwtParser;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        tokens = SignedTokens.builder(HmacKeySet.of(HmacKey.of("k1", HmacAlgorithm.HMAC_SHA256, secret)))
                .clock(Clock.systemUTC()).auditSink(e -> { }).build();
        token = tokens.sign(Grant.builder("/reports/q3.pdf", "partner-42").permissions("r")
                .ttl(Duration.ofHours(1)).build());
        requirement = Requirement.of("/reports/q3.pdf", "r");
        context = AccessContext.builder("partner-42").source("203.0.113.7").build();
        int dot = token.lastIndexOf('.');
        signingInput = token.substring(0, dot).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        tag = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        mac = Fixtures.hmacSha256(secret);

        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("partner-42").audience("/reports/q3.pdf")
                .claim("scope", "r").issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)))
                .jwtID("Tj_SgknJ0ieHNwgYVZ0NRA").build();
        SignedJWT signed = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        signed.sign(new MACSigner(secret));
        jwt = signed.serialize();
        nimbusVerifier = new MACVerifier(secret);
        auth0Verifier = JWT.require(Algorithm.HMAC256(secret)).withAudience("/reports/q3.pdf").build();
        jjwtParser = Jwts.parser().verifyWith(Keys.hmacShaKeyFor(secret)).requireAudience("/reports/q3.pdf").build();
    }

    @Benchmark
    public Verdict latchVerify() {
        return tokens.verify(token, requirement, context);
    }

    @Benchmark
    public boolean floor() {
        return MessageDigest.isEqual(mac.get().doFinal(signingInput), tag);
    }

    @Benchmark
    public boolean nimbusHs256() throws Exception {
        SignedJWT parsed = SignedJWT.parse(jwt);
        return parsed.verify(nimbusVerifier) && parsed.getJWTClaimsSet().getExpirationTime().after(new Date());
    }

    @Benchmark
    public Object auth0Hs256() {
        return auth0Verifier.verify(jwt);
    }

    @Benchmark
    public Jws<io.jsonwebtoken.Claims> jjwtHs256() {
        return jjwtParser.parseSignedClaims(jwt);
    }
}
