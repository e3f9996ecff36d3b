package dev.latch.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real redis-server from PATH, on a free loopback port, with a temporary directory. Tests never
 * skip for want of it: they fail and say what to install.
 */
final class RedisServer {
    private final String executable;
    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(String executable, int port, Path dir) {
        this.executable = executable;
        this.port = port;
        this.dir = dir;
    }

    static RedisServer start() throws IOException {
        String exe = find();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisServer server = new RedisServer(exe, port, Files.createTempDirectory("latch-redis-test"));
        server.startProcess();
        return server;
    }

    private static String find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        throw new AssertionError("redis-server is not installed, and the latch-redis tests need a real one: "
                + "install it with 'apt-get install -y redis-server' (Debian/Ubuntu) or 'brew install redis'. "
                + "These tests never skip.");
    }

    void startProcess() throws IOException {
        process = new ProcessBuilder(List.of(executable, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--maxmemory-policy", "noeviction",
                "--daemonize", "no"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (ping()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IOException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
    }

    private boolean ping() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] b = new byte[7];
            int n = in.read(b);
            return n > 0 && new String(b, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    void close() throws Exception {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
