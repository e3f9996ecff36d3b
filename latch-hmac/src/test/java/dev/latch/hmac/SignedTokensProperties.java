package dev.latch.hmac;

import dev.latch.Latches;
import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.testing.MutableClock;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.security.SecureRandom;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tampering properties: no single-field change, truncation or bit flip ever verifies. */
class SignedTokensProperties {
    private final MutableClock clock = MutableClock.monday10am();
    private final SignedTokens verifier = SignedTokens.builder(
                    HmacKeySet.of(HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, new SecureRandom())))
            .clock(clock).auditSink(e -> { }).store(dev.latch.Latches.inMemoryStore()).build();
    private final Requirement any = Requirement.of("/data/file.bin");
    private final AccessContext from = AccessContext.builder("s").source("10.1.2.3").build();
    private final String token = verifier.sign(Grant.builder("/data/file.bin", "s").permissions("r", "w")
            .ttl(Duration.ofHours(1)).sourceRange("10.0.0.0/8").policyId("policy-01").build());

    @Example
    void untampered_verifies() {
        assertTrue(verifier.verify(token, any, from).isOpen());
    }

    @Property(tries = 2000)
    void anyChangeToOneField_neverVerifies(@ForAll @IntRange(min = 1, max = 11) int field, @ForAll String replacement) {
        int dot = token.lastIndexOf('.');
        String[] f = token.substring(0, dot).split("~", -1);
        Assume.that(!f[field].equals(replacement));
        f[field] = replacement;
        assertFalse(verifier.verify(String.join("~", f) + token.substring(dot), any, from).isOpen());
    }

    @Property(tries = 5000)
    void whateverHasValidClaims_isTheCanonicalEncodingOfThem(@ForAll @IntRange(min = 0, max = 100_000) int position,
                                                            @ForAll char replacement) {
        int dot = token.lastIndexOf('.');
        String mutated = withPayloadCharacter(position, replacement);
        TokenFormat.Parsed parsed = TokenFormat.parse(mutated);
        if (parsed != null && TokenFormat.kidWellFormed(parsed)) {
            TokenFormat.Claims claims = TokenFormat.claims(parsed, parsed.field(TokenFormat.KID), null, null);
            if (claims != null) {
                assertEquals(mutated.substring(0, dot), TokenFormat.payload(claims));
            }
        }
        Assume.that(!mutated.equals(token));
        assertFalse(verifier.verify(mutated, any, from).isOpen());
    }

    /**
     * The caller's resource and subject are taken as they are only where the field spells them
     * exactly: with any hint, a field read gives the claims the plain read gives, or none where
     * it gives none.
     */
    @Property(tries = 5000)
    void hints_neverChangeWhatTheFieldsSay(@ForAll @IntRange(min = 0, max = 100_000) int position,
                                           @ForAll char replacement,
                                           @ForAll("hints") String resource, @ForAll("hints") String subject,
                                           @ForAll boolean fieldsAsHints) {
        TokenFormat.Parsed parsed = TokenFormat.parse(withPayloadCharacter(position, replacement));
        Assume.that(parsed != null && TokenFormat.kidWellFormed(parsed));
        String kid = parsed.field(TokenFormat.KID);
        if (fieldsAsHints) { // a caller whose resource and subject are the fields' very text, canonical or not
            resource = parsed.field(TokenFormat.RESOURCE);
            subject = parsed.field(TokenFormat.SUBJECT);
        }
        assertEquals(TokenFormat.claims(parsed, kid, null, null), TokenFormat.claims(parsed, kid, resource, subject));
    }

    /** The token with one character of its payload (at {@code position} modulo its length) replaced. */
    private String withPayloadCharacter(int position, char replacement) {
        char[] c = token.toCharArray();
        c[position % token.lastIndexOf('.')] = replacement;
        return new String(c);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> hints() {
        return net.jqwik.api.Arbitraries.oneOf(
                net.jqwik.api.Arbitraries.of("/data/file.bin", "s", "/data/file.bi", "/data/file.binx", "S", "s ",
                        "/data/fil%65.bin", "/data/f\u00efle.bin", ""),
                net.jqwik.api.Arbitraries.strings().ofMaxLength(20));
    }

    @Property(tries = 1000)
    void anyTruncation_neverVerifies(@ForAll @IntRange(min = 0, max = 10_000) int cut) {
        int length = cut % token.length();
        assertFalse(verifier.verify(token.substring(0, length), any, from).isOpen());
        assertFalse(verifier.verify(token.substring(token.length() - length), any, from).isOpen());
    }

    @Property(tries = 3000)
    void anyBitFlip_neverVerifies(@ForAll @IntRange(min = 0, max = 100_000) int position,
                                  @ForAll @IntRange(min = 0, max = 7) int bit) {
        char[] chars = token.toCharArray();
        int c = position % chars.length;
        chars[c] = (char) (chars[c] ^ (1 << bit));
        String flipped = new String(chars);
        Assume.that(!flipped.equals(token));
        assertFalse(verifier.verify(flipped, any, from).isOpen());
    }
}
