package dev.latch;

import dev.latch.Triggers.LatchEvent;
import dev.latch.Condition.TimeWindow;

import dev.latch.DeliveryChain.Outbox;

import dev.latch.DeliveryChain.DeliveryReceipt;

import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore;
import dev.latch.testing.CapturedLogs;
import dev.latch.testing.FailingStore;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives every operation and failure path with the default SLF4J audit sink and a recording
 * sink, then searches every log line of this JVM, every audit event, every exception message
 * and stack trace, and the toString of every object handed out, for every code, key secret,
 * digest and pepper the run produced.
 */
class NoSecretLeakTest {
    private final List<String> secrets = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();

    private void secret(String s) {
        secrets.add(s);
    }

    private void seen(Object o) {
        texts.add(String.valueOf(o));
    }

    private void seen(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        texts.add(t.getMessage());
        texts.add(w.toString());
    }

    @Test
    void noCodeKeyDigestOrPepperAppearsAnywhere() {
        byte[] pepperBytes = new byte[48];
        new java.security.SecureRandom().nextBytes(pepperBytes);
        Pepper pepper = Pepper.of(pepperBytes);
        secret(Base64.getEncoder().encodeToString(pepperBytes));
        secret(HexFormat.of().formatHex(pepperBytes));
        MutableClock clock = MutableClock.monday10am();
        RecordingAuditSink audit = new RecordingAuditSink();
        LatchStore store = Latches.inMemoryStore();
        FailingStore failing = new FailingStore(store);
        Latches latches = Latches.builder().clock(clock).pepper(pepper).store(failing)
                .auditSink(AuditSink_logging(), audit, e -> {
                    throw new IllegalStateException("sink failure " + e);
                })
                .businessHours(dev.latch.Condition.TimeWindow.businessHours(ZoneId.of("UTC")))
                .issueRateLimit(RateLimit.of(100, Duration.ofMinutes(1)))
                .lockout(LockoutPolicy.of(3, Duration.ofMinutes(1), Duration.ofMinutes(5))).build();
        seen(latches);
        seen(pepper);

        for (CodeFormat format : List.of(CodeFormat.numeric(10), CodeFormat.base32(12), CodeFormat.opaque(24))) {
            LatchPolicy policy = LatchPolicy.custom().format(format).maxUses(2).renewals(1)
                    .conditions(Condition.sourceIn("10.0.0.0/8")).build();
            for (String latch : List.of("deploy:prod", "download:q3")) {
                IssuedCode code = latches.issue(policy, latch, "alice");
                secret(code.code());
                seen(code);
                CodeRecord record = store.find(code.codeId()).orElseThrow();
                seen(record);
                for (byte[] d : record.digests()) {
                    secret(HexFormat.of().formatHex(d));
                    secret(Base64.getEncoder().encodeToString(d));
                    secret(Base64.getUrlEncoder().withoutPadding().encodeToString(d));
                }
                AccessContext inside = AccessContext.builder("alice").source("10.1.1.1").build();
                AccessContext outside = AccessContext.builder("alice").source("192.0.2.1").build();
                seen(latches.open(latch, code.code() + "X", inside));
                seen(latches.open(latch, " " + code.code().toLowerCase() + "\u0663", inside));
                seen(latches.open(latch, code.code(), outside));
                seen(latches.renew(code.codeId()));
                seen(latches.open(latch, code.code(), inside));
                seen(latches.find(code.codeId()));
                failing.fail = true;
                seen(assertThrows(LatchStoreException.class, () -> latches.open(latch, code.code(), inside)));
                failing.fail = false;
                seen(latches.open(latch, code.code(), AccessContext.builder("alice").source("10.9.9.9").build()));
                seen(latches.open(latch, code.code(), inside));
                IssuedCode again = latches.issue(policy, latch, "bob");
                secret(again.code());
                for (int i = 0; i < 4; i++) {
                    seen(latches.open(latch, code.code(), AccessContext.of("bob")));
                }
                seen(latches.open(latch, again.code(), AccessContext.of("bob")));
                seen(latches.revoke(again.codeId()));
            }
        }

        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").prefix("lk_live").scopes("a:b").build());
        secret(key.key());
        secret(key.key().substring(key.key().length() - 30, key.key().length() - 6));
        seen(key);
        seen(store.findKey(key.keyId()).orElseThrow());
        secret(HexFormat.of().formatHex(store.findKey(key.keyId()).orElseThrow().digest()));
        seen(latches.authenticate(key.key(), AccessContext.builder("svc").source("10.0.0.1").build()));
        seen(latches.authenticate(key.key().substring(0, key.key().length() - 1) + "x", AccessContext.of("svc")));
        IssuedStaticKey rotated = latches.rotate(key.keyId(), Duration.ofMinutes(1));
        secret(rotated.key());
        seen(rotated);
        failing.fail = true;
        seen(assertThrows(LatchStoreException.class, () -> latches.authenticate(rotated.key(), AccessContext.of("svc"))));
        failing.fail = false;
        seen(latches.revokeKey(key.keyId()));
        seen(latches.authenticate(key.key(), AccessContext.of("svc")));
        seen(latches.keyInfo(key.keyId()));

        RecoveryCodes recovery = latches.issueRecoveryCodes("alice", 8);
        seen(recovery);
        for (String c : recovery.codes()) {
            secret(c);
            secret(c.replace("-", ""));
        }
        seen(latches.redeemRecoveryCode(recovery.codes().get(0), AccessContext.of("alice")));
        seen(latches.redeemRecoveryCode(recovery.codes().get(0), AccessContext.of("alice")));

        for (AuditEvent e : audit.events()) {
            seen(e);
        }
        List<String> logs = CapturedLogs.lines();
        assertTrue(logs.stream().anyMatch(l -> l.contains("dev.latch.audit")), "the logging sink ran");
        texts.addAll(logs);
        assertTrue(secrets.size() > 50);
        for (String secret : secrets) {
            for (String text : texts) {
                if (text != null) {
                    assertFalse(text.contains(secret), "a secret leaked into: " + text.replace(secret, "<SECRET>"));
                }
            }
        }
    }

    /**
     * The event-triggered paths: deliveries (with a channel that puts the code in its exception
     * message), reminders, triggers, gates, break-glass and reviews. Every code delivered is a
     * secret; receipts, results, gates, reviews, audit events and logs are searched.
     */
    @Test
    void deliveriesTriggersGatesAndReviewsLeakNoCode() {
        MutableClock clock = MutableClock.monday10am();
        dev.latch.testing.ManualScheduler scheduler = new dev.latch.testing.ManualScheduler(clock);
        RecordingAuditSink audit = new RecordingAuditSink();
        Outbox outbox = new Outbox();
        List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        dev.latch.spi.DeliveryChannel leaky = new dev.latch.spi.DeliveryChannel() {
            @Override
            public String name() {
                return "leaky";
            }

            @Override
            public void deliver(dev.latch.spi.Delivery d) throws java.io.IOException {
                if (d.code() != null) {
                    refused.add(d.code());
                }
                throw new java.io.IOException("could not send " + d.code() + " to " + d.recipient());
            }
        };
        Latches latches = Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .auditSink(AuditSink_logging(), audit).scheduler(scheduler)
                .issueRateLimit(RateLimit.of(100, Duration.ofMinutes(1)))
                .delivery(DeliveryChain.builder().then(leaky).then(outbox).build()).build();
        LatchPolicy reminded = LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).renewals(1).build();
        DeliveryReceipt receipt = latches.issueAndDeliver(reminded, "deploy:1", "alice", "alice", null);
        seen(receipt);
        seen(latches.renew(receipt.codeId()));
        Triggers triggers = Triggers.builder(latches).add(Trigger.on("login.failed").threshold(2, Duration.ofMinutes(5))
                .challenge(LatchPolicy.HIGH, e -> "login:" + e.subject()).holdLatch(Duration.ofHours(1)).build()).build();
        seen(triggers);
        seen(triggers.publish(LatchEvent.of("login.failed", "bob")));
        seen(triggers.publish(LatchEvent.of("login.failed", "bob")));
        seen(triggers.isHeld("login:bob", "bob"));
        RequestDigest digest = RequestDigest.of("release-42");
        ApprovalGate gate = latches.approvalGate("deploy:prod", digest).requester("dave")
                .approvers("alice", "carol").quorum(2).request();
        seen(gate);
        seen(gate.approve("alice", outbox.lastCodeFor("alice").orElseThrow(), digest));
        seen(gate.approve("carol", outbox.lastCodeFor("carol").orElseThrow() + "1", digest));
        seen(gate.approve("carol", outbox.lastCodeFor("carol").orElseThrow(), digest));
        seen(gate.trail());
        BreakGlass.Request req = BreakGlass.builder(latches).build().request("prod-db", "erin", "INC-1");
        seen(req);
        seen(req.release());
        Verdict v = latches.open("prod-db", outbox.lastCodeFor("erin").orElseThrow(), AccessContext.of("erin"));
        seen(v);
        scheduler.advance(Duration.ofDays(2));
        seen(latches.review(((Verdict.Opened) v).codeId()));
        seen(latches.acknowledgeReview(((Verdict.Opened) v).codeId(), "dave", "ok"));
        Latches dead = Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .auditSink(AuditSink_logging(), audit).delivery(DeliveryChain.builder().then(leaky).build()).build();
        seen(assertThrows(DeliveryFailedException.class,
                () -> dead.issueAndDeliver(LatchPolicy.HIGH, "login:zed", "zed", "zed", null)));
        for (dev.latch.spi.Delivery d : outbox.deliveries()) {
            seen(d);
            if (d.code() != null) {
                secret(d.code());
            }
        }
        seen(outbox);
        refused.forEach(this::secret);
        assertTrue(audit.count(AuditEvent.Type.DELIVERY_FAILED, "CODE", "FAILURE", "IOException") > 0);
        assertEquals(6, refused.size(), "every code first went to the leaky channel");
        assertTrue(secrets.size() >= 11, "codes were delivered: " + secrets.size());
        for (AuditEvent e : audit.events()) {
            seen(e);
        }
        texts.addAll(CapturedLogs.lines());
        for (String secret : secrets) {
            for (String text : texts) {
                if (text != null) {
                    assertFalse(text.contains(secret), "a code leaked into: " + text.replace(secret, "<SECRET>"));
                }
            }
        }
    }

    private static dev.latch.spi.AuditSink AuditSink_logging() {
        return dev.latch.Latches.loggingSink();
    }
}
