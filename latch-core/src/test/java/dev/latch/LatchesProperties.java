package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.testing.MutableClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.WithNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of open: exactly once for the issued code, never for anything else, never a throw. */
class LatchesProperties {
    private final MutableClock clock = MutableClock.monday10am();
    private final Latches latches = Latches.builder().clock(clock).pepper(LatchesTest.PEPPER)
            .issueRateLimit(RateLimit.of(1000, Duration.ofSeconds(1))).auditSink(e -> { }).build();
    private final AtomicLong counter = new AtomicLong();

    @Provide
    Arbitrary<CodeFormat> formats() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(6, 10).map(CodeFormat::numeric),
                Arbitraries.integers().between(8, 20).map(CodeFormat::base32),
                Arbitraries.integers().between(16, 64).map(CodeFormat::opaque));
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().withCharRange(' ', '\uD7FF').ofMinLength(1).ofMaxLength(64)
                .filter(s -> !s.startsWith("~") && dev.latch.spi.Names.isName(s));
    }

    private String unique(String base) {
        return base + "#" + counter.incrementAndGet();
    }

    @Property(tries = 300)
    void issuedCode_opensExactlyOnce(@ForAll("formats") CodeFormat format, @ForAll("ids") String latch,
                                     @ForAll("ids") String subject) {
        String latchId = unique(latch);
        clock.advance(Duration.ofSeconds(1));
        IssuedCode code = latches.issue(LatchPolicy.custom().format(format).build(), latchId, subject);
        assertEquals(format.length(), code.code().length());
        assertTrue(latches.open(latchId, code.code(), AccessContext.of(subject)).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.USED), latches.open(latchId, code.code(), AccessContext.of(subject)));
    }

    @Property(tries = 1000)
    void anyOtherString_neverOpens(@ForAll("formats") CodeFormat format, @ForAll String input) {
        String latchId = unique("l");
        clock.advance(Duration.ofSeconds(1));
        IssuedCode code = latches.issue(LatchPolicy.custom().format(format).build(), latchId, "s");
        PresentedCode presented = PresentedCode.parse(input);
        Assume.that(!code.code().equals(presented.folded) && !code.code().equals(presented.exact));
        assertFalse(latches.open(latchId, input, AccessContext.of("s")).isOpen());
        assertTrue(latches.open(latchId, code.code(), AccessContext.of("s")).isOpen(), "state intact after a wrong try");
    }

    @Property(tries = 1000)
    void nearMisses_neverOpen(@ForAll("formats") CodeFormat format, @ForAll int position, @ForAll char replacement) {
        String latchId = unique("l");
        clock.advance(Duration.ofSeconds(1));
        IssuedCode code = latches.issue(LatchPolicy.custom().format(format).build(), latchId, "s");
        char[] chars = code.code().toCharArray();
        int i = Math.floorMod(position, chars.length);
        chars[i] = replacement;
        String changed = new String(chars);
        PresentedCode presented = PresentedCode.parse(changed);
        Assume.that(!code.code().equals(presented.folded) && !code.code().equals(presented.exact));
        assertFalse(latches.open(latchId, changed, AccessContext.of("s")).isOpen());
        assertFalse(latches.open(latchId, code.code().substring(0, chars.length - 1), AccessContext.of("s")).isOpen());
    }

    @Property(tries = 2000)
    void anyInput_neverThrows(@ForAll @WithNull String latchId, @ForAll @WithNull String code) {
        Verdict v = latches.open(latchId, code, AccessContext.of("s"));
        assertNotNull(v);
        assertFalse(v.isOpen());
        Verdict r = latches.redeemRecoveryCode(code, AccessContext.of("s"));
        assertFalse(r.isOpen());
        Verdict k = latches.authenticate(code, AccessContext.of("s"));
        assertFalse(k.isOpen());
    }
}
