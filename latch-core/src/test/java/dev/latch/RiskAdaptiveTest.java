package dev.latch;

import dev.latch.Condition.TimeWindow;
import dev.latch.DeliveryChain.DeliveryReceipt;
import dev.latch.DeliveryChain.Outbox;
import dev.latch.LatchPolicy.RiskTiers;
import dev.latch.LatchPolicy.RiskTiers.Strength;
import dev.latch.spi.RiskAssessor;
import dev.latch.spi.RiskAssessor.Level;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RiskAdaptiveTest {
    private static final Pepper PEPPER = Pepper.of("risk-adaptive-test-pepper-0123456789".getBytes(StandardCharsets.US_ASCII));
    private final MutableClock clock = MutableClock.monday10am();
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final RiskTiers tiers = RiskTiers.standard(LatchPolicy.HIGH);

    private Latches latches(RiskAssessor assessor, DeliveryChain chain) {
        Latches.Builder b = Latches.builder().pepper(PEPPER).clock(clock).auditSink(audit).pollDueWork(Duration.ZERO)
                .businessHours(TimeWindow.businessHours(ZoneOffset.UTC));
        if (assessor != null) {
            b.riskAssessor(assessor);
        }
        if (chain != null) {
            b.delivery(chain);
        }
        return b.build();
    }

    private static AccessContext from(String ip) {
        return AccessContext.builder("alice").source(ip).build();
    }

    private static RiskAssessor.Signals signals(String source, boolean newSource, boolean outside, int failures) {
        return new RiskAssessor.Signals("login", "alice", source, newSource, outside, failures, Map.of(), Instant.EPOCH);
    }

    @Test
    void theStandardAssessorScoresEachSign() {
        RiskAssessor a = RiskAssessor.standard();
        assertEquals(new RiskAssessor.Risk(Level.LOW, List.of()), a.assess(signals("10.0.0.1", false, false, 0)));
        assertEquals(new RiskAssessor.Risk(Level.MEDIUM, List.of("NEW_SOURCE")), a.assess(signals("10.0.0.1", true, false, 2)));
        assertEquals(new RiskAssessor.Risk(Level.HIGH, List.of("NEW_SOURCE", "OUTSIDE_BUSINESS_HOURS")),
                a.assess(signals("10.0.0.1", true, true, 0)));
        assertEquals(new RiskAssessor.Risk(Level.HIGH, List.of("MANY_RECENT_FAILURES")), a.assess(signals("10.0.0.1", false, false, 10)));
        assertEquals(new RiskAssessor.Risk(Level.CRITICAL, List.of("NO_SOURCE", "OUTSIDE_BUSINESS_HOURS", "RECENT_FAILURES")),
                a.assess(signals(null, false, true, 3)));
    }

    @Test
    void aLowRiskCodeIsTheBaseAndAHighRiskCodeIsStrongerAndAudited() {
        Latches latches = latches(null, null);
        RiskTiers.Decision low = latches.assess(tiers, "login", "alice", from("10.0.0.1"), false, 0);
        assertEquals(Level.LOW, low.risk().level());
        IssuedCode lowCode = latches.issue(low);
        assertEquals(6, lowCode.code().length());
        assertEquals(clock.instant().plus(Duration.ofMinutes(15)), lowCode.expiresAt());

        clock.advance(Duration.ofHours(10)); // 20:00, outside business hours
        RiskTiers.Decision high = latches.assess(tiers, "login", "alice", from("10.0.0.2"), true, 0);
        assertEquals(new RiskAssessor.Risk(Level.HIGH, List.of("NEW_SOURCE", "OUTSIDE_BUSINESS_HOURS")), high.risk());
        assertEquals(2, high.strength().approvers());
        IssuedCode code = latches.issue(high);
        assertEquals(8, code.code().length());
        assertEquals(clock.instant().plus(Duration.ofMinutes(5)), code.expiresAt());
        AuditEvent issued = audit.ofType(AuditEvent.Type.ISSUED).get(1);
        assertEquals("HIGH", issued.details().get("RISK"));
        assertEquals("NEW_SOURCE+OUTSIDE_BUSINESS_HOURS", issued.details().get("RISK_REASONS"));
        assertEquals("2", issued.details().get("APPROVERS"));
        // three wrong attempts (the HIGH tier's limit) burn it: the right code no longer opens
        for (int i = 0; i < 3; i++) {
            latches.open("login", "00000000".equals(code.code()) ? "11111111" : "00000000", AccessContext.of("alice"));
        }
        assertFalse(latches.open("login", code.code(), AccessContext.of("alice")).isOpen());
    }

    @Test
    void criticalIsTenDigitsOneAttempt() {
        Latches latches = latches(null, null);
        clock.advance(Duration.ofHours(10));
        RiskTiers.Decision d = latches.assess(tiers, "login", "alice", AccessContext.of("alice"), false, 5);
        assertEquals(Level.CRITICAL, d.risk().level());
        assertEquals(1, d.policy().maxAttempts());
        assertEquals(10, latches.issue(d).code().length());
    }

    @Test
    void aFailingAssessorMakesCodesStrongerAndIsAudited() {
        for (RiskAssessor broken : List.<RiskAssessor>of(s -> {
            throw new IllegalStateException("model down");
        }, s -> null)) {
            audit.clear();
            Latches latches = latches(broken, null);
            RiskTiers.Decision d = latches.assess(tiers, "login", "alice", from("10.0.0.1"), false, 0);
            assertEquals(new RiskAssessor.Risk(Level.CRITICAL, List.of("ASSESSOR_FAILED")), d.risk());
            assertEquals(1, audit.count(AuditEvent.Type.ALERT, "RISK_ASSESSOR_FAILED"));
        }
    }

    @Test
    void aTierCanRestrictTheDeliveryChannels() {
        Outbox sms = new Outbox("sms");
        Outbox app = new Outbox("authenticator");
        DeliveryChain chain = DeliveryChain.builder().then(sms).then(app).build();
        RiskTiers onlyApp = RiskTiers.builder(LatchPolicy.HIGH)
                .tier(Level.LOW, new Strength(Duration.ofMinutes(15), CodeFormat.numeric(6), 5, 1, Set.of()))
                .tier(Level.MEDIUM, new Strength(Duration.ofMinutes(10), CodeFormat.numeric(8), 3, 1, Set.of()))
                .tier(Level.HIGH, new Strength(Duration.ofMinutes(5), CodeFormat.numeric(8), 3, 2, Set.of("authenticator")))
                .tier(Level.CRITICAL, new Strength(Duration.ofMinutes(3), CodeFormat.numeric(10), 1, 2, Set.of("authenticator")))
                .build();
        Latches latches = latches(s -> new RiskAssessor.Risk(Level.HIGH, List.of("TEST")), chain);
        DeliveryReceipt r = latches.issueAndDeliver(latches.assess(onlyApp, "login", "alice", from("10.0.0.1"), false, 0),
                "alice");
        assertEquals("authenticator", r.channel());
        assertEquals(0, sms.deliveries().size(), "SMS is not allowed at HIGH");
        assertEquals(1, app.deliveries().size());
        Latches low = latches(s -> new RiskAssessor.Risk(Level.LOW, List.of()), chain);
        assertEquals("sms", low.issueAndDeliver(low.assess(onlyApp, "login", "bob", from("10.0.0.1"), false, 0), "bob")
                .channel());
        RiskTiers nowhere = RiskTiers.builder(LatchPolicy.HIGH)
                .tier(Level.LOW, new Strength(Duration.ofMinutes(15), CodeFormat.numeric(6), 5, 1, Set.of("pager")))
                .tier(Level.MEDIUM, new Strength(Duration.ofMinutes(10), CodeFormat.numeric(8), 3, 1, Set.of("pager")))
                .tier(Level.HIGH, new Strength(Duration.ofMinutes(5), CodeFormat.numeric(8), 3, 2, Set.of("pager")))
                .tier(Level.CRITICAL, new Strength(Duration.ofMinutes(3), CodeFormat.numeric(10), 1, 2, Set.of("pager")))
                .build();
        assertThrows(DeliveryFailedException.class, () -> latches.issueAndDeliver(
                latches.assess(nowhere, "login", "carol", from("10.0.0.1"), false, 0), "carol"));
    }

    @Test
    void tiersBelowTheFloorAreRefusedAtConfiguration() {
        Strength ok = new Strength(Duration.ofMinutes(5), CodeFormat.numeric(8), 3, 2, Set.of());
        RiskTiers.Builder b = RiskTiers.builder(LatchPolicy.HIGH);
        // no code format weaker than six digits exists to configure a tier with
        String m = assertThrows(IllegalArgumentException.class, () -> b.tier(Level.LOW,
                new Strength(Duration.ofMinutes(5), CodeFormat.numeric(4), 3, 1, Set.of()))).getMessage();
        assertTrue(m.contains("6 to 10 digits"), m);
        m = assertThrows(IllegalArgumentException.class, () -> b.tier(Level.CRITICAL,
                new Strength(Duration.ofMinutes(30), CodeFormat.numeric(8), 3, 2, Set.of()))).getMessage();
        assertTrue(m.contains("CRITICAL") && m.contains("PT10M"), m);
        m = assertThrows(IllegalArgumentException.class, () -> b.tier(Level.HIGH,
                new Strength(Duration.ofMinutes(5), CodeFormat.numeric(8), 3, 0, Set.of()))).getMessage();
        assertTrue(m.contains("approvers"), m);
        assertThrows(IllegalArgumentException.class, () -> b.tier(Level.HIGH,
                new Strength(Duration.ofMinutes(5), CodeFormat.numeric(8), 0, 1, Set.of())));
        b.tier(Level.LOW, ok).tier(Level.MEDIUM, ok).tier(Level.HIGH, ok);
        assertThrows(IllegalArgumentException.class, () -> b.tier(Level.HIGH, ok), "once per level");
        assertTrue(assertThrows(IllegalArgumentException.class, b::build).getMessage().contains("CRITICAL has no tier"));
        m = assertThrows(IllegalArgumentException.class, () -> RiskTiers.builder(LatchPolicy.HIGH)
                .tier(Level.LOW, ok).tier(Level.MEDIUM, ok).tier(Level.HIGH, ok)
                .tier(Level.CRITICAL, new Strength(Duration.ofMinutes(5), CodeFormat.numeric(8), 3, 1, Set.of())).build())
                .getMessage();
        assertTrue(m.contains("CRITICAL is weaker than HIGH: fewer approvers"), m);
        m = assertThrows(IllegalArgumentException.class, () -> RiskTiers.builder(LatchPolicy.HIGH)
                .tier(Level.LOW, ok)
                .tier(Level.MEDIUM, new Strength(Duration.ofMinutes(5), CodeFormat.numeric(6), 3, 2, Set.of()))
                .tier(Level.HIGH, ok).tier(Level.CRITICAL, ok).build()).getMessage();
        assertTrue(m.contains("weaker code"), m);
    }

    @Test
    void badInput() {
        Latches latches = latches(null, null);
        assertThrows(IllegalArgumentException.class, () -> latches.assess(null, "login", "alice", from("10.0.0.1"), false, 0));
        assertThrows(IllegalArgumentException.class, () -> latches.assess(tiers, "login", "alice", null, false, 0));
        assertThrows(IllegalArgumentException.class, () -> latches.assess(tiers, "login", "alice", from("10.0.0.1"), false, -1));
        assertThrows(IllegalArgumentException.class, () -> latches.assess(tiers, "x\nFORGED", "alice", from("10.0.0.1"), false, 0));
        assertThrows(IllegalArgumentException.class, () -> latches.issue((RiskTiers.Decision) null));
        RiskTiers.Decision d = latches.assess(tiers, "login", "alice", from("10.0.0.1"), false, 0);
        RiskTiers.Decision reserved = new RiskTiers.Decision("~gate/x", "alice", d.risk(), d.strength(), d.policy());
        assertThrows(IllegalArgumentException.class, () -> latches.issue(reserved), "reserved latch ids stay reserved");
        assertThrows(IllegalArgumentException.class, () -> new RiskAssessor.Risk(Level.LOW, List.of("lower case")));
        assertThrows(IllegalArgumentException.class, () -> new RiskAssessor.Risk(null, List.of()));
    }
}
