package dev.latch.redis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.net.URI;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every builder setter refuses bad input with IllegalArgumentException, before any connection. */
class RedisBuilderTest {
    static final URI URI_OK = URI.create("redis://127.0.0.1:1");

    static void refused(Executable call, String what) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, what);
        assertFalse(e.getMessage().contains("evil"), "the message never repeats the input: " + e.getMessage());
    }

    @Test
    void badArguments_areIllegalArgumentExceptions() {
        refused(() -> RedisLatchStore.builder(null), "null uri");
        refused(() -> RedisLatchStore.builder(URI.create("evil://127.0.0.1:1")), "scheme");
        refused(() -> RedisLatchStore.builder(URI_OK).timeout(null), "null timeout");
        refused(() -> RedisLatchStore.builder(URI_OK).timeout(Duration.ofMillis(9)), "short timeout");
        refused(() -> RedisLatchStore.builder(URI_OK).timeout(Duration.ofSeconds(61)), "long timeout");
        refused(() -> RedisLatchStore.builder(URI_OK).timeout(Duration.ofSeconds(-1)), "negative timeout");
        refused(() -> RedisLatchStore.builder(URI_OK).prefix(null), "null prefix");
        refused(() -> RedisLatchStore.builder(URI_OK).prefix("evil prefix"), "prefix charset");
        refused(() -> RedisLatchStore.builder(URI_OK).credentials(null, new char[]{'x'}), "null user");
        refused(() -> RedisLatchStore.builder(URI_OK).credentials("", new char[]{'x'}), "empty user");
        refused(() -> RedisLatchStore.builder(URI_OK).credentials("latch", null), "null password");
        refused(() -> RedisLatchStore.builder(URI_OK).waitForReplica(null, "HIGH"), "null wait");
        refused(() -> RedisLatchStore.builder(URI_OK).waitForReplica(Duration.ZERO, "HIGH"), "zero wait");
        refused(() -> RedisLatchStore.builder(URI_OK).waitForReplica(Duration.ofMillis(100), (String[]) null), "null policies");
        refused(() -> RedisLatchStore.builder(URI_OK).waitForReplica(Duration.ofMillis(100), "HIGH", null), "null policy");
        refused(() -> RedisLatchStore.builder(URI_OK).waitForReplica(Duration.ofMillis(100), "evil\nHIGH"), "policy text");
    }
}
