package dev.latch.jwt;

import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/** Shared test material: keys are slow to generate, so they are made once. */
final class JwtFixtures {
    static final SecureRandom RANDOM = new SecureRandom();
    static final String ISSUER = "https://svc-a.internal";
    static final String AUDIENCE = "https://svc-b.internal";
    static final JwtKey HS256 = JwtKey.generate("hs256", JwtAlgorithm.HS256, ISSUER, RANDOM);
    static final JwtKey HS384 = JwtKey.generate("hs384", JwtAlgorithm.HS384, ISSUER, RANDOM);
    static final JwtKey HS512 = JwtKey.generate("hs512", JwtAlgorithm.HS512, ISSUER, RANDOM);
    static final JwtKey RS256 = JwtKey.generate("rs256", JwtAlgorithm.RS256, ISSUER, RANDOM);
    static final JwtKey PS256 = JwtKey.generate("ps256", JwtAlgorithm.PS256, ISSUER, RANDOM);
    static final JwtKey ES256 = JwtKey.generate("es256", JwtAlgorithm.ES256, ISSUER, RANDOM);
    static final Requirement READ = Requirement.of(AUDIENCE, "orders:read");
    static final AccessContext CALLER = AccessContext.builder("svc-a").source("127.0.0.1").build();

    private JwtFixtures() {
    }

    static Grant.Builder grant() {
        return Grant.builder(AUDIENCE, "svc-a").permissions("orders:read").ttl(Duration.ofMinutes(2));
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String json(String token, int part) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[part]), StandardCharsets.UTF_8);
    }
}
