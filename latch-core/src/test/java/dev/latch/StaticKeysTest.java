package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaticKeysTest {
    final Latches latches = Latches.builder().clock(MutableClock.monday10am()).pepper(LatchesTest.PEPPER)
            .auditSink(e -> { }).build();

    @Test
    void format_isPrefixIdSecretChecksumAndScannable() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").prefix("lk_live").build());
        assertTrue(Pattern.matches("lk_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{30}", key.key()), key.key());
        assertEquals(key.keyId(), key.key().substring(8, 20));
        String body = key.key().substring(0, key.key().length() - 6);
        assertEquals(StaticKeys.checksum(body), key.key().substring(key.key().length() - 6));
        assertFalse(key.toString().contains(key.key().substring(21)));
    }

    @Test
    void parse_rejectsAnyChangedCharacterByChecksum() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        assertNotNull(StaticKeys.parse(key.key()));
        String k = key.key();
        int rejectedOffline = 0;
        for (int i = 0; i < k.length(); i++) {
            char[] c = k.toCharArray();
            c[i] = c[i] == 'a' ? 'b' : 'a';
            String changed = new String(c);
            if (StaticKeys.parse(changed) == null) {
                rejectedOffline++;
            }
            assertFalse(latches.authenticate(changed, AccessContext.of("svc")).isOpen());
        }
        assertEquals(k.length(), rejectedOffline, "CRC32 catches every single-character change");
    }

    @Test
    void parse_rejectsMalformedKeys() {
        for (String bad : new String[]{null, "", "lk", "lk__", "LK_AAAAAAAAAAAA_" + "A".repeat(30),
                "lk_AAAAAAAAAAA_" + "A".repeat(31), "lk_AAAAAAAAAAAA_" + "A".repeat(29) + "!", "x".repeat(300)}) {
            assertNull(StaticKeys.parse(bad), String.valueOf(bad));
            assertEquals(new Verdict.Denied(DenialReason.MALFORMED), latches.authenticate(bad, AccessContext.of("s")));
        }
    }

    @Test
    void secret_hasAtLeast128Bits() {
        assertTrue(StaticKeys.SECRET_LENGTH * Math.log(62) / Math.log(2) >= 128);
        String s1 = StaticKeys.newSecret(new SecureRandom());
        String s2 = StaticKeys.newSecret(new SecureRandom());
        assertFalse(s1.equals(s2));
    }

    @Test
    void spec_validatesPrefixAndScopes() {
        assertThrows(IllegalArgumentException.class, () -> StaticKeySpec.builder("s").prefix("LK"));
        assertThrows(IllegalArgumentException.class, () -> StaticKeySpec.builder("s").prefix("lk_a_b"));
        assertThrows(IllegalArgumentException.class, () -> StaticKeySpec.builder("s").scopes("has space"));
        assertThrows(IllegalArgumentException.class, () -> StaticKeySpec.builder("s").expiresAfter(Duration.ZERO));
    }

    @Test
    void rotate_unknownOrRevokedKeyIsRefused() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        latches.revokeKey(key.keyId());
        assertThrows(IllegalArgumentException.class, () -> latches.rotate(key.keyId(), Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> latches.rotate("nope", Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> latches.rotate(key.keyId(), Duration.ofDays(91)));
    }

    @Test
    void rotate_twiceIsRefusedForTheRetiredKey() {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        IssuedStaticKey next = latches.rotate(key.keyId(), Duration.ofHours(1));
        assertThrows(IllegalArgumentException.class, () -> latches.rotate(key.keyId(), Duration.ofHours(1)));
        StaticKeyInfo info = latches.keyInfo(key.keyId()).orElseThrow();
        assertEquals(StaticKeyInfo.State.ROTATED, info.state());
        assertEquals(next.keyId(), info.successorId().orElseThrow());
    }

    @Test
    void lastUse_isKeptToTheSecond_andFollowsANewSecondOrSource() {
        MutableClock clock = MutableClock.monday10am();
        Latches l = Latches.builder().clock(clock).pepper(LatchesTest.PEPPER).auditSink(e -> { }).build();
        IssuedStaticKey key = l.issueStaticKey(StaticKeySpec.builder("svc").build());
        AccessContext fromA = AccessContext.builder("svc").source("192.0.2.1").build();
        AccessContext fromB = AccessContext.builder("svc").source("192.0.2.2").build();
        java.time.Instant first = clock.instant().plusMillis(100);
        clock.set(first);
        assertTrue(l.authenticate(key.key(), fromA).isOpen());
        assertEquals(first, l.keyInfo(key.keyId()).orElseThrow().lastUsedAt().orElseThrow());

        clock.advance(Duration.ofMillis(500)); // the same second, the same source: not written again
        assertTrue(l.authenticate(key.key(), fromA).isOpen());
        assertEquals(first, l.keyInfo(key.keyId()).orElseThrow().lastUsedAt().orElseThrow());

        clock.advance(Duration.ofMillis(100)); // the same second, another source: written
        assertTrue(l.authenticate(key.key(), fromB).isOpen());
        StaticKeyInfo info = l.keyInfo(key.keyId()).orElseThrow();
        assertEquals(first.plusMillis(600), info.lastUsedAt().orElseThrow());
        assertEquals("192.0.2.2", info.lastUsedFrom().orElseThrow());

        clock.advance(Duration.ofMillis(400)); // the next second: written
        assertTrue(l.authenticate(key.key(), fromB).isOpen());
        assertEquals(first.plusMillis(1000), l.keyInfo(key.keyId()).orElseThrow().lastUsedAt().orElseThrow());
    }
}
