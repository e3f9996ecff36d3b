package dev.latch.spring;

import dev.latch.AccessContext;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.servlet.HttpAuthenticator;
import dev.latch.spi.LatchStore;
import dev.latch.test.redis.LocalRedis;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which beans the starter makes from which properties and beans, and which configurations it refuses. */
class AutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LatchAutoConfiguration.class))
            .withPropertyValues("latch.secrets.allow-plain-values=true",
                    "latch.secrets.values.p1=" + SpringSecurityAppTest.PEPPER, "latch.pepper.primary=p1");

    private static void works(Latches latches) {
        IssuedCode c = latches.issue(LatchPolicy.HIGH, "deploy", "alice");
        assertTrue(latches.open("deploy", c.code(), AccessContext.of("alice")).isOpen());
    }

    @Test
    void inMemoryWhenThereIsNothingElse() {
        runner.run(ctx -> {
            assertEquals("InMemoryLatchStore", ctx.getBean(LatchStore.class).getClass().getSimpleName());
            works(ctx.getBean(Latches.class));
            assertFalse(ctx.containsBean("latchHttpAuthenticator"), "HTTP authentication needs latch.http.resource");
        });
    }

    @Test
    void redisWhenItsUrlIsSet() throws Exception {
        try (LocalRedis redis = LocalRedis.start()) {
            runner.withPropertyValues("latch.store.redis.url=" + redis.uri(), "latch.store.redis.timeout=30s").run(ctx -> {
                assertEquals("RedisLatchStore", ctx.getBean(LatchStore.class).getClass().getSimpleName());
                works(ctx.getBean(Latches.class));
            });
        }
    }

    @Test
    void theApplicationsOwnStoreWins() {
        LatchStore mine = Latches.inMemoryStore();
        runner.withBean(LatchStore.class, () -> mine).run(ctx -> assertSame(mine, ctx.getBean(LatchStore.class)));
    }

    @Test
    void refusedConfigurations() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LatchAutoConfiguration.class))
                .withPropertyValues("latch.secrets.values.p1=" + SpringSecurityAppTest.PEPPER, "latch.pepper.primary=p1")
                .run(ctx -> {
                    assertNotNull(ctx.getStartupFailure());
                    String m = rootMessage(ctx.getStartupFailure());
                    assertTrue(m.contains("latch.secrets.allow-plain-values"), m);
                    assertFalse(m.contains(SpringSecurityAppTest.PEPPER), "the secret is not echoed");
                });
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LatchAutoConfiguration.class))
                .run(ctx -> assertTrue(rootMessage(ctx.getStartupFailure()).contains("latch.pepper.primary is required")));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LatchAutoConfiguration.class))
                .withPropertyValues("latch.pepper.primary=missing-one").run(ctx -> {
                    String m = rootMessage(ctx.getStartupFailure());
                    assertTrue(m.contains("missing-one"), m);
                });
        runner.withPropertyValues("latch.store.type=jdbc").run(ctx ->
                assertTrue(rootMessage(ctx.getStartupFailure()).contains("needs a DataSource"), rootMessage(ctx.getStartupFailure())));
        runner.withPropertyValues("latch.store.type=redis").run(ctx ->
                assertTrue(rootMessage(ctx.getStartupFailure()).contains("latch.store.redis.url")));
        runner.withPropertyValues("latch.jwt.issuer=x").run(ctx ->
                assertTrue(rootMessage(ctx.getStartupFailure()).contains("latch.jwt.keys is empty")));
        runner.withPropertyValues("latch.jwt.issuer=x", "latch.jwt.keys[0].id=nope").run(ctx ->
                assertTrue(rootMessage(ctx.getStartupFailure()).contains("nope")));
        runner.withPropertyValues("latch.client.audience=orders").run(ctx ->
                assertTrue(rootMessage(ctx.getStartupFailure()).contains("needs a signer")));
    }

    @Test
    void httpAuthenticatorFromProperties() {
        runner.withPropertyValues("latch.http.resource=orders", "latch.http.api-key-header=X-Api-Key",
                "latch.http.realm=orders api").run(ctx -> {
                    HttpAuthenticator auth = ctx.getBean(HttpAuthenticator.class);
                    assertEquals("X-Api-Key", auth.apiKeyHeader());
                    assertEquals("Bearer realm=\"orders api\"", auth.challenge(HttpAuthenticator.Result.MISSING));
                });
    }

    @Test
    void secretsFromADirectoryOfFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("p1"), SpringSecurityAppTest.PEPPER + "\n");
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LatchAutoConfiguration.class))
                .withPropertyValues("latch.secrets.source=directory", "latch.secrets.directory=" + dir,
                        "latch.pepper.primary=p1")
                .run(ctx -> works(ctx.getBean(Latches.class)));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LatchAutoConfiguration.class))
                .withPropertyValues("latch.secrets.source=directory", "latch.pepper.primary=p1")
                .run(ctx -> assertTrue(rootMessage(ctx.getStartupFailure()).contains("latch.secrets.directory")));
    }

    @Test
    void disabled() {
        runner.withPropertyValues("latch.enabled=false").run(ctx -> assertFalse(ctx.containsBean("latches")));
    }

    @Test
    void configurationMetadataForIdes() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in);
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String p : new String[]{"latch.pepper.primary", "latch.store.type", "latch.store.redis.url",
                    "latch.secrets.allow-plain-values", "latch.http.resource", "latch.http.api-key-header",
                    "latch.http.filter.paths", "latch.jwt.issuer", "latch.client.audience"}) {
                assertTrue(json.contains("\"" + p + "\""), p);
            }
            assertTrue(json.contains("Id of the pepper that hashes new codes and keys"), "descriptions come from the javadoc");
        }
    }

    private static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
