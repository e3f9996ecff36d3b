/**
 * latch-jdbc: a {@link dev.latch.spi.LatchStore} on PostgreSQL through plain JDBC. Exports only
 * {@code dev.latch.jdbc}.
 */
module dev.latch.jdbc {
    requires transitive dev.latch.core;
    requires transitive java.sql;
    requires com.github.benmanes.caffeine;

    exports dev.latch.jdbc;
}
