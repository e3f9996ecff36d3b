/**
 * {@link dev.latch.redis.RedisLatchStore}: a {@link dev.latch.spi.LatchStore} on Redis for
 * services that run on many instances.
 *
 * <pre>{@code
 * Latches latches = Latches.builder().store(RedisLatchStore.builder(URI.create("redis://localhost:6379")).build())
 *         .pepper(pepper).build();
 * }</pre>
 */
package dev.latch.redis;
