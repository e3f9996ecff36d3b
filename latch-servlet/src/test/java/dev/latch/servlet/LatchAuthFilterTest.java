package dev.latch.servlet;

import dev.latch.AuditEvent;
import dev.latch.Grant;
import dev.latch.IssuedStaticKey;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.StaticKeySpec;
import dev.latch.jwt.JwtAlgorithm;
import dev.latch.jwt.JwtKey;
import dev.latch.jwt.JwtKeySet;
import dev.latch.jwt.SignedJwts;
import dev.latch.testing.CapturedLogs;
import dev.latch.testing.FailingStore;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter in a real Tomcat on a loopback port, called over real HTTP. */
class LatchAuthFilterTest {
    private static final Pepper PEPPER = Pepper.of("servlet-test-pepper-0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    static Tomcat tomcat;
    static int port;
    static MutableClock clock;
    static RecordingAuditSink audit;
    static FailingStore store;
    static Latches latches;
    static SignedJwts jwts;
    static SignedJwts otherIssuer;
    static IssuedStaticKey reader;
    static IssuedStaticKey admin;

    @BeforeAll
    static void start() throws Exception {
        clock = MutableClock.monday10am();
        audit = new RecordingAuditSink();
        store = new FailingStore(Latches.inMemoryStore());
        latches = Latches.builder().pepper(PEPPER).clock(clock).store(store).auditSink(audit)
                .pollDueWork(Duration.ZERO).build();
        SecureRandom random = new SecureRandom();
        JwtKey key = JwtKey.generate("k1", JwtAlgorithm.HS256, "billing", random);
        jwts = SignedJwts.builder(JwtKeySet.of(key)).audiences("orders").clock(clock).auditSink(audit).build();
        otherIssuer = SignedJwts.builder(JwtKeySet.of(JwtKey.generate("k1", JwtAlgorithm.HS256, "billing", random)))
                .audiences("orders").clock(clock).build();
        reader = latches.issueStaticKey(StaticKeySpec.builder("reporting").scopes("orders:read").build());
        admin = latches.issueStaticKey(StaticKeySpec.builder("ops").scopes("orders:read", "admin").build());

        HttpAuthenticator auth = HttpAuthenticator.builder("orders").apiKeys(latches).tokens(jwts)
                .apiKeyHeader("X-Api-Key").auditSink(audit).build();
        LatchAuthFilter filter = LatchAuthFilter.builder(auth).require("/orders/*", "orders:read")
                .require("/admin/*", "admin").build();

        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("latch-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context ctx = tomcat.addContext("", null);
        Tomcat.addServlet(ctx, "echo", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                LatchPrincipal p = (LatchPrincipal) req.getUserPrincipal();
                resp.setContentType("text/plain");
                resp.getWriter().print(p.subject() + " " + p.kind() + " " + req.isUserInRole("admin") + " "
                        + req.getRemoteUser() + " " + req.getAuthType());
            }
        });
        ctx.addServletMappingDecoded("/*", "echo");
        FilterDef def = new FilterDef();
        def.setFilterName("latch");
        def.setFilter(filter);
        ctx.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("latch");
        map.addURLPattern("/*");
        ctx.addFilterMap(map);
        tomcat.start();
        port = connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }

    @BeforeEach
    void clear() {
        audit.clear();
        store.fail = false;
    }

    private static String token(String... scopes) {
        return jwts.sign(Grant.builder("orders", "billing-svc").permissions(scopes).ttl(Duration.ofMinutes(2)).build());
    }

    private static void assertChallenge(RawHttp.Response r, int status, String error) {
        assertEquals(status, r.status(), r.toString());
        String challenge = r.header("WWW-Authenticate");
        assertTrue(challenge.startsWith("Bearer realm=\"latch\""), challenge);
        if (error == null) {
            assertFalse(challenge.contains("error="), challenge);
            assertEquals("", r.body());
        } else {
            assertTrue(challenge.contains("error=\"" + error + "\""), challenge);
            assertEquals("{\"error\":\"" + error + "\"}", r.body());
        }
        assertEquals("no-store", r.header("Cache-Control"));
    }

    @Test
    void apiKeyInTheAuthorizationHeaderOrItsOwnHeader() throws IOException {
        RawHttp.Response r = RawHttp.get(port, "/orders/7", "Authorization: Bearer " + reader.key());
        assertEquals(200, r.status());
        assertEquals("reporting API_KEY false reporting Bearer", r.body());
        r = RawHttp.get(port, "/orders/7", "X-Api-Key: " + admin.key());
        assertEquals("ops API_KEY true ops Bearer", r.body());
        assertEquals("127.0.0.1", audit.ofType(AuditEvent.Type.OPENED).get(0).source(), "the audit has the client address");
    }

    @Test
    void serviceToken() throws IOException {
        RawHttp.Response r = RawHttp.get(port, "/orders/7", "Authorization: bearer " + token("orders:read"));
        assertEquals(200, r.status(), r.toString());
        assertEquals("billing-svc SERVICE_TOKEN false billing-svc Bearer", r.body());
    }

    @Test
    void missingScopeIs403WithTheRequiredScope() throws IOException {
        RawHttp.Response r = RawHttp.get(port, "/admin/users", "Authorization: Bearer " + reader.key());
        assertChallenge(r, 403, "insufficient_scope");
        assertTrue(r.header("WWW-Authenticate").endsWith("scope=\"admin\""));
        r = RawHttp.get(port, "/orders", "Authorization: Bearer " + token());
        assertChallenge(r, 403, "insufficient_scope");
        assertEquals(200, RawHttp.get(port, "/other", "Authorization: Bearer " + token()).status(),
                "a path without a rule needs authentication only");
    }

    @Test
    void missingOrOtherSchemeIs401WithoutAnErrorCode() throws IOException {
        assertChallenge(RawHttp.get(port, "/orders/7"), 401, null);
        assertChallenge(RawHttp.get(port, "/orders/7", "Authorization: Basic YWxpY2U6cHc="), 401, null);
        assertChallenge(RawHttp.get(port, "/other"), 401, null);
    }

    @Test
    void badCredentialsAre401InvalidRequestAndAudited() throws IOException {
        String key = reader.key();
        List<List<byte[]>> bad = List.of(
                lines("Authorization: Bearer"),
                lines("Authorization: Bearer "),
                lines("Authorization: Bearer " + key, "Authorization: Bearer " + key),
                lines("Authorization: Bearer " + key, "X-Api-Key: " + key),
                lines("X-Api-Key: " + key, "X-Api-Key: " + key),
                lines("X-Api-Key: "),
                lines("Authorization: Bearer " + key + ",x"),
                lines("Authorization: Bearer " + "a".repeat(HttpAuthenticator.DEFAULT_MAX_LENGTH + 1)),
                List.of(("Authorization: Bearer " + key + "\u00e9").getBytes(StandardCharsets.UTF_8)),
                List.of(("Authorization: Bearer " + key + "\u00e9").getBytes(StandardCharsets.ISO_8859_1)),
                lines("Authorization: Bearer =abc"),
                lines("Authorization: Bearer ab=c"));
        for (List<byte[]> lines : bad) {
            audit.clear();
            RawHttp.Response r = RawHttp.get(port, "/orders/7", lines);
            String shown = new String(lines.get(0), StandardCharsets.ISO_8859_1);
            assertEquals(401, r.status(), shown);
            assertChallenge(r, 401, "invalid_request");
            assertEquals(1, audit.count(AuditEvent.Type.DENIED, "MALFORMED"), shown);
            assertEquals("127.0.0.1", audit.events().get(0).source());
            assertFalse(r.toString().contains(key), "nothing of the credential in the response");
        }
    }

    @Test
    void refusedCredentialsAre401InvalidToken() throws IOException {
        String key = reader.key();
        String wrongKey = key.substring(0, key.length() - 8) + (key.endsWith("AAAAAAAA") ? "BBBBBBBB" : "AAAAAAAA");
        String token = token("orders:read");
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BA" : "AA");
        String foreign = otherIssuer.sign(Grant.builder("orders", "billing-svc").permissions("orders:read")
                .ttl(Duration.ofMinutes(2)).build());
        String wrongAudience = jwts.sign(Grant.builder("payments", "billing-svc").permissions("orders:read")
                .ttl(Duration.ofMinutes(2)).build());
        for (String bad : List.of(wrongKey, tampered, foreign, wrongAudience, "lk_notakey", "a.b.c")) {
            assertChallenge(RawHttp.get(port, "/orders/7", "Authorization: Bearer " + bad), 401, "invalid_token");
        }
        clock.advance(Duration.ofMinutes(10));
        try {
            assertChallenge(RawHttp.get(port, "/orders/7", "Authorization: Bearer " + token), 401, "invalid_token");
        } finally {
            clock.advance(Duration.ofMinutes(-10));
        }
        IssuedStaticKey revoked = latches.issueStaticKey(StaticKeySpec.builder("gone").scopes("orders:read").build());
        latches.revokeKey(revoked.keyId());
        assertChallenge(RawHttp.get(port, "/orders/7", "Authorization: Bearer " + revoked.key()), 401, "invalid_token");
        assertTrue(audit.ofType(AuditEvent.Type.DENIED).stream().allMatch(e -> "127.0.0.1".equals(e.source())));
    }

    @Test
    void aFailingStoreIs503AndNothingOpens() throws IOException {
        store.fail = true;
        RawHttp.Response r = RawHttp.get(port, "/orders/7", "Authorization: Bearer " + reader.key());
        assertEquals(503, r.status());
        assertEquals("{\"error\":\"temporarily_unavailable\"}", r.body());
        assertNull(r.header("WWW-Authenticate"));
        assertEquals(1, audit.ofType(AuditEvent.Type.STORE_FAILURE).size());
    }

    @Test
    void noCredentialInAnyLogLine() throws IOException {
        String key = reader.key();
        String token = token("orders:read");
        RawHttp.get(port, "/orders/7", "Authorization: Bearer " + key + "x");
        RawHttp.get(port, "/orders/7", "Authorization: Bearer " + token + "x");
        RawHttp.get(port, "/orders/7", "Authorization: Bearer " + key, "Authorization: Bearer " + token);
        for (String line : CapturedLogs.lines()) {
            assertFalse(line.contains(key.substring(16)) || line.contains(token.substring(token.lastIndexOf('.'))), line);
        }
    }

    private static List<byte[]> lines(String... lines) {
        return java.util.Arrays.stream(lines).map(l -> l.getBytes(StandardCharsets.US_ASCII)).toList();
    }
}
