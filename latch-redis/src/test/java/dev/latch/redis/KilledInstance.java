package dev.latch.redis;

import dev.latch.AccessContext;
import dev.latch.ApprovalGate;
import dev.latch.ApprovalGate.Approval;
import dev.latch.DeliveryChain;
import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.RequestDigest;
import dev.latch.Verdict;
import dev.latch.spi.DeliveryChannel;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Instance A of the kill tests, run as its own JVM: it does its part on the shared Redis, prints
 * what it did (and every code its channel delivered, as {@code CODE recipient code}) on standard
 * output, then waits to be killed. Its clock is fixed at the instant given, so the test's clock
 * decides when anything falls due.
 */
public final class KilledInstance {
    private KilledInstance() {
    }

    /**
     * @param args redis URI, start instant, mode ({@code setup} or {@code voting})
     */
    public static void main(String[] args) throws Exception {
        Clock clock = Clock.fixed(Instant.parse(args[1]), ZoneOffset.UTC);
        DeliveryChannel printer = new DeliveryChannel() {
            @Override
            public String name() {
                return "stdout";
            }

            @Override
            public void deliver(dev.latch.spi.Delivery d) {
                if (d.code() != null) {
                    say("CODE " + d.recipient() + " " + d.code());
                }
            }
        };
        try (RedisLatchStore store = RedisLatchStore.builder(URI.create(args[0])).prefix("kill")
                .timeout(Duration.ofSeconds(20)).build()) {
            Latches latches = Latches.builder().store(store).clock(clock).pepper(Pepper.fromBase64(System.getenv("LATCH_PEPPER")))
                    .auditSink(e -> { }).pollDueWork(Duration.ZERO)
                    .delivery(DeliveryChain.builder().then(printer).build()).build();
            RequestDigest release = RequestDigest.of("release-44");
            if (args[2].equals("setup")) {
                LatchPolicy reminded = LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).build();
                ApprovalGate gate = latches.approvalGate("deploy:prod", release).requester("dave")
                        .approvers("alice", "bob", "carol").quorum(3).policy(reminded).request();
                IssuedCode glass = latches.issue(LatchPolicy.EMERGENCY, "prod-db", "erin");
                Verdict.Opened opened = (Verdict.Opened) latches.open("prod-db", glass.code(), AccessContext.of("erin"));
                say("READY " + gate.id() + " " + opened.codeId());
            } else {
                String[] names = new String[ApprovalGate.MAX_APPROVERS];
                for (int i = 0; i < names.length; i++) {
                    names[i] = "approver-" + i;
                }
                java.util.Map<String, String> codes = new java.util.HashMap<>();
                DeliveryChannel keep = new DeliveryChannel() {
                    @Override
                    public String name() {
                        return "memory";
                    }

                    @Override
                    public void deliver(dev.latch.spi.Delivery d) {
                        codes.put(d.recipient(), d.code());
                        say("CODE " + d.recipient() + " " + d.code());
                    }
                };
                Latches voting = Latches.builder().store(store).clock(clock).pepper(Pepper.fromBase64(System.getenv("LATCH_PEPPER")))
                        .auditSink(e -> { }).pollDueWork(Duration.ZERO)
                        .delivery(DeliveryChain.builder().then(keep).build()).build();
                ApprovalGate gate = voting.approvalGate("deploy:prod", release).requester("dave").approvers(names)
                        .quorum(names.length).request();
                say("GATE " + gate.id());
                for (String name : names) {
                    Approval a = gate.approve(name, codes.get(name), release);
                    say(a.recorded() ? "RECORDED " + name : "REFUSED " + name + " " + a.outcome());
                }
                say("DONE");
            }
            Thread.sleep(Long.MAX_VALUE); // until killed
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
