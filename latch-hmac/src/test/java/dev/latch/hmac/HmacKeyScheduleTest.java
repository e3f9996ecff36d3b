package dev.latch.hmac;

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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HmacKeyScheduleTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final MutableClock clock = MutableClock.monday10am();
    private final Instant t = clock.instant().plus(Duration.ofHours(1));
    private final HmacKey k1 = HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, RANDOM);
    private final HmacKey k2 = HmacKey.generate("k2", HmacAlgorithm.HMAC_SHA256, RANDOM);
    private final HmacKeySchedule schedule = HmacKeySchedule.builder(Duration.ofMinutes(5), Duration.ofHours(2))
            .key(k1, t).key(k2, t.plus(Duration.ofDays(30))).build();

    private SignedTokens tokens() {
        return SignedTokens.builder(schedule).maxTtl(Duration.ofHours(1)).clock(clock).auditSink(e -> { }).build();
    }

    private String sign(SignedTokens tokens) {
        return tokens.sign(Grant.builder("/blobs/q3.pdf", "partner").permissions("read").ttl(Duration.ofHours(1)).build());
    }

    private Verdict verify(SignedTokens tokens, String token) {
        return tokens.verify(token, Requirement.of("/blobs/q3.pdf", "read"), AccessContext.of("partner"));
    }

    @Test
    void primaryOnScheduleAndRetiredAfterTheLongestToken() {
        SignedTokens tokens = tokens();
        assertThrows(SignerException.class, () -> sign(tokens), "no key before the first key's time");
        clock.set(t);
        String first = sign(tokens);
        assertEquals("k1", tokens.keys().primary().id());
        clock.set(t.plus(Duration.ofDays(30)).minus(Duration.ofMinutes(1)));
        String lastOfK1 = sign(tokens);
        assertTrue(tokens.keys().find("k2").isPresent(), "k2 accepted a few minutes ahead");
        clock.set(t.plus(Duration.ofDays(30)));
        assertEquals("k2", tokens.keys().primary().id());
        SignedTokens other = tokens(); // another instance with the same schedule
        assertTrue(verify(other, sign(tokens)).isOpen());
        clock.advance(Duration.ofMinutes(58));
        assertTrue(verify(tokens, lastOfK1).isOpen(), "k1's last token verifies until it expires");
        clock.advance(Duration.ofHours(2));
        assertEquals(new Verdict.Denied(DenialReason.UNKNOWN_KEY), verify(tokens, first), "k1 retired");
        assertTrue(tokens.keys().find("k1").isEmpty());
    }

    @Test
    void refusedSchedules() {
        HmacKeySchedule quick = HmacKeySchedule.builder(Duration.ZERO, Duration.ofHours(1)).key(k1, t).build();
        String m = assertThrows(IllegalArgumentException.class, () -> SignedTokens.builder(quick).build()).getMessage();
        assertTrue(m.contains("longest token"), m);
        SignedTokens.builder(quick).maxTtl(Duration.ofMinutes(30)).build();
        assertThrows(IllegalArgumentException.class, () -> HmacKeySchedule.builder(Duration.ZERO, Duration.ofHours(1))
                .key(k1, t).key(k2, t));
        assertThrows(IllegalArgumentException.class, () -> HmacKeySchedule.builder(Duration.ZERO, Duration.ofHours(1))
                .key(k1.withStatus(KeyStatus.DISABLED), t));
        assertNull(schedule.at(t.minusSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> SignedTokens.builder((HmacKeySchedule) null));
    }
}
