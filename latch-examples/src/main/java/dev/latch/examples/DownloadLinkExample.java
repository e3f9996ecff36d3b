package dev.latch.examples;

import dev.latch.Latches;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.Verdict;
import dev.latch.hmac.HmacAlgorithm;
import dev.latch.hmac.HmacKey;
import dev.latch.hmac.HmacKeySet;
import dev.latch.hmac.SignedTokens;
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
import java.util.concurrent.atomic.AtomicReference;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Time-limited download link: a service signs a token for one blob with read permission, a
 * lifetime and an IP range; a JDK {@link HttpServer} on loopback serves the blob only with a valid
 * token. Shows a good download, then a tampered token, an expired token, a rotated key and a
 * revoked stored policy.
 */
public final class DownloadLinkExample {
    private static final String BLOB = "/blobs/q3-report.pdf";
    private static final byte[] CONTENT = "%PDF-1.7 quarterly numbers".getBytes(StandardCharsets.UTF_8);

    private DownloadLinkExample() {
    }

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        title("Time-limited download link");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-03-02T10:00:00Z"));
        SecureRandom random = new SecureRandom();
        AtomicReference<SignedTokens> tokens = new AtomicReference<>(SignedTokens
                .builder(HmacKeySet.of(HmacKey.generate("2026-03", HmacAlgorithm.HMAC_SHA256, random)))
                .clock(clock).store(Latches.inMemoryStore()).auditSink(Scenario.printAudit()).build());

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/blobs/", exchange -> serve(exchange, tokens.get()));
        server.start();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try {
            step("The portal signs a 30-minute read link for partner-42, valid from loopback only");
            String token = tokens.get().sign(Grant.builder(BLOB, "partner-42").permissions("r")
                    .ttl(Duration.ofMinutes(30)).sourceRange("127.0.0.0/8").policyId("partner-42-q3").build());
            String link = base + BLOB + "?token=" + token;
            result("link: " + base + BLOB + "?token=" + token.substring(0, token.lastIndexOf('.') + 1) + "…");
            download(client, link, "good link");

            step("Someone decodes the token, pushes its expiry a year out and keeps the old signature");
            download(client, base + BLOB + "?token=" + extendExpiry(token), "tampered token");
            download(client, base + "/blobs/salaries.xlsx?token=" + token, "same token, other blob");

            step("The signing key is rotated: the new key signs, the old one still verifies");
            tokens.set(tokens.get().withKeys(tokens.get().keys()
                    .rotateTo(HmacKey.generate("2026-04", HmacAlgorithm.HMAC_SHA256, random))));
            result("keys: " + tokens.get().keys());
            download(client, link, "old link after rotation");
            String fresh = tokens.get().sign(Grant.builder(BLOB, "partner-42").permissions("r")
                    .ttl(Duration.ofMinutes(30)).sourceRange("127.0.0.0/8").build());
            step("The old key is disabled: links it signed stop working");
            tokens.set(tokens.get().withKeys(tokens.get().keys().disable("2026-03")));
            result("keys: " + tokens.get().keys());
            download(client, link, "old link, old key disabled");
            download(client, base + BLOB + "?token=" + fresh, "link signed with the new key");

            step("The partner contract ends: revoke every link of its stored policy");
            String another = tokens.get().sign(Grant.builder(BLOB, "partner-42").permissions("r")
                    .ttl(Duration.ofMinutes(30)).policyId("partner-42-q3").build());
            tokens.get().revokePolicy("partner-42-q3");
            download(client, base + BLOB + "?token=" + another, "link of the revoked policy");

            step("Time passes beyond the link's lifetime");
            clock.advance(Duration.ofMinutes(31));
            download(client, base + BLOB + "?token=" + fresh, "expired link");
        } finally {
            server.stop(0);
        }
    }

    /** What an attacker would try: the payload is readable text, the signature is not forgeable. */
    private static String extendExpiry(String token) {
        int dot = token.lastIndexOf('.');
        String[] fields = token.substring(0, dot).split("~", -1);
        fields[6] = Long.toString(Long.parseLong(fields[6]) + 365L * 24 * 3600);
        return String.join("~", fields) + token.substring(dot);
    }

    private static void serve(HttpExchange exchange, SignedTokens tokens) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        String token = query != null && query.startsWith("token=") ? query.substring(6) : null;
        String source = exchange.getRemoteAddress().getAddress().getHostAddress();
        // The requirement is the exact raw path; latch compares resources exactly.
        Verdict v = tokens.verify(token, Requirement.of(exchange.getRequestURI().getRawPath(), "r"),
                AccessContext.builder("anonymous").source(source).build());
        byte[] body = v.isOpen() ? CONTENT : "denied\n".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("X-Latch-Verdict", v.isOpen() ? "OPENED" : ((Verdict.Denied) v).reason().name());
        exchange.sendResponseHeaders(v.isOpen() ? 200 : 403, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void download(HttpClient client, String url, String what) throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        result(what + ": HTTP " + r.statusCode() + " " + r.headers().firstValue("X-Latch-Verdict").orElse("")
                + (r.statusCode() == 200 ? " (" + r.body().length + " bytes)" : ""));
    }
}
