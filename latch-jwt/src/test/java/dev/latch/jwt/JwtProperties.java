package dev.latch.jwt;

import dev.latch.testing.MutableClock;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static dev.latch.jwt.JwtFixtures.AUDIENCE;
import static dev.latch.jwt.JwtFixtures.CALLER;
import static dev.latch.jwt.JwtFixtures.READ;
import static dev.latch.jwt.JwtFixtures.grant;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Tampering properties: no character change, truncation or bit flip of a JWT ever verifies. */
class JwtProperties {
    private final SignedJwts jwts = SignedJwts.builder(JwtKeySet.of(JwtFixtures.HS256, JwtFixtures.ES256))
            .clock(MutableClock.monday10am()).audiences(AUDIENCE).auditSink(e -> { }).build();
    private final String token = jwts.sign(grant().build());

    @Property(tries = 2000)
    void anyCharacterFlip_neverVerifies(@ForAll @IntRange(min = 0, max = 100_000) int position,
                                        @ForAll @IntRange(min = 0, max = 6) int bit) {
        char[] c = token.toCharArray();
        int i = position % c.length;
        c[i] = (char) (c[i] ^ (1 << bit));
        String changed = new String(c);
        Assume.that(!changed.equals(token));
        assertFalse(jwts.verify(changed, READ, CALLER).isOpen());
    }

    @Property(tries = 500)
    void anyTruncation_neverVerifies(@ForAll @IntRange(min = 0, max = 100_000) int cut) {
        int n = cut % token.length();
        assertFalse(jwts.verify(token.substring(0, n), READ, CALLER).isOpen());
    }

    @Property(tries = 500)
    void anyInput_neverThrows(@ForAll String input) {
        assertFalse(jwts.verify(input, READ, CALLER).isOpen());
    }
}
