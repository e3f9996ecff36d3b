package dev.latch.hmac;

import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Requirement;
import dev.latch.testing.MutableClock;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tampering properties: no single-field change, truncation or bit flip ever verifies. */
class SignedTokensProperties {
    private final MutableClock clock = MutableClock.monday10am();
    private final SignedTokens verifier = SignedTokens.builder(
                    HmacKeySet.of(HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, new SecureRandom())))
            .clock(clock).auditSink(e -> { }).store(dev.latch.spi.LatchStore.inMemory()).build();
    private final Requirement any = Requirement.of("/data/file.bin");
    private final AccessContext from = AccessContext.builder("s").source("10.1.2.3").build();
    private final String token = verifier.sign(Grant.builder("/data/file.bin", "s").permissions("r", "w")
            .ttl(Duration.ofHours(1)).sourceRange("10.0.0.0/8").policyId("policy-01").build());

    @Property(tries = 100)
    void untampered_verifies() {
        assertTrue(verifier.verify(token, any, from).isOpen());
    }

    @Property(tries = 2000)
    void anyChangeToOneField_neverVerifies(@ForAll @IntRange(min = 1, max = 11) int field, @ForAll String replacement) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String[] f = payload.split("\n", -1);
        Assume.that(!f[field].equals(replacement));
        f[field] = replacement;
        String changed = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.join("\n", f).getBytes(StandardCharsets.UTF_8)) + "." + parts[1];
        assertFalse(verifier.verify(changed, any, from).isOpen());
    }

    @Property(tries = 5000)
    void whateverParses_isTheCanonicalEncodingOfItsClaims(@ForAll @IntRange(min = 0, max = 100_000) int position,
                                                          @ForAll byte replacement) {
        String[] parts = token.split("\\.");
        byte[] payload = Base64.getUrlDecoder().decode(parts[0]);
        payload[position % payload.length] = replacement;
        String mutated = Base64.getUrlEncoder().withoutPadding().encodeToString(payload) + "." + parts[1];
        TokenFormat.Parsed parsed = TokenFormat.parse(mutated);
        if (parsed != null) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    TokenFormat.payload(parsed.claims()).getBytes(StandardCharsets.UTF_8), payload);
        }
        assertFalse(verifier.verify(mutated, any, from).isOpen() && !java.util.Arrays.equals(payload,
                Base64.getUrlDecoder().decode(parts[0])));
    }

    @Property(tries = 1000)
    void anyTruncation_neverVerifies(@ForAll @IntRange(min = 0, max = 10_000) int cut) {
        int length = cut % token.length();
        assertFalse(verifier.verify(token.substring(0, length), any, from).isOpen());
        assertFalse(verifier.verify(token.substring(token.length() - length), any, from).isOpen());
    }

    @Property(tries = 3000)
    void anyBitFlip_neverVerifies(@ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll @IntRange(min = 0, max = 7) int bit) {
        String[] parts = token.split("\\.");
        byte[] payload = Base64.getUrlDecoder().decode(parts[0]);
        byte[] tag = Base64.getUrlDecoder().decode(parts[1]);
        int at = position % (payload.length + tag.length);
        if (at < payload.length) {
            payload[at] ^= (byte) (1 << bit);
        } else {
            tag[at - payload.length] ^= (byte) (1 << bit);
        }
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        assertFalse(verifier.verify(e.encodeToString(payload) + "." + e.encodeToString(tag), any, from).isOpen());
        char[] chars = token.toCharArray();
        int c = position % chars.length;
        chars[c] = (char) (chars[c] ^ (1 << bit));
        String flipped = new String(chars);
        Assume.that(!flipped.equals(token));
        assertFalse(verifier.verify(flipped, any, from).isOpen());
    }
}
