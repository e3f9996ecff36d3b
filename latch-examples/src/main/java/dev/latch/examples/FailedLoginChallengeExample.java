package dev.latch.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.latch.AccessContext;
import dev.latch.DeliveryChain;
import dev.latch.Triggers.EventResult;
import dev.latch.Triggers.LatchEvent;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.Trigger;
import dev.latch.Triggers;
import dev.latch.Verdict;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Failed-login challenge: a login service on loopback publishes {@code login.failed} events.
 * Three failures for one user within ten minutes trigger a challenge code, delivered by the first
 * working channel of a fallback chain (SMS is down, so email delivers it), and the login stays
 * held, even with the right password, until the challenge is answered. While it is held no
 * password is checked, so further guesses send no more codes (and the trigger's cooldown would
 * stop a second challenge from the same burst anyway).
 */
public final class FailedLoginChallengeExample {
    private FailedLoginChallengeExample() {
    }

    /** The login service: password check, then the latch checks. */
    static final class LoginService {
        private final Latches latches;
        private final Triggers triggers;
        private final Map<String, String> passwords = new HashMap<>();

        LoginService(Latches latches, Triggers triggers) {
            this.latches = latches;
            this.triggers = triggers;
            passwords.put("alice", "correct horse battery staple");
        }

        String login(String user, String password, String challengeCode) {
            String latch = "login:" + user;
            if (challengeCode != null) {
                Verdict v = latches.open(latch, challengeCode, AccessContext.of(user));
                if (!v.isOpen()) {
                    return "403 challenge " + ((Verdict.Denied) v).reason();
                }
            }
            if (triggers.isHeld(latch, user)) {
                return "401 held: enter the code we sent you";
            }
            String expected = passwords.get(user);
            boolean ok = expected != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                    password.getBytes(StandardCharsets.UTF_8));
            if (!ok) {
                EventResult r = triggers.publish(LatchEvent.of("login.failed", user));
                return "401 wrong password (" + r.outcome() + ")";
            }
            return "200 welcome " + user;
        }
    }

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        title("Failed-login challenge");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-03-03T08:00:00Z"));
        Scenario.Inbox email = new Scenario.Inbox("email");
        DeliveryChain chain = DeliveryChain.builder()
                .then(Scenario.down("sms"), Duration.ofSeconds(2))
                .then(email, Duration.ofSeconds(5))
                .build();
        Latches latches = Scenario.latches(clock, chain, Scenario.printAudit());
        Trigger failedLogins = Trigger.on("login.failed")
                .threshold(3, Duration.ofMinutes(10))
                .cooldown(Duration.ofMinutes(15))
                .challenge(LatchPolicy.HIGH, e -> "login:" + e.subject())
                .holdLatch(Duration.ofHours(1))
                .build();
        Triggers triggers = Triggers.builder(latches).add(failedLogins).build();
        LoginService service = new LoginService(latches, triggers);

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/login", exchange -> handle(exchange, service));
        server.start();
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/login";
        try {
            step("Someone guesses alice's password three times within a few minutes");
            for (int i = 1; i <= 3; i++) {
                result("guess " + i + ": " + post(client, base, "alice", "password" + i, null));
                clock.advance(Duration.ofMinutes(2));
            }
            step("The attacker keeps going: the login is held, so no password is checked and no second code is sent");
            result("guess 4: " + post(client, base, "alice", "letmein", null));

            step("alice logs in with her right password");
            result(post(client, base, "alice", "correct horse battery staple", null));

            step("alice answers with a wrong code, then with the code from her email");
            String code = email.codeOf("alice");
            String wrong = (code.charAt(0) == '9' ? "0" : String.valueOf((char) (code.charAt(0) + 1))) + code.substring(1);
            result(post(client, base, "alice", "correct horse battery staple", wrong));
            result(post(client, base, "alice", "correct horse battery staple", code));

            step("The hold is over: her password alone works again");
            result(post(client, base, "alice", "correct horse battery staple", null));
        } finally {
            server.stop(0);
        }
    }

    private static void handle(HttpExchange exchange, LoginService service) throws IOException {
        Map<String, String> form = new HashMap<>();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String answer = service.login(form.getOrDefault("user", ""), form.getOrDefault("password", ""), form.get("code"));
        byte[] bytes = answer.substring(4).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(Integer.parseInt(answer.substring(0, 3)), bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static String post(HttpClient client, String url, String user, String password, String code)
            throws IOException, InterruptedException {
        String form = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8)
                + (code == null ? "" : "&code=" + URLEncoder.encode(code, StandardCharsets.UTF_8));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        return "HTTP " + r.statusCode() + " " + r.body();
    }
}
