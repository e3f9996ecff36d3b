package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.DeliveryChain.Outbox;

import dev.latch.DeliveryChain.ConsoleChannel;

import dev.latch.DeliveryChain.DeliveryReceipt;

import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;
import dev.latch.spi.LatchStore;
import dev.latch.testing.ManualScheduler;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryTest {
    private final MutableClock clock = MutableClock.monday10am();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final Outbox outbox = new Outbox();

    static final class Failing implements DeliveryChannel {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return "sms";
        }

        @Override
        public void deliver(Delivery d) throws IOException {
            calls.incrementAndGet();
            throw new IOException("gateway down");
        }
    }

    static final class Hanging implements DeliveryChannel {
        final CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public String name() {
            return "push";
        }

        @Override
        public void deliver(Delivery d) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        }
    }

    private Latches latches(DeliveryChain chain) {
        return Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .auditSink(audit).scheduler(scheduler).delivery(chain).build();
    }

    @Test
    void firstWorkingChannelDelivers_failuresAreAuditedByChannelWithoutTheCode() {
        Failing sms = new Failing();
        Latches latches = latches(DeliveryChain.builder().then(sms).then(outbox).build());
        DeliveryReceipt r = latches.issueAndDeliver(LatchPolicy.HIGH, "login:alice", "alice", "alice", null);
        assertEquals("outbox", r.channel());
        assertEquals(List.of("sms:IOException"), r.failures());
        assertEquals(1, sms.calls.get());
        String code = outbox.lastCodeFor("alice").orElseThrow();
        assertEquals(1, audit.count(AuditEvent.Type.DELIVERY_FAILED, "CODE", "CHANNEL", "sms"));
        assertEquals(1, audit.count(AuditEvent.Type.DELIVERED, "CODE", "CHANNEL", "outbox"));
        for (AuditEvent e : audit.events()) {
            assertFalse(e.toString().contains(code), e.toString());
        }
        assertFalse(r.toString().contains(code));
        assertTrue(latches.open("login:alice", code, AccessContext.of("alice")).isOpen());
    }

    @Test
    void aHungChannelIsTimedOutAndInterrupted_theNextOneDelivers() throws Exception {
        Hanging push = new Hanging();
        Latches latches = latches(DeliveryChain.builder().then(push, Duration.ofMillis(200)).then(outbox).build());
        DeliveryReceipt r = latches.issueAndDeliver(LatchPolicy.HIGH, "login:bob", "bob", "bob", null);
        assertEquals("outbox", r.channel());
        assertEquals(List.of("push:TIMEOUT"), r.failures());
        assertTrue(push.interrupted.await(10, java.util.concurrent.TimeUnit.SECONDS), "the hung channel is interrupted");
    }

    @Test
    void everyChannelFailing_revokesTheCodeAndTellsTheCaller() {
        Outbox never = new Outbox("never-used");
        Failing sms = new Failing();
        Latches latches = latches(DeliveryChain.builder().then(sms).then(new Failing()).build());
        DeliveryFailedException e = assertThrows(DeliveryFailedException.class,
                () -> latches.issueAndDeliver(LatchPolicy.HIGH, "login:carol", "carol", "carol", null));
        assertFalse(e.backupCodesAllowed());
        assertEquals(List.of("sms:IOException", "sms:IOException"), e.failures());
        String codeId = e.receipt().codeId();
        assertEquals(CodeInfo.State.REVOKED, latches.find(codeId).orElseThrow().state());
        assertEquals(1, audit.count(AuditEvent.Type.REVOKED, "UNDELIVERED"));
        assertTrue(never.deliveries().isEmpty());
    }

    @Test
    void backupCodesPolicy_keepsTheCodeAndARecoveryCodeAnswersIt() {
        Latches latches = latches(DeliveryChain.builder().then(new Failing()).build());
        RecoveryCodes recovery = latches.issueRecoveryCodes("dan", 3);
        LatchPolicy policy = LatchPolicy.from(LatchPolicy.HIGH).backupCodes(true).build();
        DeliveryFailedException e = assertThrows(DeliveryFailedException.class,
                () -> latches.issueAndDeliver(policy, "login:dan", "dan", "dan", null));
        assertTrue(e.backupCodesAllowed());
        String codeId = e.receipt().codeId();
        assertEquals(CodeInfo.State.PENDING, latches.find(codeId).orElseThrow().state());

        Verdict wrong = latches.answerWithRecoveryCode("login:dan", "AAAAA-AAAAA", AccessContext.of("dan"));
        assertFalse(wrong.isOpen());
        Verdict v = latches.answerWithRecoveryCode("login:dan", recovery.codes().get(0), AccessContext.of("dan"));
        Verdict.Opened opened = assertInstanceOf(Verdict.Opened.class, v);
        assertEquals(codeId, opened.codeId());
        assertEquals(CodeInfo.State.REVOKED, latches.find(codeId).orElseThrow().state());
        assertEquals(DenialReason.WRONG_CODE, ((Verdict.Denied) latches.answerWithRecoveryCode("login:dan",
                recovery.codes().get(1), AccessContext.of("dan"))).reason(), "only once: nothing pending any more");
        assertEquals(2, ((Verdict.Opened) latches.redeemRecoveryCode(recovery.codes().get(1),
                AccessContext.of("dan"))).usesLeft() + 1, "the second recovery code was not spent by the refusal");
    }

    @Test
    void recoveryCodeNeverAnswersWhereNoBackupIsPending() {
        Latches latches = latches(DeliveryChain.builder().then(outbox).build());
        RecoveryCodes recovery = latches.issueRecoveryCodes("erin", 2);
        latches.issueAndDeliver(LatchPolicy.HIGH, "login:erin", "erin", "erin", null);
        Verdict v = latches.answerWithRecoveryCode("login:erin", recovery.codes().get(0), AccessContext.of("erin"));
        assertEquals(DenialReason.WRONG_CODE, ((Verdict.Denied) v).reason());
        assertEquals(DenialReason.MALFORMED, ((Verdict.Denied) latches.answerWithRecoveryCode(null, "x",
                AccessContext.of("erin"))).reason());
        assertEquals(DenialReason.MALFORMED, ((Verdict.Denied) latches.answerWithRecoveryCode("~recovery", "x",
                AccessContext.of("erin"))).reason());
    }

    @Test
    void reminderGoesOutBeforeExpiry_withoutTheCode_onlyWhilePending() {
        Latches latches = latches(DeliveryChain.builder().then(outbox).build());
        LatchPolicy policy = LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).build();
        latches.issueAndDeliver(policy, "deploy:1", "alice", "alice", null);
        latches.issueAndDeliver(policy, "deploy:2", "bob", "bob", null);
        String bobs = outbox.lastCodeFor("bob").orElseThrow();
        assertTrue(latches.open("deploy:2", bobs, AccessContext.of("bob")).isOpen());

        assertEquals(0, scheduler.advance(Duration.ofMinutes(9)));
        assertEquals(1, outbox.deliveriesTo("alice").size());
        assertEquals(2, scheduler.advance(Duration.ofMinutes(1)), "both reminders came due at 10 minutes");
        List<Delivery> toAlice = outbox.deliveriesTo("alice");
        assertEquals(2, toAlice.size());
        assertEquals(Delivery.Kind.REMINDER, toAlice.get(1).kind());
        assertNull(toAlice.get(1).code());
        assertEquals(1, outbox.deliveriesTo("bob").size(), "no reminder for a used code");
        assertEquals(1, audit.count(AuditEvent.Type.DELIVERED, "REMINDER", "CHANNEL", "outbox"));
    }

    @Test
    void renewalMovesTheReminder_andUsedOrRevokedCodesAreNeverRenewed() {
        Latches latches = latches(DeliveryChain.builder().then(outbox).build());
        LatchPolicy policy = LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).renewals(1).build();
        DeliveryReceipt r = latches.issueAndDeliver(policy, "deploy:3", "alice", "alice", null);
        scheduler.advance(Duration.ofMinutes(8));
        assertTrue(latches.renew(r.codeId()).isPresent(), "renewed once: expires 15 minutes from now");
        assertTrue(latches.renew(r.codeId()).isEmpty(), "only once");
        assertEquals(0, scheduler.advance(Duration.ofMinutes(2)) - 1, "the old reminder time only reschedules");
        assertEquals(1, outbox.deliveriesTo("alice").size());
        scheduler.advance(Duration.ofMinutes(8));
        assertEquals(2, outbox.deliveriesTo("alice").size(), "reminded 5 minutes before the new expiry");

        DeliveryReceipt used = latches.issueAndDeliver(policy, "deploy:4", "bob", "bob", null);
        assertTrue(latches.open("deploy:4", outbox.lastCodeFor("bob").orElseThrow(), AccessContext.of("bob")).isOpen());
        assertTrue(latches.renew(used.codeId()).isEmpty());
        DeliveryReceipt revoked = latches.issueAndDeliver(policy, "deploy:5", "bob", "bob", null);
        assertTrue(latches.revoke(revoked.codeId()));
        assertTrue(latches.renew(revoked.codeId()).isEmpty());
    }

    @Test
    void consoleChannelIsLabelledForDevelopmentAndWritesToItsStreamOnly() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleChannel console = ConsoleChannel.to(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Latches latches = latches(DeliveryChain.builder().then(console).build());
        latches.issueAndDeliver(LatchPolicy.HIGH, "login:zoe", "zoe", "zoe", null);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("[latch DEVELOPMENT delivery] to zoe: code "), printed);
        assertTrue(console.toString().contains("DEVELOPMENT"));
    }

    @Test
    void misconfigurationIsATypedError() {
        Latches none = Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .store(Latches.inMemoryStore()).build();
        assertThrows(IllegalStateException.class,
                () -> none.issueAndDeliver(LatchPolicy.HIGH, "l", "s", "s", null));
        assertThrows(IllegalStateException.class, () -> DeliveryChain.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> DeliveryChain.builder().then(outbox, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(15)).build());
        Latches l = latches(DeliveryChain.builder().then(outbox).build());
        assertThrows(IllegalArgumentException.class,
                () -> l.issueAndDeliver(LatchPolicy.HIGH, "l", "s", "bad\nrecipient", null));
        assertThrows(IllegalArgumentException.class,
                () -> new Delivery(Delivery.Kind.REMINDER, "r", "l", "c", "123456", clock.instant(), "p"));
    }

    @Test
    void override_whenNoChannelDelivered_anotherPersonGrantsATimeBoxedReviewedCodeOnce() {
        Latches latches = Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .auditSink(audit).scheduler(scheduler).delivery(DeliveryChain.builder().then(new Failing()).build()).build();
        assertThrows(IllegalStateException.class, () -> latches.override("login:alice", "alice", "dave", "INC-9"),
                "nothing was undelivered yet");
        assertThrows(DeliveryFailedException.class,
                () -> latches.issueAndDeliver(LatchPolicy.HIGH, "login:alice", "alice", "alice@example.com", null));
        assertThrows(IllegalArgumentException.class, () -> latches.override("login:alice", "alice", "alice", "me"),
                "the subject cannot override for themselves");
        assertEquals(1, audit.count(AuditEvent.Type.APPROVAL, "SELF_OVERRIDE"));
        IssuedCode granted = latches.override("login:alice", "alice", "dave", "INC-9: mail relay down");
        assertEquals("OVERRIDE", granted.policy());
        assertEquals(clock.instant().plus(java.time.Duration.ofMinutes(10)), granted.expiresAt(), "time-boxed");
        assertEquals(1, audit.count(AuditEvent.Type.APPROVAL, "OVERRIDE_GRANTED", "FOR", "alice"));
        assertThrows(IllegalStateException.class, () -> latches.override("login:alice", "alice", "erin", "again"),
                "one override per undelivered code");
        Verdict v = latches.open("login:alice", granted.code(), AccessContext.of("alice"));
        assertTrue(v.isOpen());
        assertTrue(((Verdict.Opened) v).reviewDue(), "a post-use review, like break-glass");
        assertFalse(latches.open("login:alice", granted.code(), AccessContext.of("alice")).isOpen(), "single use");
        assertEquals(Review.State.PENDING, latches.review(((Verdict.Opened) v).codeId()).orElseThrow().state());
        assertThrows(IllegalArgumentException.class, () -> latches.override("~reserved", "alice", "dave", "x"));
        assertThrows(IllegalArgumentException.class, () -> latches.override("login:alice", "alice", null, "x"));
    }
}
