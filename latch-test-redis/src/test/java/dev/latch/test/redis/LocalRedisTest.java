package dev.latch.test.redis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalRedisTest {

    /** Sends one inline command and returns the first reply line. */
    static String send(int port, String command) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString().strip();
        }
    }

    @Test
    void start_answersOnLoopbackAndCloseDeletesItsDirectory() throws Exception {
        Path dir;
        try (LocalRedis redis = LocalRedis.start()) {
            dir = redis.directory();
            assertEquals("+PONG", send(redis.port(), "PING"));
            assertEquals("+OK", send(redis.port(), "SET k v"));
            assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri().toString());
            assertTrue(redis.pid() > 0);
            assertTrue(Files.isDirectory(dir));
        }
        assertFalse(Files.exists(dir), "close deletes the server's directory");
    }

    @Test
    void embeddedBinary_runsOnThisPlatformWithLuaScripts() throws Exception {
        // The artifact's binary, even on a machine that has redis-server on PATH.
        try (LocalRedis redis = LocalRedis.startEmbedded()) {
            assertTrue(redis.origin().startsWith("embedded-redis "), redis.origin());
            assertEquals(":7", send(redis.port(), "EVAL \"return 7\" 0"));
        }
    }

    @Test
    void restart_comesBackEmptyOnTheSamePort() throws Exception {
        try (LocalRedis redis = LocalRedis.start()) {
            int port = redis.port();
            send(port, "SET k v");
            redis.stop();
            assertThrows(IOException.class, () -> send(port, "PING"), "stopped means nothing listens");
            assertThrows(IllegalStateException.class, redis::pid);
            redis.restart();
            assertEquals(port, redis.port());
            assertEquals("$-1", send(port, "GET k"), "no data survives: nothing is saved to disk");
        }
    }

    @Test
    void configuredBinaryMissing_failsAndSaysWhatToInstall() throws Exception {
        Set<Path> before = dirs();
        IOException e = assertThrows(IOException.class,
                () -> LocalRedis.start(List.of(), true, Map.of(LocalRedis.ENV, "/nonexistent/redis-server")));
        assertTrue(e.getMessage().contains("apt-get install -y redis-server"), e.getMessage());
        assertEquals(before, dirs(), "a failed start leaves no directory behind");
    }

    @Test
    void binaryThatDoesNotServe_failsWithItsLog() throws Exception {
        // /bin/false runs and exits at once: the start must fail, not wait for ever or pass.
        IOException e = assertThrows(IOException.class,
                () -> LocalRedis.start(List.of(), true, Map.of(LocalRedis.ENV, "/bin/false")));
        assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
    }

    static Set<Path> dirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("latch-redis-")).collect(Collectors.toSet());
        }
    }
}
