package dev.latch.jwt;

import com.sun.net.httpserver.HttpServer;
import dev.latch.AuditEvent;
import dev.latch.SignerException;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.latch.jwt.JwtFixtures.AUDIENCE;
import static dev.latch.jwt.JwtFixtures.CALLER;
import static dev.latch.jwt.JwtFixtures.ISSUER;
import static dev.latch.jwt.JwtFixtures.READ;
import static dev.latch.jwt.JwtFixtures.grant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Remote keys from a JWKS served by a JDK HttpServer on loopback that rotates and goes down. */
class RemoteJwksTest {
    HttpServer server;
    final AtomicReference<String> served = new AtomicReference<>();
    final AtomicInteger fetches = new AtomicInteger();
    volatile boolean down;
    final MutableClock clock = MutableClock.monday10am();
    final RecordingAuditSink audit = new RecordingAuditSink();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = down ? "unavailable".getBytes(StandardCharsets.UTF_8) : served.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(down ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    RemoteJwks remote(Duration ttl, Duration minRefresh) {
        return RemoteJwks.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json"), ISSUER)
                .cacheTtl(ttl).minRefreshInterval(minRefresh).timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).build();
    }

    SignedJwts verifier(RemoteJwks remote) {
        return SignedJwts.builder(JwtKeySet.verifyOnly()).remoteKeys(remote).clock(clock).audiences(AUDIENCE).auditSink(audit).build();
    }

    @Test
    void rotation_newKeyIdTriggersARefetch() {
        JwtKeySet a = JwtKeySet.of(JwtFixtures.ES256);
        served.set(a.toPublicJwkSet());
        SignedJwts b = verifier(remote(Duration.ofMinutes(5), Duration.ZERO));
        String first = SignedJwts.builder(a).clock(clock).auditSink(e -> { }).build().sign(grant().build());
        assertTrue(b.verify(first, READ, CALLER).isOpen());
        JwtKeySet rotated = a.rotateTo(JwtFixtures.RS256);
        served.set(rotated.toPublicJwkSet());
        String second = SignedJwts.builder(rotated).clock(clock).auditSink(e -> { }).build().sign(grant().build());
        assertTrue(b.verify(second, READ, CALLER).isOpen(), "an unknown kid refreshes the cached set");
        assertTrue(fetches.get() >= 2);
    }

    @Test
    void endpointDown_cachedKeysStillWorkWithinTtlThenFailClosed() throws Exception {
        JwtKeySet a = JwtKeySet.of(JwtFixtures.ES256);
        served.set(a.toPublicJwkSet());
        SignedJwts b = verifier(remote(Duration.ofSeconds(2), Duration.ZERO));
        String token = SignedJwts.builder(a).clock(clock).auditSink(e -> { }).build().sign(grant().build());
        assertTrue(b.verify(token, READ, CALLER).isOpen());
        down = true;
        assertTrue(b.verify(token, READ, CALLER).isOpen(), "cached key used while the endpoint is down");
        Thread.sleep(2500); // past the cache ttl (the JWK cache runs on the system clock)
        SignerException e = assertThrows(SignerException.class, () -> b.verify(token, READ, CALLER));
        assertFalse(e.getMessage().contains(token.substring(0, 20)));
        assertEquals(1, audit.count(AuditEvent.Type.STORE_FAILURE, "JWKS_UNAVAILABLE"));
        down = false;
        assertTrue(b.verify(token, READ, CALLER).isOpen(), "recovers when the endpoint is back");
    }

    @Test
    void builder_validatesSettings() {
        assertThrows(IllegalArgumentException.class, () -> RemoteJwks.builder(URI.create("file:///etc/passwd"), ISSUER));
        assertThrows(IllegalArgumentException.class, () -> remote(Duration.ofMinutes(1), Duration.ofMinutes(2)));
    }
}
