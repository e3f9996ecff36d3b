package dev.latch.benchmarks;

import dev.latch.Grant;
import dev.latch.jwt.JwtAlgorithm;
import dev.latch.jwt.JwtKey;
import dev.latch.jwt.JwtKeySet;
import dev.latch.jwt.SignedJwts;
import dev.latch.servlet.HttpAuthenticator;
import dev.latch.servlet.LatchAuthFilter;
import dev.latch.spring.LatchSecurity;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;

import javax.crypto.spec.SecretKeySpec;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * The per-request cost of authenticating one HS256 service token, as a servlet filter in front of
 * a servlet that does nothing, on Spring's mock request and response (no network, no container):
 * <ul>
 *   <li>{@code none}: the same chain without authentication (the floor);</li>
 *   <li>{@code springSecurity}: Spring Security's resource server ({@code BearerTokenAuthenticationFilter},
 *       {@code JwtAuthenticationProvider}, {@code NimbusJwtDecoder} with type, timestamp, issuer
 *       and audience validation);</li>
 *   <li>{@code latchSpringSecurity}: latch's Spring Security filter ({@link LatchSecurity#filter()});</li>
 *   <li>{@code latchServletFilter}: latch's plain {@link LatchAuthFilter}.</li>
 * </ul>
 * Every variant verifies the same token (typ {@code latch+jwt}, which Spring's decoder is told to
 * accept), puts the authenticated principal where its framework does and lets the request through.
 * latch audits every authentication; here its sink discards events, since Spring Security has no
 * audit trail to match. The added cost of a filter is its time minus {@code none}'s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HttpAuthBenchmark {
    static final String RESOURCE = "orders";
    static final String ISSUER = "billing";

    String header;
    HttpServlet servlet;
    Filter spring;
    Filter latchSpring;
    Filter latchServlet;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        SignedJwts jwts = SignedJwts.builder(JwtKeySet.of(JwtKey.hmac("k1", JwtAlgorithm.HS256, ISSUER, secret)))
                .audiences(RESOURCE).maxLifetime(Duration.ofDays(1)).auditSink(e -> { }).build();
        header = "Bearer " + jwts.sign(Grant.builder(RESOURCE, "billing-svc").permissions("orders:read")
                .ttl(Duration.ofHours(20)).build());
        servlet = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp) {
                resp.setStatus(200);
            }
        };

        NimbusJwtDecoder decoder = NimbusJwtDecoder.withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256).validateType(false).build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTypeValidator(SignedJwts.TYPE),
                new JwtTimestampValidator(), new JwtIssuerValidator(ISSUER),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.contains(RESOURCE))));
        spring = new BearerTokenAuthenticationFilter(new ProviderManager(new JwtAuthenticationProvider(decoder)));

        HttpAuthenticator authenticator = HttpAuthenticator.builder(RESOURCE).tokens(jwts).auditSink(e -> { }).build();
        latchSpring = new LatchSecurity(authenticator).filter();
        latchServlet = LatchAuthFilter.builder(authenticator).require("/orders/*", "orders:read").build();
        for (Filter f : new Filter[]{null, spring, latchSpring, latchServlet}) {
            int status = run(f);
            if (status != 200) {
                throw new IllegalStateException(f + " answered " + status);
            }
        }
    }

    int run(Filter filter) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/7");
        request.setServletPath("/orders/7");
        request.setRemoteAddr("10.1.2.3");
        request.addHeader("Authorization", header);
        MockHttpServletResponse response = new MockHttpServletResponse();
        try {
            MockFilterChain chain = filter == null ? new MockFilterChain(servlet) : new MockFilterChain(servlet, filter);
            chain.doFilter(request, response);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            SecurityContextHolder.clearContext();
        }
        return response.getStatus();
    }

    @Benchmark
    public int none() {
        return run(null);
    }

    @Benchmark
    public int springSecurity() {
        return run(spring);
    }

    @Benchmark
    public int latchSpringSecurity() {
        return run(latchSpring);
    }

    @Benchmark
    public int latchServletFilter() {
        return run(latchServlet);
    }
}
