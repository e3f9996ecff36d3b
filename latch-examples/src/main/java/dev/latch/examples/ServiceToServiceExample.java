package dev.latch.examples;

import dev.latch.Latches;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.Verdict;
import dev.latch.jwt.JwtAlgorithm;
import dev.latch.jwt.JwtKey;
import dev.latch.jwt.JwtKeySet;
import dev.latch.jwt.RemoteJwks;
import dev.latch.jwt.SignedJwts;
import dev.latch.spi.LatchStore;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Service-to-service check: service A signs a short-lived ES256 JWT with a key from its JWK set,
 * which it serves on loopback; service B, also on loopback, fetches that set by URL, picks the
 * key by {@code kid}, and checks audience, scope, expiry and single use. A replay and a token
 * for another audience are denied.
 */
public final class ServiceToServiceExample {
    static final String ISSUER = "https://svc-a.internal";
    static final String AUDIENCE = "https://svc-b.internal";

    private ServiceToServiceExample() {
    }

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        title("Service-to-service call with a short-lived JWT");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.now());
        JwtKeySet keysOfA = JwtKeySet.of(JwtKey.generate("svc-a-2026-03", JwtAlgorithm.ES256, ISSUER, new SecureRandom()));
        SignedJwts signerA = SignedJwts.builder(keysOfA).clock(clock).auditSink(Scenario.printAudit()).build();

        HttpServer a = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] jwks = keysOfA.toPublicJwkSet().getBytes(StandardCharsets.UTF_8);
        a.createContext("/.well-known/jwks.json", exchange -> respond(exchange, 200, jwks));
        a.start();
        URI jwksUri = URI.create("http://127.0.0.1:" + a.getAddress().getPort() + "/.well-known/jwks.json");

        SignedJwts verifierB = SignedJwts.builder(JwtKeySet.verifyOnly())
                .remoteKeys(RemoteJwks.builder(jwksUri, ISSUER).cacheTtl(Duration.ofMinutes(5))
                        .minRefreshInterval(Duration.ofSeconds(30)).timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).build())
                .audiences(AUDIENCE).store(Latches.inMemoryStore()).clock(clock).auditSink(Scenario.printAudit()).build();
        HttpServer b = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        b.createContext("/orders", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
            Verdict v = verifierB.verify(token, Requirement.of(AUDIENCE, "orders:read"),
                    AccessContext.builder("caller").source(exchange.getRemoteAddress().getAddress().getHostAddress()).build());
            byte[] body = (v.isOpen() ? "[{\"order\":42}]" : "denied").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Latch-Verdict", v.isOpen() ? "OPENED" : ((Verdict.Denied) v).reason().name());
            respond(exchange, v.isOpen() ? 200 : 401, body);
        });
        b.start();
        String orders = "http://127.0.0.1:" + b.getAddress().getPort() + "/orders";
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            result("A serves its JWK set at " + jwksUri);
            step("A calls B with a 2-minute ES256 token for audience " + AUDIENCE + ", scope orders:read");
            String token = signerA.sign(Grant.builder(AUDIENCE, "svc-a").permissions("orders:read").ttl(Duration.ofMinutes(2)).build());
            call(client, orders, token, "first call");

            step("The same token is replayed (a captured request)");
            call(client, orders, token, "replay");

            step("A token A minted for another service is presented to B");
            String other = signerA.sign(Grant.builder("https://svc-c.internal", "svc-a").permissions("orders:read")
                    .ttl(Duration.ofMinutes(2)).build());
            call(client, orders, other, "wrong audience");

            step("A token with the wrong scope");
            call(client, orders, signerA.sign(Grant.builder(AUDIENCE, "svc-a").permissions("orders:write")
                    .ttl(Duration.ofMinutes(2)).build()), "wrong scope");

            step("A token that has expired");
            String soon = signerA.sign(Grant.builder(AUDIENCE, "svc-a").permissions("orders:read").ttl(Duration.ofMinutes(1)).build());
            clock.advance(Duration.ofMinutes(3));
            call(client, orders, soon, "expired");
        } finally {
            a.stop(0);
            b.stop(0);
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void call(HttpClient client, String url, String token, String what) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        result(what + ": HTTP " + r.statusCode() + " " + r.headers().firstValue("X-Latch-Verdict").orElse(""));
    }
}
