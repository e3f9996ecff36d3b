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
    private final Mode mode;
    private Process process;

    /**
     * How a server runs: standalone, as a Cluster node, as a replica of another server, or as a
     * Sentinel watching a primary.
     */
    record Mode(String kind, List<String> arguments, boolean bus) {
        static final Mode STANDALONE = new Mode("standalone", List.of(), false);

        static Mode clusterNode() {
            // node-timeout: long enough that a loaded machine does not see a node as failing
            return new Mode("cluster", List.of("--cluster-enabled", "yes", "--cluster-node-timeout", "15000"), true);
        }

        static Mode replicaOf(int primaryPort) {
            return new Mode("replica", List.of("--replicaof", "127.0.0.1", Integer.toString(primaryPort)), false);
        }

        static Mode sentinel(String masterName, int primaryPort, long downAfterMillis) {
            return new Mode("sentinel:" + masterName + ":" + primaryPort + ":" + downAfterMillis, List.of(), false);
        }
    }

    private LocalRedis(List<String> launcher, String executable, String origin, Path dir, int port, Mode mode) {
        this.launcher = launcher;
        this.executable = executable;
        this.origin = origin;
        this.dir = dir;
        this.port = port;
        this.mode = mode;
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
        return start(launcher, installed, env, Mode.STANDALONE);
    }

    /**
     * Starts a replica of a running server, on a free loopback port, and waits until it answers
     * PING (its first sync may still be under way: see {@link #awaitReplicas(int)}).
     *
     * @param primary the server to replicate
     * @return the running replica
     * @throws IOException when it cannot be started
     */
    public static LocalRedis startReplicaOf(LocalRedis primary) throws IOException {
        return start(List.of(), true, System.getenv(), Mode.replicaOf(primary.port()));
    }

    /**
     * Starts a Redis Sentinel (the same binary with {@code --sentinel}) that watches a primary
     * under a name, with a quorum of one: one Sentinel alone decides a failover, which a test
     * wants and a production setup does not.
     *
     * @param primary         the primary to watch (its replicas are found through it)
     * @param masterName      the name clients ask the Sentinel for
     * @param downAfterMillis how long the primary must fail to answer before it counts as down
     * @return the running Sentinel
     * @throws IOException when it cannot be started
     */
    public static LocalRedis startSentinel(LocalRedis primary, String masterName, long downAfterMillis)
            throws IOException {
        if (!masterName.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("masterName must be 1 to 64 characters of [A-Za-z0-9_-]");
        }
        return start(List.of(), true, System.getenv(), Mode.sentinel(masterName, primary.port(), downAfterMillis));
    }

    /** Starts a Cluster node (not yet part of a cluster: {@link LocalRedisCluster} joins them). */
    static LocalRedis startClusterNode() throws IOException {
        return start(List.of(), true, System.getenv(), Mode.clusterNode());
    }

    static LocalRedis start(List<String> launcher, boolean installed, Map<String, String> env, Mode mode)
            throws IOException {
        List<String> prefix = List.copyOf(launcher);
        Path dir = Files.createTempDirectory("latch-redis-");
        try {
            String[] found = locate(dir, installed, env);
            IOException last = null;
            // A free port can be taken by another process before redis-server binds it: try a few.
            for (int attempt = 0; attempt < 3; attempt++) {
                LocalRedis redis = new LocalRedis(prefix, found[0], found[1], dir, freePort(mode.bus()), mode);
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

    /**
     * A free loopback port; with {@code bus}, one whose Cluster bus port (the port plus 10000,
     * fixed in Redis 6) is free too.
     */
    private static int freePort(boolean bus) throws IOException {
        if (!bus) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + random.nextInt(30_000);
            try (ServerSocket a = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                 ServerSocket b = new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port p with p + 10000 free for the Cluster bus");
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(launcher);
        if (mode.kind().startsWith("sentinel:")) {
            // A Sentinel rewrites its configuration file, so it gets one of its own.
            String[] m = mode.kind().split(":");
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\n"
                    + "sentinel monitor " + m[1] + " 127.0.0.1 " + m[2] + " 1\n"
                    + "sentinel down-after-milliseconds " + m[1] + " " + m[3] + "\n"
                    + "sentinel failover-timeout " + m[1] + " 10000\n"
                    + "sentinel parallel-syncs " + m[1] + " 1\n", StandardCharsets.UTF_8);
            command.addAll(List.of(executable, conf.toString(), "--sentinel"));
        } else {
            command.addAll(List.of(executable, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--maxmemory-policy", "noeviction",
                    "--daemonize", "no"));
            if (mode.kind().equals("cluster")) {
                // each start is a new node: an old nodes.conf would make it rejoin as the node it was
                Files.deleteIfExists(dir.resolve("nodes.conf"));
                command.addAll(List.of("--cluster-config-file", dir.resolve("nodes.conf").toString()));
            }
            command.addAll(mode.arguments());
        }
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

    /**
     * Sends one command and returns its reply: a simple string, bulk string or integer as text,
     * an array as a list (nested as needed), a null bulk string as {@code null}.
     *
     * @param args the command and its arguments
     * @return the reply
     * @throws IOException when the server cannot be reached or replies with an error (the
     *                     message carries the error)
     */
    public Object command(String... args) throws IOException {
        return Resp.command(port, args);
    }

    /**
     * Waits until this primary has {@code n} replicas online whose replication offset has caught up with its own.
     *
     * @param n the number of replicas
     * @throws IOException when that does not happen within a minute
     */
    public void awaitReplicas(int n) throws IOException {
        long deadline = System.nanoTime() + START_NANOS;
        String info = "";
        while (System.nanoTime() < deadline) {
            info = (String) command("INFO", "replication");
            long online = info.lines().filter(l -> l.startsWith("slave") && l.contains("state=online")).count();
            if (online >= n && String.valueOf(command("WAIT", Integer.toString(n), "100")).equals(Long.toString(n))) {
                return;
            }
            pause(50);
        }
        throw new IOException(n + " replicas did not come online at 127.0.0.1:" + port + ": " + info.strip());
    }

    static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
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
     * Kills the server at once (SIGKILL), as a crashed host would: nothing is flushed and no
     * client is told. {@link #restart()} starts it again on the same port, empty.
     */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
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
