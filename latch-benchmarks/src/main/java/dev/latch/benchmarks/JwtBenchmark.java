package dev.latch.benchmarks;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.Verdict;
import dev.latch.jwt.JwtAlgorithm;
import dev.latch.jwt.JwtKey;
import dev.latch.jwt.JwtKeySet;
import dev.latch.jwt.SignedJwts;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.TimeUnit;

/**
 * Verifying a latch JWT with the full policy (size, segments, duplicate members, header rules,
 * kid lookup, signature, issuer binding, exp/nbf/iat with skew, lifetime, audience, scope), next
 * to a minimal Nimbus verification of the same token: parse, verifier, exp check. The jti
 * replay cache is left out: it needs a fresh token per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JwtBenchmark {
    static final String ISSUER = "https://svc-a.internal";
    static final String AUDIENCE = "https://svc-b.internal";

    @Param({"HS256", "RS256", "ES256", "EdDSA"})
    public String alg;

    SignedJwts jwts;
    String token;
    JWSVerifier nimbus;
    Requirement requirement;
    AccessContext context;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        SecureRandom random = new SecureRandom();
        JwtKey key;
        switch (alg) {
            case "HS256": {
                byte[] secret = new byte[32];
                random.nextBytes(secret);
                key = JwtKey.hmac("k1", JwtAlgorithm.HS256, ISSUER, secret);
                nimbus = new MACVerifier(secret);
                break;
            }
            case "RS256": {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048, random);
                KeyPair pair = g.generateKeyPair();
                key = JwtKey.keyPair("k1", JwtAlgorithm.RS256, ISSUER, pair);
                nimbus = new RSASSAVerifier((RSAPublicKey) pair.getPublic());
                break;
            }
            case "EdDSA": {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                key = JwtKey.keyPair("k1", JwtAlgorithm.EdDSA, ISSUER, pair);
                nimbus = new JdkEd25519Verifier(pair.getPublic());
                break;
            }
            default: {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"), random);
                KeyPair pair = g.generateKeyPair();
                key = JwtKey.keyPair("k1", JwtAlgorithm.ES256, ISSUER, pair);
                nimbus = new ECDSAVerifier((ECPublicKey) pair.getPublic());
                break;
            }
        }
        jwts = SignedJwts.builder(JwtKeySet.of(key)).clock(Clock.systemUTC()).audiences(AUDIENCE)
                .maxLifetime(Duration.ofHours(1)).auditSink(e -> { }).build();
        token = jwts.sign(Grant.builder(AUDIENCE, "svc-a").permissions("orders:read").ttl(Duration.ofHours(1)).build());
        requirement = Requirement.of(AUDIENCE, "orders:read");
        context = AccessContext.builder("svc-a").source("10.0.0.7").build();
    }

    @Benchmark
    public Verdict latchVerify() {
        return jwts.verify(token, requirement, context);
    }

    @Benchmark
    public boolean nimbusMinimal() throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        return jwt.verify(nimbus) && jwt.getJWTClaimsSet().getExpirationTime().after(new Date());
    }

    /**
     * The EdDSA floor's verifier: the JDK's Ed25519 behind Nimbus's interface (Nimbus's own
     * Ed25519Verifier needs Google Tink).
     */
    static final class JdkEd25519Verifier implements JWSVerifier {
        private final java.security.PublicKey key;
        private final com.nimbusds.jose.jca.JCAContext jca = new com.nimbusds.jose.jca.JCAContext();

        JdkEd25519Verifier(java.security.PublicKey key) {
            this.key = key;
        }

        @Override
        public boolean verify(com.nimbusds.jose.JWSHeader header, byte[] input, com.nimbusds.jose.util.Base64URL sig) {
            try {
                java.security.Signature s = java.security.Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(input);
                return s.verify(sig.decode());
            } catch (java.security.GeneralSecurityException e) {
                return false;
            }
        }

        @Override
        public java.util.Set<com.nimbusds.jose.JWSAlgorithm> supportedJWSAlgorithms() {
            return java.util.Set.of(com.nimbusds.jose.JWSAlgorithm.EdDSA);
        }

        @Override
        public com.nimbusds.jose.jca.JCAContext getJCAContext() {
            return jca;
        }
    }
}
