package dev.latch.test.redis;

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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} on a free loopback port, with a temporary directory of its own, for
 * latch's tests, examples and benchmarks. Nothing to install: the binary is taken from, in order,
 * <ol>
 *   <li>the path in the environment variable {@value #ENV},</li>
 *   <li>{@code redis-server} on {@code PATH},</li>
 *   <li>the binary for this platform shipped in the {@code com.github.codemonstur:embedded-redis}
 *       artifact (Linux x86-64, arm64 and x86; macOS x86-64 and arm64), copied into the
 *       server's temporary directory.</li>
 * </ol>
 * Where none of these exists or the binary cannot run, {@link #start()} throws an
 * {@link IOException} that says what to install; it never returns a stand-in.
 *
 * <pre>{@code
 * try (LocalRedis redis = LocalRedis.start()) {
 *     RedisLatchStore store = RedisLatchStore.builder(redis.uri()).build();
 *     ...
 * } // the server is stopped and its directory deleted
 * }</pre>
 *
 * <p>The server keeps no data on disk ({@code --save ""}, no append-only file) and evicts
 * nothing ({@code noeviction}). Thread-safe: {@link #stop()}, {@link #restart()} and
 * {@link #close()} are synchronized; {@link #uri()} and {@link #port()} never change.
 */
public final class LocalRedis implements AutoCloseable {
    /** The environment variable that names a redis-server binary to use before any other. */
    public static final String ENV = "LATCH_REDIS_SERVER";

    /** What to install when no binary can be found or run. */
    static final String INSTALL_HINT = "install redis-server (Debian/Ubuntu: apt-get install -y redis-server; "
            + "macOS: brew install redis) or set " + ENV + " to the path of a redis-server binary";

    /** Resource names in the embedded-redis jar, by {@code os.name/os.arch}. */
    private static final Map<String, String> EMBEDDED = Map.of(
            "linux/amd64", "redis-server-6.2.6-v5-linux-amd64",
            "linux/x86_64", "redis-server-6.2.6-v5-linux-amd64",
            "linux/aarch64", "redis-server-6.2.7-linux-arm64",
            "linux/arm64", "redis-server-6.2.7-linux-arm64",
            "linux/x86", "redis-server-6.2.7-linux-386",
            "linux/i386", "redis-server-6.2.7-linux-386",
            "mac/x86_64", "redis-server-6.2.6-v5-darwin-amd64",
            "mac/amd64", "redis-server-6.2.6-v5-darwin-amd64",
            "mac/aarch64", "redis-server-6.2.6-v5-darwin-arm64",
            "mac/arm64", "redis-server-6.2.6-v5-darwin-arm64");

    /** How long a start may take before it fails: generous, so a loaded machine still passes. */
    private static final long START_NANOS = 60_000_000_000L;

    private final List<String> launcher;
    private final String executable;
    private final String origin;
    private final Path dir;
    private final int port;
    private Process process;

    private LocalRedis(List<String> launcher, String executable, String origin, Path dir, int port) {
        this.launcher = launcher;
        this.executable = executable;
        this.origin = origin;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Starts a redis-server on a free loopback port and waits until it answers PING.
     *
     * @return the running server
     * @throws IOException when no redis-server can be found or started; the message says what to install
     */
    public static LocalRedis start() throws IOException {
        return start(List.of());
    }

    /**
     * Starts a redis-server under a launcher, for example {@code List.of("valgrind",
     * "--tool=callgrind")}, and waits until it answers PING.
     *
     * @param launcher the command and arguments put before the redis-server command (may be empty)
     * @return the running server
     * @throws IOException when no redis-server can be found or started; the message says what to install
     */
    public static LocalRedis start(List<String> launcher) throws IOException {
        return start(launcher, true, System.getenv());
    }

    /** Starts the embedded artifact's binary even where one is on PATH (for its own test). */
    static LocalRedis startEmbedded() throws IOException {
        return start(List.of(), false, System.getenv());
    }

    static LocalRedis start(List<String> launcher, boolean installed, Map<String, String> env) throws IOException {
        List<String> prefix = List.copyOf(launcher);
        Path dir = Files.createTempDirectory("latch-redis-");
        try {
            String[] found = locate(dir, installed, env);
            IOException last = null;
            // A free port can be taken by another process before redis-server binds it: try a few.
            for (int attempt = 0; attempt < 3; attempt++) {
                LocalRedis redis = new LocalRedis(prefix, found[0], found[1], dir, freePort());
                try {
                    redis.launch();
                    return redis;
                } catch (IOException e) {
                    last = e;
                }
            }
            throw last;
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** The binary to run and where it came from: the environment, PATH or the embedded artifact. */
    private static String[] locate(Path dir, boolean installed, Map<String, String> env) throws IOException {
        String configured = env.get(ENV);
        if (installed && configured != null && !configured.isBlank()) {
            File f = new File(configured);
            if (!f.canExecute()) {
                throw new IOException(ENV + " names no executable file; " + INSTALL_HINT);
            }
            return new String[]{f.getAbsolutePath(), ENV};
        }
        Optional<String> onPath = installed ? onPath("redis-server", env) : Optional.empty();
        if (onPath.isPresent()) {
            return new String[]{onPath.get(), "PATH"};
        }
        String resource = EMBEDDED.get(platform());
        if (resource == null) {
            throw new IOException("no redis-server on PATH and none shipped for " + platform() + "; " + INSTALL_HINT);
        }
        try (InputStream in = LocalRedis.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no redis-server on PATH and the embedded-redis artifact is not on the class path; "
                        + INSTALL_HINT);
            }
            Path exe = dir.resolve("redis-server");
            Files.copy(in, exe, StandardCopyOption.REPLACE_EXISTING);
            if (!exe.toFile().setExecutable(true, true)) {
                throw new IOException("could not make the embedded redis-server executable in " + dir + "; " + INSTALL_HINT);
            }
            return new String[]{exe.toString(), "embedded-redis " + resource};
        }
    }

    /** {@code linux/amd64}, {@code mac/aarch64}, ... */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String family = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "mac" : os;
        return family + "/" + System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    }

    /** The absolute path of an executable on PATH. */
    public static Optional<String> onPath(String name) {
        return onPath(name, System.getenv());
    }

    private static Optional<String> onPath(String name, Map<String, String> env) {
        for (String d : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            File f = new File(d, name);
            if (f.isFile() && f.canExecute()) {
                return Optional.of(f.getAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(executable, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--maxmemory-policy", "noeviction",
                "--daemonize", "no"));
        Path log = dir.resolve("redis.log");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException("could not run " + executable + " (from " + origin + "): " + e.getMessage() + "; "
                    + INSTALL_HINT, e);
        }
        long deadline = System.nanoTime() + START_NANOS;
        while (System.nanoTime() < deadline) {
            if (ping()) {
                process = p;
                return;
            }
            if (!p.isAlive()) {
                break;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        p.destroyForcibly();
        throw new IOException("redis-server (from " + origin + ") did not answer on 127.0.0.1:" + port + "; its log: "
                + tail(log) + "; " + INSTALL_HINT);
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(empty)" : text.substring(Math.max(0, text.length() - 600));
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    private boolean ping() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(1000);
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

    /** @return {@code redis://127.0.0.1:<port>} */
    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    /** @return the loopback port the server listens on */
    public int port() {
        return port;
    }

    /** @return where the binary came from: {@code PATH}, {@value #ENV} or {@code embedded-redis <name>} */
    public String origin() {
        return origin;
    }

    /**
     * @return the process id of the running server (of the launcher, when one was given)
     * @throws IllegalStateException when the server is stopped
     */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("redis-server is stopped");
        }
        return process.pid();
    }

    /** @return the server's temporary directory (its log, and the binary when it came from the artifact) */
    public Path directory() {
        return dir;
    }

    /** Stops the server (SIGTERM, then waits); {@link #restart()} starts it again on the same port, empty. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /**
     * Starts a stopped server again on the same port, with no data.
     *
     * @throws IOException when it does not come up
     */
    public synchronized void restart() throws IOException {
        stop();
        launch();
    }

    /** Stops the server and deletes its directory. */
    @Override
    public synchronized void close() throws IOException {
        stop();
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return "LocalRedis[" + uri() + ", from " + origin + "]";
    }
}
