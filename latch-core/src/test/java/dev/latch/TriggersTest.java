package dev.latch;

import dev.latch.Triggers.LatchEvent;
import dev.latch.Triggers.EventResult;

import dev.latch.DeliveryChain.Outbox;

import dev.latch.internal.InMemoryLatchStore;
import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;
import dev.latch.spi.LatchStore;
import dev.latch.testing.FailingStore;
import dev.latch.testing.ManualScheduler;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TriggersTest {
    private final MutableClock clock = MutableClock.monday10am();
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final Outbox outbox = new Outbox();
    private final InMemoryLatchStore store = new InMemoryLatchStore(10_000);

    private static final Trigger FAILED_LOGINS = Trigger.on("login.failed")
            .threshold(3, Duration.ofMinutes(10))
            .cooldown(Duration.ofMinutes(15))
            .challenge(LatchPolicy.HIGH, e -> "login:" + e.subject())
            .holdLatch(Duration.ofHours(1))
            .build();

    private Latches latches(LatchStore store, DeliveryChain chain) {
        return Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .store(store).auditSink(audit).scheduler(new ManualScheduler(clock)).delivery(chain).build();
    }

    private Triggers triggers(Latches latches) {
        return Triggers.builder(latches).add(FAILED_LOGINS).build();
    }

    @Test
    void threeFailuresWithinTenMinutes_issueOneChallenge_andHoldTheLatchUntilAnswered() {
        Latches latches = latches(store, DeliveryChain.builder().then(outbox).build());
        Triggers triggers = triggers(latches);
        LatchEvent failed = LatchEvent.of("login.failed", "alice");
        assertEquals(EventResult.Outcome.COUNTED, triggers.publish(failed).outcome());
        clock.advance(Duration.ofMinutes(4));
        assertEquals(EventResult.Outcome.COUNTED, triggers.publish(failed).outcome());
        assertFalse(triggers.isHeld("login:alice", "alice"));
        clock.advance(Duration.ofMinutes(5));
        EventResult r = triggers.publish(failed);
        assertEquals(EventResult.Outcome.CHALLENGED, r.outcome());
        EventResult.Step step = r.steps().get(0);
        assertEquals(3, step.inWindow());
        assertEquals("login:alice", step.latchId());
        assertEquals("outbox", step.channel());
        assertTrue(triggers.isHeld("login:alice", "alice"));
        assertFalse(triggers.isHeld("login:alice", "bob"));
        assertEquals(1, audit.ofType(AuditEvent.Type.TRIGGERED).size());

        String code = outbox.lastCodeFor("alice").orElseThrow();
        assertFalse(latches.open("login:alice", "000000".equals(code) ? "000001" : "000000",
                AccessContext.of("alice")).isOpen());
        assertTrue(triggers.isHeld("login:alice", "alice"), "a wrong answer keeps the hold");
        assertTrue(latches.open("login:alice", code, AccessContext.of("alice")).isOpen());
        assertFalse(triggers.isHeld("login:alice", "alice"), "answered");
    }

    @Test
    void failuresSpreadBeyondTheWindow_neverFire() {
        Latches latches = latches(store, DeliveryChain.builder().then(outbox).build());
        Triggers triggers = triggers(latches);
        for (int i = 0; i < 10; i++) {
            assertEquals(EventResult.Outcome.COUNTED, triggers.publish(LatchEvent.of("login.failed", "bob")).outcome());
            clock.advance(Duration.ofMinutes(6));
        }
        assertTrue(outbox.deliveries().isEmpty());
    }

    @Test
    void oneBurstIssuesOneChallenge() {
        Latches latches = latches(store, DeliveryChain.builder().then(outbox).build());
        Triggers triggers = triggers(latches);
        int challenged = 0;
        for (int i = 0; i < 50; i++) {
            EventResult r = triggers.publish(LatchEvent.of("login.failed", "carol"));
            challenged += r.outcome() == EventResult.Outcome.CHALLENGED ? 1 : 0;
            clock.advance(Duration.ofSeconds(5));
        }
        assertEquals(1, challenged);
        assertEquals(1, outbox.deliveriesTo("carol").size());
    }

    @Test
    void challengeGoesThroughTheFallbackChain_andAnUndeliverableOneKeepsTheHold() {
        DeliveryChannel down = new DeliveryChannel() {
            @Override
            public String name() {
                return "email";
            }

            @Override
            public void deliver(Delivery d) throws IOException {
                throw new IOException("smtp refused");
            }
        };
        Latches latches = latches(store, DeliveryChain.builder().then(down).then(outbox).build());
        Triggers triggers = triggers(latches);
        for (int i = 0; i < 3; i++) {
            triggers.publish(LatchEvent.of("login.failed", "dave"));
        }
        assertEquals(1, audit.count(AuditEvent.Type.DELIVERY_FAILED, "CODE", "CHANNEL", "email"));
        assertTrue(outbox.lastCodeFor("dave").isPresent());

        Latches noWay = latches(Latches.inMemoryStore(), DeliveryChain.builder().then(down).build());
        Triggers t2 = triggers(noWay);
        t2.publish(LatchEvent.of("login.failed", "erin"));
        t2.publish(LatchEvent.of("login.failed", "erin"));
        EventResult r = t2.publish(LatchEvent.of("login.failed", "erin"));
        assertEquals(EventResult.Outcome.CHALLENGE_FAILED, r.outcome());
        assertEquals("UNDELIVERED", r.steps().get(0).failure());
        assertTrue(t2.isHeld("login:erin", "erin"), "fail closed: the hold stays");
        clock.advance(Duration.ofMinutes(61));
        assertFalse(t2.isHeld("login:erin", "erin"), "until the hold runs out");
    }

    @Test
    void attributesAndTypesSelectTriggers_unknownEventsAreUnmatched() {
        Trigger consoleOnly = Trigger.on("login.failed").name("console-logins").when("app", "console")
                .threshold(1, Duration.ofMinutes(1)).challenge(LatchPolicy.HIGH, e -> "console:" + e.subject()).build();
        Latches latches = latches(store, DeliveryChain.builder().then(outbox).build());
        Triggers triggers = Triggers.builder(latches).add(FAILED_LOGINS).add(consoleOnly).build();
        EventResult unknown = triggers.publish(LatchEvent.of("payment.failed", "frank"));
        assertEquals(EventResult.Outcome.UNMATCHED, unknown.outcome());
        assertTrue(unknown.steps().isEmpty());
        EventResult web = triggers.publish(LatchEvent.of("login.failed", "frank").with("app", "web"));
        assertEquals(1, web.steps().size());
        EventResult console = triggers.publish(LatchEvent.of("login.failed", "frank").with("app", "console"));
        assertEquals(2, console.steps().size());
        assertEquals(EventResult.Outcome.CHALLENGED, console.outcome());
        assertEquals("console:frank", console.steps().get(1).latchId());
        assertThrows(IllegalArgumentException.class, () -> Triggers.builder(latches).add(FAILED_LOGINS).add(FAILED_LOGINS));
    }

    @Test
    void badEventsAreTypedErrors() {
        assertThrows(IllegalArgumentException.class, () -> LatchEvent.of(null, "a"));
        assertThrows(IllegalArgumentException.class, () -> LatchEvent.of("", "a"));
        assertThrows(IllegalArgumentException.class, () -> LatchEvent.of("login failed", "a"));
        assertThrows(IllegalArgumentException.class, () -> LatchEvent.of("x".repeat(65), "a"));
        assertThrows(IllegalArgumentException.class, () -> LatchEvent.of("login.failed", "a\u0000b"));
        assertThrows(IllegalArgumentException.class, () -> LatchEvent.of("login.failed", "a".repeat(257)));
        assertThrows(IllegalArgumentException.class, () -> new LatchEvent("t", "s", Map.of("k", "v\n")));
        Latches latches = latches(store, DeliveryChain.builder().then(outbox).build());
        assertThrows(IllegalArgumentException.class, () -> triggers(latches).publish(null));
        assertFalse(triggers(latches).isHeld(null, "a"));
        assertThrows(IllegalStateException.class, () -> Trigger.on("x").build());
        assertThrows(IllegalArgumentException.class, () -> Trigger.on("x").threshold(0, Duration.ofMinutes(1)));
        Latches noDelivery = Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .build();
        assertThrows(IllegalStateException.class, () -> Triggers.builder(noDelivery).add(FAILED_LOGINS).build());
    }

    @Test
    void aFailingStoreFailsClosedWithATypedExceptionAndAnAuditEvent() {
        FailingStore failing = new FailingStore(store);
        Latches latches = latches(failing, DeliveryChain.builder().then(outbox).build());
        Triggers triggers = triggers(latches);
        triggers.publish(LatchEvent.of("login.failed", "gina"));
        failing.fail = true;
        assertThrows(LatchStoreException.class, () -> triggers.publish(LatchEvent.of("login.failed", "gina")));
        assertThrows(LatchStoreException.class, () -> triggers.isHeld("login:gina", "gina"));
        assertEquals(2, audit.ofType(AuditEvent.Type.STORE_FAILURE).size());
        failing.fail = false;
        assertEquals(2, triggers.publish(LatchEvent.of("login.failed", "gina")).steps().get(0).inWindow(),
                "the failed publish counted nothing");
    }

    /**
     * 10^5 events for one subject: the store holds one bounded entry for the key (at most the
     * threshold's times), the only code is the one challenge, and the retained heap does not grow
     * with the number of events.
     */
    @Test
    void floodOfOneHundredThousandEventsForOneSubject_keepsMemoryBounded() {
        Latches latches = latches(store, DeliveryChain.builder().then(outbox).build());
        Triggers triggers = triggers(latches);
        for (int i = 0; i < 1_000; i++) {
            triggers.publish(LatchEvent.of("login.failed", "mallory"));
        }
        long entriesAfterWarmup = store.size();
        long heapAfterWarmup = usedHeapAfterGc();
        int challenged = 0;
        for (int i = 0; i < 100_000; i++) {
            clock.advance(Duration.ofMillis(1));
            if (triggers.publish(LatchEvent.of("login.failed", "mallory")).outcome() == EventResult.Outcome.CHALLENGED) {
                challenged++;
            }
        }
        long entries = store.size();
        long heap = usedHeapAfterGc();
        assertEquals(0, challenged, "100 s of events fall inside the 15 minute cooldown of the first challenge");
        assertEquals(entriesAfterWarmup, entries, "one window entry for the key, whatever the number of events");
        // An unbounded record of the events would retain at least 800 KiB (10^5 longs).
        assertTrue(heap - heapAfterWarmup < 400L * 1024,
                "retained heap grew by " + (heap - heapAfterWarmup) / 1024 + " KiB");
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    @Test
    void rateLimitedChallenge_isReportedAndStillHolds() {
        Latches latches = Latches.builder().clock(clock).pepper(Pepper.generate(new java.security.SecureRandom()))
                .store(store).auditSink(audit).issueRateLimit(RateLimit.of(1, Duration.ofHours(1)))
                .delivery(DeliveryChain.builder().then(outbox).build()).build();
        Trigger quick = Trigger.on("login.failed").threshold(1, Duration.ofMinutes(1)).cooldown(Duration.ZERO)
                .challenge(LatchPolicy.HIGH, e -> "login:" + e.subject()).holdLatch(Duration.ofMinutes(30)).build();
        Triggers triggers = Triggers.builder(latches).add(quick).build();
        assertEquals(EventResult.Outcome.CHALLENGED, triggers.publish(LatchEvent.of("login.failed", "hal")).outcome());
        String first = outbox.lastCodeFor("hal").orElseThrow();
        EventResult r = triggers.publish(LatchEvent.of("login.failed", "hal"));
        assertEquals(EventResult.Outcome.CHALLENGE_FAILED, r.outcome());
        assertEquals("RATE_LIMITED", r.steps().get(0).failure());
        assertNull(r.steps().get(0).codeId());
        assertTrue(latches.open("login:hal", first, AccessContext.of("hal")).isOpen(), "the pending challenge still answers");
        assertTrue(triggers.isHeld("login:hal", "hal"), "the rate-limited challenge's hold has no code to answer");
    }
}
