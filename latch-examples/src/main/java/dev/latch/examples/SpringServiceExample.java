package dev.latch.examples;

import dev.latch.IssuedStaticKey;
import dev.latch.Latches;
import dev.latch.StaticKeySpec;
import dev.latch.micrometer.LatchMetrics;
import dev.latch.servlet.LatchPrincipal;
import dev.latch.spi.SecretSource;
import dev.latch.spring.LatchRestClientInterceptor;
import dev.latch.spring.LatchSecurity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * A Spring Boot service with latch's starter: an orders API behind Spring Security that accepts
 * latch API keys and service tokens, its state in PostgreSQL (the application's DataSource), and
 * a billing client that calls it with service tokens through {@code RestClient}. Everything is
 * configured by {@code latch.*} properties; the secrets come from a {@link SecretSource} bean
 * (here random bytes made at startup, in a service your vault or the environment).
 *
 * <p>Run it alone: {@code mvn -q -pl latch-examples -am compile -Dtour -Dtour.main=dev.latch.examples.SpringServiceExample}.
 */
public final class SpringServiceExample {
    private SpringServiceExample() {
    }

    /** The orders service. */
    @SpringBootApplication
    public static class OrdersService {
        /** @return where latch reads its pepper and JWT key: made here at startup, in production a vault */
        @Bean
        SecretSource secrets() {
            SecureRandom random = new SecureRandom();
            Map<String, byte[]> secrets = new ConcurrentHashMap<>();
            return id -> Optional.of(secrets.computeIfAbsent(id, k -> {
                byte[] b = new byte[32];
                random.nextBytes(b);
                return b;
            }).clone());
        }

        /** @return the meters latch-micrometer writes to (Actuator would provide one) */
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        /**
         * @param http  the chain
         * @param latch latch's Spring Security integration, from the starter
         * @return the API's security: scopes are authorities SCOPE_x
         * @throws Exception as Spring Security's builders do
         */
        @Bean
        SecurityFilterChain api(HttpSecurity http, LatchSecurity latch) throws Exception {
            http.authorizeHttpRequests(a -> a
                    .requestMatchers("/error").permitAll()
                    .requestMatchers("/orders/**").hasAuthority("SCOPE_orders:read")
                    .requestMatchers("/refunds/**").hasAuthority("SCOPE_refunds:write")
                    .anyRequest().authenticated());
            latch.configure(http);
            return http.build();
        }

        /** The API. */
        @RestController
        static class Orders {
            @GetMapping("/orders/{id}")
            String order(@PathVariable("id") String id, @AuthenticationPrincipal LatchPrincipal who) {
                return "order " + id + " for " + who.subject() + " (" + who.kind() + ")";
            }

            @GetMapping("/refunds/{id}")
            String refund(@PathVariable("id") String id) {
                return "refund " + id;
            }
        }
    }

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        title("A Spring Boot service with latch-spring-boot-starter");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            step("PostgreSQL is up on loopback port " + pg.getPort() + "; the starter finds the DataSource and uses latch-jdbc");
            ConfigurableApplicationContext app = new SpringApplicationBuilder(OrdersService.class).properties(
                    "server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
                    "logging.level.root=warn",
                    "spring.datasource.url=" + pg.getJdbcUrl("postgres", "postgres"),
                    "latch.pepper.primary=pepper-2026-12",
                    "latch.http.resource=orders",
                    "latch.jwt.issuer=billing",
                    "latch.jwt.keys[0].id=billing-2026-12",
                    "latch.client.audience=orders",
                    "latch.client.subject=billing",
                    "latch.client.scopes=orders:read").run();
            try {
                int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
                String base = "http://127.0.0.1:" + port;
                result("orders service listening on " + base + ", store " + app.getBean(dev.latch.spi.LatchStore.class)
                        .getClass().getSimpleName());

                step("An operator issues an API key for the reporting job (shown once)");
                IssuedStaticKey key = app.getBean(Latches.class).issueStaticKey(
                        StaticKeySpec.builder("reporting").scopes("orders:read").build());
                result("key id " + key.keyId());

                HttpClient http = HttpClient.newHttpClient();
                step("The reporting job calls GET /orders/7 with Authorization: Bearer <key>");
                print(http.send(get(base + "/orders/7").header("Authorization", "Bearer " + key.key()).build(),
                        HttpResponse.BodyHandlers.ofString()));

                step("It tries GET /refunds/7, which needs refunds:write");
                print(http.send(get(base + "/refunds/7").header("Authorization", "Bearer " + key.key()).build(),
                        HttpResponse.BodyHandlers.ofString()));

                step("Someone calls without a credential, then with a tampered key");
                print(http.send(get(base + "/orders/7").build(), HttpResponse.BodyHandlers.ofString()));
                String tampered = key.key().substring(0, key.key().length() - 1) + (key.key().endsWith("x") ? "y" : "x");
                print(http.send(get(base + "/orders/7").header("Authorization", "Bearer " + tampered).build(),
                        HttpResponse.BodyHandlers.ofString()));

                step("The billing service calls with a service token from its TokenSupplier, through RestClient");
                RestClient billing = RestClient.builder().baseUrl(base)
                        .requestInterceptor(app.getBean(LatchRestClientInterceptor.class)).build();
                result("200 " + billing.get().uri("/orders/8").retrieve().body(String.class));
                result("again, with the cached token: " + billing.get().uri("/orders/9").retrieve().body(String.class));

                step("What latch-micrometer counted");
                MeterRegistry meters = app.getBean(MeterRegistry.class);
                meters.find(LatchMetrics.EVENTS).counters().stream().filter(c -> c.count() > 0)
                        .forEach(c -> result(LatchMetrics.EVENTS + " " + c.getId().getTag("type") + "/"
                                + c.getId().getTag("outcome") + " = " + (long) c.count()));
                meters.find(LatchMetrics.DENIALS).counters().stream().filter(c -> c.count() > 0)
                        .forEach(c -> result(LatchMetrics.DENIALS + " " + c.getId().getTag("reason") + " = " + (long) c.count()));
            } finally {
                app.close();
            }
            step("The service stopped; its keys stay in PostgreSQL for the next instance");
        }
    }

    private static HttpRequest.Builder get(String uri) {
        return HttpRequest.newBuilder(URI.create(uri));
    }

    private static void print(HttpResponse<String> r) {
        String challenge = r.headers().firstValue("WWW-Authenticate").map(h -> " WWW-Authenticate: " + h).orElse("");
        result(r.statusCode() + challenge + (r.body().isEmpty() ? "" : " " + r.body()));
    }
}
