package dev.latch.hmac;

import dev.latch.AccessContext;
import dev.latch.Verdict.DenialReason;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.Verdict;
import dev.latch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rotation suite: the primary signs, enabled old keys verify, disabled and destroyed keys are refused. */
class KeyRotationTest {
    final SecureRandom random = new SecureRandom();
    final MutableClock clock = MutableClock.monday10am();
    final Requirement read = Requirement.of("/f", "r");
    final AccessContext any = AccessContext.of("s");

    private SignedTokens signer(HmacKeySet keys) {
        return SignedTokens.builder(keys).clock(clock).auditSink(e -> { }).build();
    }

    private String sign(SignedTokens t) {
        return t.sign(Grant.builder("/f", "s").permissions("r").ttl(Duration.ofMinutes(5)).build());
    }

    @Test
    void rotation_primarySignsOldEnabledVerifiesDisabledAndDestroyedRefused() {
        HmacKeySet v1 = HmacKeySet.of(HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, random));
        String byK1 = sign(signer(v1));
        HmacKeySet v2 = v1.rotateTo(HmacKey.generate("k2", HmacAlgorithm.HMAC_SHA512, random));
        SignedTokens s2 = signer(v2);
        String byK2 = sign(s2);
        assertTrue(byK2.length() > byK1.length(), "k2 (SHA-512) signed it");
        assertTrue(s2.verify(byK1, read, any).isOpen(), "a rotated-out key still verifies");
        assertTrue(s2.verify(byK2, read, any).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.UNKNOWN_KEY), signer(v1).verify(byK2, read, any));

        SignedTokens disabled = signer(v2.disable("k1"));
        assertEquals(new Verdict.Denied(DenialReason.UNKNOWN_KEY), disabled.verify(byK1, read, any));
        SignedTokens reenabled = signer(v2.disable("k1").enable("k1"));
        assertTrue(reenabled.verify(byK1, read, any).isOpen());
        HmacKeySet destroyed = v2.destroy("k1");
        assertEquals(new Verdict.Denied(DenialReason.UNKNOWN_KEY), signer(destroyed).verify(byK1, read, any));
        assertThrows(IllegalStateException.class, () -> destroyed.enable("k1"));
    }

    @Test
    void keysFromASecretSource_signAndVerifyByTheirIds_missingIsTypedError() {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        byte[] a = new byte[32];
        byte[] b = new byte[64];
        random.nextBytes(a);
        random.nextBytes(b);
        dev.latch.spi.SecretSource secrets = dev.latch.spi.SecretSource.variables(java.util.Map.of(
                "LINKS_2026_12", b64.encodeToString(b), "LINKS_2026_06", b64.encodeToString(a)), "LINKS_");
        HmacKeySet old = HmacKeySet.of(HmacKey.from(secrets, "2026-06", HmacAlgorithm.HMAC_SHA256));
        String byOld = sign(signer(old));
        HmacKeySet rotated = HmacKeySet.of(HmacKey.from(secrets, "2026-12", HmacAlgorithm.HMAC_SHA512),
                HmacKey.from(secrets, "2026-06", HmacAlgorithm.HMAC_SHA256));
        assertTrue(signer(rotated).verify(byOld, read, any).isOpen(), "the older key, read by id, still verifies");
        assertTrue(signer(rotated).verify(sign(signer(rotated)), read, any).isOpen());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> HmacKey.from(secrets, "2025-12", HmacAlgorithm.HMAC_SHA256));
        assertTrue(e.getMessage().contains("2025-12"));
        assertThrows(IllegalArgumentException.class, () -> HmacKey.from(id -> java.util.Optional.of(new byte[8]), "short",
                HmacAlgorithm.HMAC_SHA256));
    }

    @Test
    void keySet_validatesKeysAndPrimary() {
        assertThrows(IllegalArgumentException.class, () -> HmacKey.of("k", HmacAlgorithm.HMAC_SHA256, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> HmacKey.of("bad id", HmacAlgorithm.HMAC_SHA256, new byte[32]));
        HmacKey k1 = HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, random);
        assertThrows(IllegalArgumentException.class, () -> HmacKeySet.of(k1, k1));
        HmacKeySet set = HmacKeySet.of(k1);
        assertThrows(IllegalArgumentException.class, () -> set.disable("k1"), "the primary cannot be disabled");
        assertThrows(IllegalArgumentException.class, () -> HmacKeySet.of(k1.withStatus(KeyStatus.DISABLED)));
        HmacKeySet two = set.rotateTo(HmacKey.generate("k2", HmacAlgorithm.HMAC_SHA256, random));
        assertEquals("k2", two.primary().id());
        assertEquals("k1", two.withPrimary("k1").primary().id());
    }

    @Test
    void toString_showsIdsAndStatusOnly() {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        HmacKeySet set = HmacKeySet.of(HmacKey.of("k1", HmacAlgorithm.HMAC_SHA256, secret))
                .rotateTo(HmacKey.generate("k2", HmacAlgorithm.HMAC_SHA256, random)).disable("k1");
        assertEquals("HmacKeySet[k1=DISABLED, k2*=ENABLED]", set.toString());
        String hex = java.util.HexFormat.of().formatHex(secret);
        String b64 = java.util.Base64.getEncoder().encodeToString(secret);
        for (HmacKey k : set.keys()) {
            assertFalse(k.toString().contains(hex) || k.toString().contains(b64));
        }
    }
}
