package dev.latch.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** Administrative commands for tests: FLUSHALL and command statistics. */
final class RedisAdmin implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    RedisAdmin(URI uri) {
        client = RedisClient.create(uri.toString());
        connection = client.connect();
    }

    /** @return the commands of the connection, for tests that write stored data as another version would */
    io.lettuce.core.api.sync.RedisCommands<String, String> sync() {
        return connection.sync();
    }

    void flushAll() {
        connection.sync().flushall();
    }

    /** @return calls per command since the last CONFIG RESETSTAT, from INFO commandstats */
    Map<String, Long> commandCalls() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : connection.sync().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring(8, line.indexOf(':'));
                String v = line.substring(line.indexOf("calls=") + 6);
                calls.put(name, Long.parseLong(v.substring(0, v.indexOf(','))));
            }
        }
        return calls;
    }

    /** Holds every client's commands for {@code millis} (CLIENT PAUSE ... ALL): a hung server, as the clients see it. */
    void pauseClients(long millis) {
        connection.sync().clientPause(millis);
    }

    void resetStats() {
        connection.sync().configResetstat();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
