/**
 * A {@link dev.latch.spi.LatchStore} on PostgreSQL: {@link dev.latch.jdbc.JdbcLatchStore}.
 *
 * <pre>{@code
 * JdbcLatchStore.migrate(dataSource, "latch_");
 * LatchStore store = JdbcLatchStore.builder(dataSource).build();
 * }</pre>
 */
package dev.latch.jdbc;
