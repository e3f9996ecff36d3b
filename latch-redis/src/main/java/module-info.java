/**
 * latch-redis: a {@link dev.latch.spi.LatchStore} on Redis through Lettuce. Exports only
 * {@code dev.latch.redis}.
 */
module dev.latch.redis {
    requires transitive dev.latch.core;
    requires lettuce.core;
    requires io.netty.buffer;

    exports dev.latch.redis;
}
