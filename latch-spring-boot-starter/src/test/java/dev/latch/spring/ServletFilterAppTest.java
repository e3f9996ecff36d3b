package dev.latch.spring;

import dev.latch.IssuedStaticKey;
import dev.latch.Latches;
import dev.latch.StaticKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain servlet filter registered from properties, in a Boot application without Spring Security. */
class ServletFilterAppTest {
    static ConfigurableApplicationContext app;
    static int port;
    static IssuedStaticKey reader;
    static IssuedStaticKey admin;

    @BeforeAll
    static void start() {
        app = new SpringApplicationBuilder(dev.latch.springplain.PlainApp.class).properties(
                "server.port=0", "server.address=127.0.0.1",
                "latch.secrets.allow-plain-values=true",
                "latch.secrets.values.p1=" + SpringSecurityAppTest.PEPPER,
                "latch.pepper.primary=p1",
                "latch.store.type=memory",
                "latch.http.resource=orders",
                "latch.http.filter.paths=/api/*",
                "latch.http.filter.rules[/api/admin/*]=admin").run();
        port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        Latches latches = app.getBean(Latches.class);
        reader = latches.issueStaticKey(StaticKeySpec.builder("reporting").scopes("orders:read").build());
        admin = latches.issueStaticKey(StaticKeySpec.builder("ops").scopes("admin").build());
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void thePathsAreGuardedAndTheRulesApply() throws IOException {
        assertEquals("orders for reporting true", Http.get(port, "/api/orders", "Authorization: Bearer " + reader.key()).body());
        Http.Response none = Http.get(port, "/api/orders");
        assertEquals(401, none.status());
        assertEquals("Bearer realm=\"latch\"", none.header("WWW-Authenticate"));
        Http.Response forbidden = Http.get(port, "/api/admin/users", "Authorization: Bearer " + reader.key());
        assertEquals(403, forbidden.status());
        assertTrue(forbidden.header("WWW-Authenticate").contains("scope=\"admin\""), forbidden.head());
        assertEquals("users", Http.get(port, "/api/admin/users", "Authorization: Bearer " + admin.key()).body());
        assertEquals("ok", Http.get(port, "/public/health").body(), "outside the filter's paths");
    }
}
