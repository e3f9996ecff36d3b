package dev.latch.spring;

import dev.latch.AuditEvent;
import dev.latch.Grant;
import dev.latch.IssuedStaticKey;
import dev.latch.Latches;
import dev.latch.StaticKeySpec;
import dev.latch.jwt.SignedJwts;
import dev.latch.jwt.TokenSupplier;
import dev.latch.micrometer.LatchMetrics;
import dev.latch.testing.CapturedLogs;
import dev.latch.testing.RecordingAuditSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real Spring Boot application (embedded Tomcat, random port) called over real HTTP. */
class SpringSecurityAppTest {
    static final String PEPPER = "c3ByaW5nLXRlc3QtcGVwcGVyLTAxMjM0NTY3ODlhYmNkZWY="; // test-only
    static final String JWT_KEY = "c3ByaW5nLXRlc3Qtand0LWtleS0wMTIzNDU2Nzg5YWJjZGVm"; // test-only

    static ConfigurableApplicationContext app;
    static int port;
    static RecordingAuditSink audit = new RecordingAuditSink();
    static IssuedStaticKey reader;
    static IssuedStaticKey admin;

    static List<String> properties() {
        return new ArrayList<>(List.of(
                "server.port=0",
                "server.address=127.0.0.1",
                "latch.secrets.allow-plain-values=true",
                "latch.secrets.values.p1=" + PEPPER,
                "latch.secrets.values.svc-1=" + JWT_KEY,
                "latch.pepper.primary=p1",
                "latch.http.resource=orders",
                "latch.http.api-key-header=X-Api-Key",
                "latch.jwt.issuer=billing",
                "latch.jwt.keys[0].id=svc-1",
                "latch.client.audience=orders",
                "latch.client.subject=billing",
                "latch.client.scopes=orders:read"));
    }

    static io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws IOException {
        pg = Postgres.start();
        List<String> props = properties();
        props.add("spring.datasource.url=" + pg.getJdbcUrl("postgres", "postgres"));
        app = new SpringApplicationBuilder(OrdersApp.class)
                .initializers(ctx -> ((org.springframework.context.support.GenericApplicationContext) ctx)
                        .registerBean("recordingAudit", dev.latch.spi.AuditSink.class, () -> audit))
                .initializers(ctx -> ((org.springframework.context.support.GenericApplicationContext) ctx)
                        .registerBean(MeterRegistry.class, SimpleMeterRegistry::new))
                .properties(props.toArray(String[]::new)).run();
        port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        Latches latches = app.getBean(Latches.class);
        reader = latches.issueStaticKey(StaticKeySpec.builder("reporting").scopes("orders:read").build());
        admin = latches.issueStaticKey(StaticKeySpec.builder("ops").scopes("orders:read", "admin").build());
    }

    @AfterAll
    static void stop() throws IOException {
        if (app != null) {
            app.close();
        }
        pg.close();
    }

    @Test
    void theStoreIsPostgresFromTheApplicationsDataSource() {
        assertEquals("dev.latch.jdbc.JdbcLatchStore", app.getBean(dev.latch.spi.LatchStore.class).getClass().getName());
    }

    @BeforeEach
    void clear() {
        audit.clear();
    }

    private static String token(String... scopes) {
        return app.getBean(SignedJwts.class).sign(Grant.builder("orders", "billing").permissions(scopes)
                .ttl(Duration.ofMinutes(2)).build());
    }

    private static void assertChallenge(Http.Response r, int status, String error) {
        assertEquals(status, r.status(), r.head() + "\n" + r.body());
        String challenge = r.header("WWW-Authenticate");
        assertNotNull(challenge, r.head());
        assertTrue(challenge.startsWith("Bearer realm=\"latch\""), challenge);
        if (error == null) {
            assertFalse(challenge.contains("error="), challenge);
        } else {
            assertTrue(challenge.contains("error=\"" + error + "\""), challenge);
            assertEquals("{\"error\":\"" + error + "\"}", r.body());
        }
        assertFalse(r.body().contains("Exception") || r.body().contains("at dev.") || r.body().contains("trace"), r.body());
    }

    @Test
    void apiKeysAndServiceTokensAuthenticate() throws IOException {
        Http.Response r = Http.get(port, "/orders/7", "Authorization: Bearer " + reader.key());
        assertEquals(200, r.status(), r.head());
        assertEquals("order 7 for reporting by API_KEY", r.body());
        assertEquals("order 7 for ops by API_KEY", Http.get(port, "/orders/7", "X-Api-Key: " + admin.key()).body());
        assertEquals("order 8 for billing by SERVICE_TOKEN",
                Http.get(port, "/orders/8", "Authorization: Bearer " + token("orders:read")).body());
        assertNull(Http.get(port, "/orders/7", "Authorization: Bearer " + reader.key()).header("Set-Cookie"),
                "stateless: no session");
        AuditEvent opened = audit.ofType(AuditEvent.Type.OPENED).get(0);
        assertEquals("127.0.0.1", opened.source(), "the audit event carries the client address");
    }

    @Test
    void missingScopeIs403() throws IOException {
        assertChallenge(Http.get(port, "/admin/users", "Authorization: Bearer " + reader.key()), 403, "insufficient_scope");
        assertChallenge(Http.get(port, "/orders/1", "Authorization: Bearer " + token()), 403, "insufficient_scope");
        assertEquals(200, Http.get(port, "/admin/users", "Authorization: Bearer " + admin.key()).status());
    }

    @Test
    void missingOrOtherScheme() throws IOException {
        assertChallenge(Http.get(port, "/orders/7"), 401, null);
        assertChallenge(Http.get(port, "/orders/7", "Authorization: Basic dXNlcjpwYXNz"), 401, null);
    }

    @Test
    void badCredentials() throws IOException {
        String key = reader.key();
        String token = token("orders:read");
        List<List<byte[]>> invalidRequest = List.of(
                lines("Authorization: Bearer"),
                lines("Authorization: Bearer " + key, "Authorization: Bearer " + key),
                lines("Authorization: Bearer " + key, "X-Api-Key: " + key),
                lines("Authorization: Bearer " + "k".repeat(5000)),
                List.of(("Authorization: Bearer " + key + "\u00fc").getBytes(StandardCharsets.UTF_8)),
                lines("Authorization: Bearer a b"));
        for (List<byte[]> l : invalidRequest) {
            assertChallenge(Http.get(port, "/orders/7", l), 401, "invalid_request");
        }
        SignedJwts past = SignedJwts.builder(dev.latch.jwt.JwtKeySet.of(dev.latch.jwt.JwtKey.hmac("svc-1",
                        dev.latch.jwt.JwtAlgorithm.HS256, "billing", java.util.Base64.getDecoder().decode(JWT_KEY))))
                .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(-10))).auditSink(e -> { }).build();
        String expiredSoon = past.sign(Grant.builder("orders", "billing").permissions("orders:read").ttl(Duration.ofMinutes(2)).build());
        List<String> invalidToken = List.of(key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A"),
                token.substring(0, token.length() - 3) + "AAA", expiredSoon, "lk_x", "x.y.z");
        for (String bad : invalidToken) {
            assertChallenge(Http.get(port, "/orders/7", "Authorization: Bearer " + bad), 401, "invalid_token");
        }
        assertTrue(audit.ofType(AuditEvent.Type.DENIED).stream().allMatch(e -> "127.0.0.1".equals(e.source())));
        for (String line : CapturedLogs.lines()) {
            assertFalse(line.contains(key.substring(16)), line);
            assertFalse(line.contains(token.substring(token.lastIndexOf('.') + 1)), line);
        }
    }

    @Test
    void anErrorInTheApplicationShowsNoStackTrace() throws IOException {
        Http.Response r = Http.get(port, "/boom", "Authorization: Bearer " + reader.key());
        assertEquals(500, r.status());
        assertFalse(r.body().contains("internal detail"), r.body());
    }

    @Test
    void clientsCarryServiceTokens() throws Exception {
        LatchRestClientInterceptor interceptor = app.getBean(LatchRestClientInterceptor.class);
        RestClient client = RestClient.builder().baseUrl("http://127.0.0.1:" + port).requestInterceptor(interceptor).build();
        assertEquals("order 9 for billing by SERVICE_TOKEN", client.get().uri("/orders/9").retrieve().body(String.class));
        HttpClient http = app.getBean(TokenSupplier.class).wrap(HttpClient.newHttpClient());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/10")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("order 10 for billing by SERVICE_TOKEN", r.body());
    }

    @Test
    void metricsCountWhatHappened() throws IOException {
        MeterRegistry registry = app.getBean(MeterRegistry.class);
        double before = denials(registry, "MALFORMED_KEY");
        Http.get(port, "/orders/7", "Authorization: Bearer lk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBCCCCCC");
        assertEquals(before + 1, denials(registry, "MALFORMED_KEY"), "a key with a wrong checksum, counted by reason");
        Http.get(port, "/orders/7", "Authorization: Bearer " + reader.key());
        long storeCalls = registry.find(LatchMetrics.STORE).timers().stream().mapToLong(t -> t.count()).sum();
        assertTrue(storeCalls > 0, "store calls are timed");
    }

    private static double denials(MeterRegistry registry, String reason) {
        var c = registry.find(LatchMetrics.DENIALS).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private static List<byte[]> lines(String... l) {
        return java.util.Arrays.stream(l).map(s -> s.getBytes(StandardCharsets.US_ASCII)).toList();
    }
}
