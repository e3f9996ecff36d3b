package dev.latch;

import dev.latch.Condition.TimeWindow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoliciesAndFormatsTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 5, 11})
    void numeric_outsideSixToTenDigits_isRefused(int digits) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodeFormat.numeric(digits));
        assertTrue(e.getMessage().contains(Integer.toString(digits)), "names the bad value: " + e.getMessage());
    }

    @Test
    void formats_entropyAndLength() {
        assertEquals(19.93, CodeFormat.numeric(6).entropyBits(), 0.01);
        assertEquals(50.0, CodeFormat.base32(10).entropyBits());
        assertEquals(128.0, CodeFormat.opaque(16).entropyBits());
        assertEquals(22, CodeFormat.opaque(16).length());
        assertThrows(IllegalArgumentException.class, () -> CodeFormat.opaque(15));
        assertThrows(IllegalArgumentException.class, () -> CodeFormat.base32(7));
    }

    @Test
    void presets_matchTheDocumentedTiers() {
        assertEquals(Duration.ofHours(1), LatchPolicy.LOW.ttl());
        assertEquals(Duration.ofMinutes(15), LatchPolicy.HIGH.ttl());
        assertEquals(Duration.ofMinutes(10), LatchPolicy.EMERGENCY.ttl());
        assertEquals(1, LatchPolicy.EMERGENCY.maxUses());
        assertTrue(LatchPolicy.EMERGENCY.reviewRequired());
        assertEquals(5, LatchPolicy.custom().build().maxAttempts());
        assertEquals(1, LatchPolicy.custom().build().maxUses());
    }

    @Test
    void policyBuilder_validatesAtOnceAndRefusesSecondSet() {
        LatchPolicy.Builder b = LatchPolicy.custom().ttl(Duration.ofMinutes(5));
        assertThrows(IllegalStateException.class, () -> b.ttl(Duration.ofMinutes(6)));
        assertThrows(IllegalArgumentException.class, () -> LatchPolicy.custom().ttl(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> LatchPolicy.custom().ttl(Duration.ofDays(31)));
        assertThrows(IllegalArgumentException.class, () -> LatchPolicy.custom().maxAttempts(0));
        assertThrows(IllegalArgumentException.class, () -> LatchPolicy.custom().maxAttempts(101));
        assertThrows(IllegalArgumentException.class, () -> LatchPolicy.custom().renewals(11));
        assertThrows(IllegalArgumentException.class,
                () -> LatchPolicy.custom().ttl(Duration.ofMinutes(5)).notBefore(Duration.ofMinutes(5)).build());
    }

    @Test
    void policyFrom_copiesUnsetValues() {
        LatchPolicy p = LatchPolicy.from(LatchPolicy.EMERGENCY).ttl(Duration.ofMinutes(5)).build();
        assertEquals(Duration.ofMinutes(5), p.ttl());
        assertTrue(p.reviewRequired());
        assertEquals(CodeFormat.numeric(8), p.format());
        assertEquals("EMERGENCY", p.name());
    }

    @Test
    void lockoutPolicy_neverAllowsMoreThan100Failures() {
        assertThrows(IllegalArgumentException.class, () -> LockoutPolicy.of(101, Duration.ofMinutes(1), Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> LockoutPolicy.of(0, Duration.ofMinutes(1), Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> LockoutPolicy.of(3, Duration.ofMinutes(2), Duration.ofMinutes(1)));
        LockoutPolicy p = LockoutPolicy.of(3, Duration.ofMinutes(1), Duration.ofMinutes(10));
        Instant t = Instant.EPOCH;
        assertEquals(null, p.lockUntil(2, t));
        assertEquals(t.plus(Duration.ofMinutes(1)), p.lockUntil(3, t));
        assertEquals(t.plus(Duration.ofMinutes(2)), p.lockUntil(4, t));
        assertEquals(t.plus(Duration.ofMinutes(8)), p.lockUntil(6, t));
        assertEquals(t.plus(Duration.ofMinutes(10)), p.lockUntil(7, t), "capped");
        assertEquals(t.plus(Duration.ofMinutes(10)), p.lockUntil(1_000_000, t), "no overflow");
    }

    @Test
    void pepper_refusesShortOrConstantKeysAndNeverPrints() {
        assertThrows(IllegalArgumentException.class, () -> Pepper.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Pepper.of(new byte[64]));
        assertThrows(IllegalArgumentException.class, () -> Pepper.fromBase64(null));
        assertThrows(IllegalArgumentException.class, () -> Pepper.fromBase64("not base64!"));
        assertEquals("Pepper[default, ***]", Pepper.generate(new java.security.SecureRandom()).toString());
    }

    @Test
    void timeWindow_wrapsMidnightAndRespectsDays() {
        TimeWindow night = TimeWindow.of(LocalTime.of(22, 0), LocalTime.of(6, 0), ZoneId.of("UTC"),
                EnumSet.of(DayOfWeek.FRIDAY));
        assertTrue(night.contains(Instant.parse("2026-03-06T23:00:00Z")), "Friday 23:00");
        assertTrue(night.contains(Instant.parse("2026-03-07T05:59:59Z")), "Saturday 05:59, started Friday");
        assertFalse(night.contains(Instant.parse("2026-03-07T06:00:00Z")));
        assertFalse(night.contains(Instant.parse("2026-03-07T23:00:00Z")), "Saturday night is not Friday");
        TimeWindow hours = TimeWindow.businessHours(ZoneId.of("America/New_York"));
        assertTrue(hours.contains(Instant.parse("2026-03-02T14:00:00Z")));
        assertFalse(hours.contains(Instant.parse("2026-03-02T22:00:00Z")));
        assertEquals(hours, TimeWindow.decode(hours.encode()));
    }

    @Test
    void conditions_roundTripThroughTheirStoredForm() {
        List<Condition> all = List.of(Condition.sourceIn("10.0.0.0/8", "2001:db8::/32", "192.0.2.1-192.0.2.9"),
                Condition.within(TimeWindow.businessHours(ZoneId.of("Europe/Berlin"))),
                Condition.attribute("team name", "ops & sre", "a=b"));
        assertEquals(all, Condition.decodeAll(Condition.encodeAll(all)));
        assertEquals(List.of(), Condition.decodeAll(""));
    }

    @Test
    void accessContext_refusesHostNamesAndBadText() {
        assertThrows(IllegalArgumentException.class, () -> AccessContext.builder("s").source("localhost"));
        assertThrows(IllegalArgumentException.class, () -> AccessContext.builder("s").source("example.com"));
        assertThrows(IllegalArgumentException.class, () -> AccessContext.builder("s").source("1.2.3"));
        assertThrows(IllegalArgumentException.class, () -> AccessContext.builder("s").source("01.2.3.4"));
        assertThrows(IllegalArgumentException.class, () -> AccessContext.builder("s").source("fe80::1%eth0"));
        assertThrows(IllegalArgumentException.class, () -> AccessContext.of(""));
        assertThrows(IllegalArgumentException.class, () -> AccessContext.of("a\nb"));
        assertEquals("2001:db8:0:0:0:0:0:1", AccessContext.builder("s").source("2001:DB8::1").build().source().orElseThrow());
        assertEquals("10.0.0.1", AccessContext.builder("s").source("::ffff:10.0.0.1").build().source().orElseThrow());
    }

    @Test
    void requestDigest_comparesByContentAndPrintsAPrefixOnly() {
        RequestDigest a = RequestDigest.of("x");
        assertEquals(a, RequestDigest.ofDigest(a.bytes()));
        assertFalse(a.matches(RequestDigest.of("y")));
        assertTrue(a.toString().length() < 30);
        assertThrows(IllegalArgumentException.class, () -> RequestDigest.ofDigest(new byte[31]));
    }

    @Test
    void grant_requiresExpiryAndValidatesFields() {
        assertThrows(IllegalArgumentException.class, () -> Grant.builder("r", "s").build());
        assertThrows(IllegalArgumentException.class, () -> Grant.builder("r", "s").ttl(Duration.ofMinutes(1))
                .sourceRange("not-a-range").build());
        assertThrows(IllegalArgumentException.class, () -> Grant.builder("r", "s").permissions("r w"));
        Grant g = Grant.builder("blob:/a", "s").permissions("r", "w", "r").ttl(Duration.ofMinutes(5))
                .sourceRange("10.0.0.0/8").build();
        assertEquals(List.of("r", "w"), g.permissions());
        assertEquals(Instant.EPOCH.plus(Duration.ofMinutes(5)), g.expiresAt(Instant.EPOCH));
    }
}
