package dev.latch.examples;

import dev.latch.AccessContext;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.Verdict;
import dev.latch.redis.RedisLatchStore;
import dev.latch.test.redis.LocalRedis;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Two service instances, each its own JVM process, share one Redis: a code issued by instance A
 * opens once on instance B and never again on either, and wrong guesses spread over both
 * instances lock the code for both. Starts a real {@code redis-server} on a free loopback port
 * (from PATH, else the one shipped in the embedded-redis artifact) and a second JVM for
 * instance B, which A drives over its standard input.
 *
 * <p>Both instances are built the same way: a {@link RedisLatchStore} on the shared server and
 * the same pepper, which a real service reads from its secret store (here the environment
 * variable {@code LATCH_PEPPER}, handed to B's process).
 */
public final class MultiInstanceExample {
    /** How long instance A waits for one answer from instance B before giving up. */
    private static final long ANSWER_SECONDS = 120;

    private MultiInstanceExample() {
    }

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        title("Two instances, one Redis");
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String pepper = Base64.getEncoder().encodeToString(bytes);
        try (LocalRedis redis = LocalRedis.start()) {
            result("started redis-server on " + redis.uri() + " (from " + redis.origin() + ")");
            try (RedisLatchStore store = RedisLatchStore.builder(redis.uri()).build();
                 InstanceB b = InstanceB.start(redis.uri(), pepper)) {
                Latches a = Latches.builder().store(store).pepper(Pepper.fromBase64(pepper)).clock(Clock.systemUTC())
                        .auditSink(e -> System.out.println("    audit(A): " + e.describe())).build();
                result("instance A runs in this JVM (pid " + ProcessHandle.current().pid() + "), instance B in pid "
                        + b.pid());

                step("Instance A issues a one-time code for bob");
                IssuedCode code = a.issue(LatchPolicy.HIGH, "deploy:prod", "bob");
                result("[delivery to bob] " + code.code());

                step("bob's request lands on instance B");
                result("instance B: " + b.open("deploy:prod", code.code(), "bob"));

                step("The same code is replayed, against instance A and against B");
                result("instance A: " + a.open("deploy:prod", code.code(), AccessContext.of("bob")));
                result("instance B: " + b.open("deploy:prod", code.code(), "bob"));

                step("An attacker spreads five wrong guesses over both instances");
                IssuedCode next = a.issue(LatchPolicy.HIGH, "deploy:prod", "bob");
                String wrong = next.code().equals("000000") ? "111111" : "000000";
                for (int i = 0; i < 5; i++) {
                    result(i % 2 == 0 ? "instance A: " + a.open("deploy:prod", wrong, AccessContext.of("bob"))
                            : "instance B: " + b.open("deploy:prod", wrong, "bob"));
                }
                step("The right code now: both instances hold the lockout");
                result("instance B: " + b.open("deploy:prod", next.code(), "bob"));
                result("instance A: " + a.open("deploy:prod", next.code(), AccessContext.of("bob")));
            }
            result("instance B stopped; redis-server stopped and its directory deleted");
        }
    }

    /** Instance B's process, seen from instance A. */
    static final class InstanceB implements AutoCloseable {
        private final Process process;
        private final PrintWriter commands;
        private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

        private InstanceB(Process process) {
            this.process = process;
            this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (line.startsWith("= ")) {
                            answers.add(line.substring(2));
                        } else {
                            System.out.println(line); // B's audit lines, as B printed them
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
                answers.add("(instance B exited)");
            }, "instance-b-output");
            reader.setDaemon(true);
            reader.start();
        }

        static InstanceB start(URI redis, String pepper) throws IOException, InterruptedException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", classPath(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    Main.class.getName(), redis.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("LATCH_PEPPER", pepper);
            InstanceB b = new InstanceB(pb.start());
            String ready = b.answer();
            if (!ready.equals("ready")) {
                b.close();
                throw new IllegalStateException("instance B did not start: " + ready);
            }
            return b;
        }

        long pid() {
            return process.pid();
        }

        String open(String latchId, String code, String subject) throws InterruptedException {
            commands.println("open " + latchId + " " + subject + " " + code);
            return answer();
        }

        private String answer() throws InterruptedException {
            String a = answers.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
            if (a == null) {
                throw new IllegalStateException("instance B gave no answer within " + ANSWER_SECONDS + " s");
            }
            return a;
        }

        @Override
        public void close() throws InterruptedException {
            commands.close(); // end of input: B closes its store and exits
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }

        /** The class path of this example, as the class loader that loaded it sees it. */
        private static String classPath() {
            ClassLoader loader = MultiInstanceExample.class.getClassLoader();
            if (loader instanceof URLClassLoader) {
                // exec:java (the tour) loads the examples through a URLClassLoader of its own
                List<String> paths = new ArrayList<>();
                for (URL url : ((URLClassLoader) loader).getURLs()) {
                    try {
                        paths.add(Path.of(url.toURI()).toString());
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        // not a file: nothing the child could load from
                    }
                }
                if (!paths.isEmpty()) {
                    return String.join(File.pathSeparator, paths);
                }
            }
            return System.getProperty("java.class.path");
        }
    }

    /** The entry point of instance B's JVM. */
    public static final class Main {
        private Main() {
        }

        /**
         * Instance B's {@code main}: builds its own {@link Latches} on the Redis named by its first
         * argument, with the pepper from {@code LATCH_PEPPER}, then answers {@code open} lines from
         * standard input ({@code open <latch> <subject> <code>}) with {@code = <verdict>} lines, and
         * stops at end of input.
         *
         * @param args the Redis URI
         * @throws IOException when standard input fails
         */
        public static void main(String[] args) throws IOException {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            String pepper = System.getenv("LATCH_PEPPER");
            if (pepper == null || pepper.isBlank()) {
                out.println("= LATCH_PEPPER is not set: every instance needs the same pepper");
                return;
            }
            try (RedisLatchStore store = RedisLatchStore.builder(URI.create(args[0])).build()) {
                Latches b = Latches.builder().store(store).pepper(Pepper.fromBase64(pepper)).clock(Clock.systemUTC())
                        .auditSink(e -> out.println("    audit(B): " + e.describe())).build();
                out.println("= ready");
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] f = line.split(" ", 4);
                    if (f.length != 4 || !f[0].equals("open")) {
                        out.println("= unknown command");
                        continue;
                    }
                    Verdict v = b.open(f[1], f[3], AccessContext.of(f[2]));
                    out.println("= " + v);
                }
            }
        }
    }
}
