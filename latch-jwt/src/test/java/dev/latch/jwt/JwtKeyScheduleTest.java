package dev.latch.jwt;

import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.SignerException;
import dev.latch.Verdict;
import dev.latch.Verdict.DenialReason;
import dev.latch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtKeyScheduleTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final MutableClock clock = MutableClock.monday10am();
    private final Instant t = clock.instant().plus(Duration.ofHours(1));
    private final JwtKey k1 = JwtKey.generate("k1", JwtAlgorithm.ES256, "orders", RANDOM);
    private final JwtKey k2 = JwtKey.generate("k2", JwtAlgorithm.ES256, "orders", RANDOM);
    private final JwtKeySchedule schedule = JwtKeySchedule.builder(Duration.ofDays(1), Duration.ofMinutes(20))
            .key(k1, t).key(k2, t.plus(Duration.ofDays(30))).build();

    private SignedJwts jwts() {
        return SignedJwts.builder(schedule).audiences("orders").clock(clock).auditSink(e -> { }).build();
    }

    private static String kid(String token) {
        String header = new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
                java.nio.charset.StandardCharsets.UTF_8);
        return header.replaceAll(".*\"kid\":\"([^\"]+)\".*", "$1");
    }

    private String sign(SignedJwts jwts) {
        return jwts.sign(Grant.builder("orders", "billing").ttl(Duration.ofMinutes(15)).build());
    }

    private Verdict verify(SignedJwts jwts, String token) {
        return jwts.verify(token, Requirement.of("orders"), AccessContext.of("billing"));
    }

    @Test
    void publishedBeforeItSignsPrimaryOnScheduleRetiredAfterTheLongestToken() {
        SignedJwts jwts = jwts();
        assertThrows(SignerException.class, () -> sign(jwts), "nothing signs before the first key's time");
        clock.set(t);
        String first = sign(jwts);
        assertEquals("k1", kid(first));
        assertFalse(jwts.currentKeys().toPublicJwkSet().contains("\"k2\""), "k2 not published a month ahead");

        clock.set(t.plus(Duration.ofDays(29)).plus(Duration.ofHours(1)));
        assertTrue(jwts.currentKeys().toPublicJwkSet().contains("\"k2\""), "k2 published a day before it signs");
        String stillK1 = sign(jwts);
        assertEquals("k1", kid(stillK1), "published, not signing yet");

        clock.set(t.plus(Duration.ofDays(30)).minus(Duration.ofMinutes(1)));
        String lastOfK1 = sign(jwts);
        clock.set(t.plus(Duration.ofDays(30)));
        assertEquals("k2", kid(sign(jwts)), "k2 signs from its time");
        clock.advance(Duration.ofMinutes(14));
        assertTrue(verify(jwts, lastOfK1).isOpen(), "k1's last token verifies until it expires");
        clock.advance(Duration.ofMinutes(6)); // 20 minutes after k2 took over
        assertEquals(new Verdict.Denied(DenialReason.UNKNOWN_KEY), verify(jwts, lastOfK1), "k1 retired");
        assertFalse(jwts.currentKeys().toPublicJwkSet().contains("\"k1\""));
    }

    @Test
    void everyInstanceWithTheScheduleAgrees() {
        clock.set(t.plus(Duration.ofDays(30)).plus(Duration.ofMinutes(5)));
        SignedJwts a = jwts();
        SignedJwts b = jwts(); // another instance, or this one after a restart
        assertEquals("k2", kid(sign(a)));
        assertTrue(verify(b, sign(a)).isOpen());
        assertEquals(a.currentKeys().toPublicJwkSet(), b.currentKeys().toPublicJwkSet());
    }

    @Test
    void nextChange() {
        assertEquals(t.plus(Duration.ofDays(29)), schedule.nextChange(t));
        assertEquals(t.plus(Duration.ofDays(30)), schedule.nextChange(t.plus(Duration.ofDays(29))));
        assertEquals(t.plus(Duration.ofDays(30)).plus(Duration.ofMinutes(20)), schedule.nextChange(t.plus(Duration.ofDays(30))));
        assertNull(schedule.nextChange(t.plus(Duration.ofDays(31))));
    }

    @Test
    void schedulesThatWouldRetireAKeyTooEarlyOrOutOfOrderAreRefused() {
        JwtKeySchedule quick = JwtKeySchedule.builder(Duration.ofDays(1), Duration.ofMinutes(5)).key(k1, t).build();
        String m = assertThrows(IllegalArgumentException.class, () -> SignedJwts.builder(quick).build()).getMessage();
        assertTrue(m.contains("longest token"), m);
        SignedJwts.builder(quick).maxLifetime(Duration.ofMinutes(2)).skew(Duration.ofSeconds(30)).build();
        assertThrows(IllegalArgumentException.class, () -> JwtKeySchedule.builder(Duration.ofDays(1), Duration.ofMinutes(20))
                .key(k2, t).key(k1, t));
        assertThrows(IllegalArgumentException.class, () -> JwtKeySchedule.builder(Duration.ofDays(1), Duration.ofMinutes(20))
                .key(k1, t).key(k1, t.plusSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> JwtKeySchedule.builder(Duration.ofDays(1), Duration.ofMinutes(20))
                .key(JwtKeySet.fromJwkSet(JwtKeySet.of(k1).toPublicJwkSet(), "orders").keys().get(0), t), "verify-only keys do not sign");
        assertThrows(IllegalArgumentException.class, () -> JwtKeySchedule.builder(Duration.ofDays(1), Duration.ofMinutes(20)).build());
        assertThrows(IllegalArgumentException.class, () -> JwtKeySchedule.builder(Duration.ofDays(-1), Duration.ofMinutes(20)));
        assertThrows(IllegalArgumentException.class, () -> JwtKeySchedule.builder(Duration.ofDays(1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> SignedJwts.builder((JwtKeySchedule) null));
    }
}
