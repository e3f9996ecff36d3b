package dev.latch.examples;

import dev.latch.AccessContext;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.Verdict;
import dev.latch.redis.RedisLatchStore;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Two service instances share one Redis: a code issued by instance A opens once, on either
 * instance, and wrong guesses on both count against one limit. Starts {@code redis-server}
 * from PATH on a free loopback port; if there is none, says what to install.
 */
public final class MultiInstanceExample {
    private MultiInstanceExample() {
    }

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        title("Two instances, one Redis");
        String exe = redisServer();
        if (exe == null) {
            System.out.println("redis-server is not on PATH: install it (apt-get install -y redis-server, or brew install redis) "
                    + "and run this example again.");
            return;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("latch-example-redis");
        Process redis = new ProcessBuilder(exe, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--maxmemory-policy", "noeviction")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            waitFor(port);
            URI uri = URI.create("redis://127.0.0.1:" + port);
            result("started redis-server on " + uri);
            // Every instance must use the same pepper; a real service reads it from its secret store.
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            Pepper pepper = Pepper.of(bytes);
            try (RedisLatchStore storeA = RedisLatchStore.builder(uri).build();
                 RedisLatchStore storeB = RedisLatchStore.builder(uri).build()) {
                Latches a = Latches.builder().store(storeA).pepper(pepper).clock(Clock.systemUTC()).auditSink(Scenario.printAudit()).build();
                Latches b = Latches.builder().store(storeB).pepper(pepper).clock(Clock.systemUTC()).auditSink(Scenario.printAudit()).build();

                step("Instance A issues a one-time code for bob");
                IssuedCode code = a.issue(LatchPolicy.HIGH, "deploy:prod", "bob");
                result("[delivery to bob] " + code.code());

                step("bob's request lands on instance B");
                result("instance B: " + b.open("deploy:prod", code.code(), AccessContext.of("bob")));

                step("The same code is replayed against instance A");
                result("instance A: " + a.open("deploy:prod", code.code(), AccessContext.of("bob")));

                step("An attacker spreads five wrong guesses over both instances");
                IssuedCode next = a.issue(LatchPolicy.HIGH, "deploy:prod", "bob");
                String wrong = next.code().equals("000000") ? "111111" : "000000";
                for (int i = 0; i < 5; i++) {
                    Verdict v = (i % 2 == 0 ? a : b).open("deploy:prod", wrong, AccessContext.of("bob"));
                    result((i % 2 == 0 ? "instance A: " : "instance B: ") + v);
                }
                step("The right code now: both instances agree the latch is locked");
                result("instance B: " + b.open("deploy:prod", next.code(), AccessContext.of("bob")));
            }
        } finally {
            redis.destroy();
            redis.waitFor();
            deleteTree(dir); // redis-server's log and anything else it wrote there
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String redisServer() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(d, "redis-server");
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    private static void waitFor(int port) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }
}
