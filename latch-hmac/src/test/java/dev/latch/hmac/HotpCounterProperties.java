package dev.latch.hmac;

import dev.latch.AccessContext;
import dev.latch.Verdict.DenialReason;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.Verdict;
import dev.latch.testing.MutableClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HOTP verify and resync over the whole counter range, the top of it included: the window ends
 * at 2^63 - 1 instead of wrapping, a correct code opens once, a wrong one is refused, and
 * nothing throws or runs on.
 */
class HotpCounterProperties {
    static final Pepper PEPPER = Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=");
    static final OtpSecret SECRET = OtpSecret.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));
    static final AccessContext ALICE = AccessContext.of("alice");

    /** 0, 1, 2^31 ± 1, 2^32, 2^63 - 11 .. 2^63 - 1, and any counter in between. */
    @Provide
    Arbitrary<Long> counters() {
        Arbitrary<Long> edges = Arbitraries.of(0L, 1L, (1L << 31) - 1, 1L << 31, (1L << 31) + 1, 1L << 32,
                Long.MAX_VALUE - 11, Long.MAX_VALUE - 10, Long.MAX_VALUE - 5, Long.MAX_VALUE - 1, Long.MAX_VALUE);
        Arbitrary<Long> top = Arbitraries.longs().between(Long.MAX_VALUE - 60, Long.MAX_VALUE);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, edges), net.jqwik.api.Tuple.of(3, top),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(0, Long.MAX_VALUE)));
    }

    /** Latches whose store expects {@code next} as the next counter of alice's token. */
    static Latches expecting(long next) {
        Latches latches = Latches.builder().clock(MutableClock.monday10am()).pepper(PEPPER).auditSink(e -> { }).build();
        if (next > 0) {
            assertTrue(latches.openCounter("hotp", ALICE, new long[]{next - 1}, true).isOpen());
        }
        return latches;
    }

    /** A code that no counter in [from, to] produces. */
    static String noneOf(Hotp hotp, long from, long to) {
        Set<String> used = new HashSet<>();
        for (long c = from; ; c++) {
            used.add(hotp.generate(SECRET, c));
            if (c == to) {
                break;
            }
        }
        for (int i = 0; ; i++) {
            String candidate = String.format("%06d", i);
            if (!used.contains(candidate)) {
                return candidate;
            }
        }
    }

    @Property(tries = 300)
    void verify_opensTheCodeAtAnyOffsetOfTheWindowOnce(@ForAll("counters") long next,
                                                       @ForAll @IntRange(min = 0, max = 50) int lookAhead,
                                                       @ForAll @IntRange(min = 0, max = 50) int offset) {
        Hotp hotp = Hotp.builder().lookAhead(lookAhead).build();
        Latches latches = expecting(next);
        long end = Hotp.windowEnd(next, lookAhead);
        long target = offset > end - next ? end : next + offset;
        String code = hotp.generate(SECRET, target);
        Verdict v = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> hotp.verify(latches, "hotp", SECRET, code, ALICE));
        assertTrue(v.isOpen(), next + " + " + offset + " of " + lookAhead + ": " + v);
        assertTrue(((Verdict.Opened) v).codeId().endsWith("#" + firstMatch(hotp, code, next, target)));
        // the used counter is behind the window now (WRONG_CODE), or at the top the window's one counter (REPLAYED)
        Verdict again = hotp.verify(latches, "hotp", SECRET, code, ALICE);
        assertTrue(again.equals(new Verdict.Denied(DenialReason.WRONG_CODE))
                || again.equals(new Verdict.Denied(DenialReason.REPLAYED)), again.toString());
    }

    /** The lowest counter from {@code from} to {@code to} whose code is {@code code} (codes can repeat). */
    static long firstMatch(Hotp hotp, String code, long from, long to) {
        for (long c = from; ; c++) {
            if (hotp.generate(SECRET, c).equals(code) || c == to) {
                return c;
            }
        }
    }

    @Property(tries = 300)
    void verify_wrongCodeIsRefusedPromptlyAnywhere(@ForAll("counters") long next,
                                                  @ForAll @IntRange(min = 0, max = 50) int lookAhead) {
        Hotp hotp = Hotp.builder().lookAhead(lookAhead).build();
        Latches latches = expecting(next);
        String wrong = noneOf(hotp, next, Hotp.windowEnd(next, lookAhead));
        Verdict v = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> hotp.verify(latches, "hotp", SECRET, wrong, ALICE));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), v);
    }

    @Property(tries = 200)
    void resync_acceptsTwoConsecutiveCodesUpToTheLastCounter(@ForAll("counters") long next,
                                                            @ForAll @IntRange(min = 0, max = 60) int offset) {
        Hotp hotp = Hotp.builder().resyncWindow(60).build();
        Latches latches = expecting(next);
        long end = Hotp.windowEnd(next, 60);
        long first = offset > end - next ? end : next + offset;
        if (first == Long.MAX_VALUE) {
            // no counter follows the last one: a pair cannot start there
            Verdict v = hotp.resync(latches, "hotp", SECRET, hotp.generate(SECRET, first), "000000", ALICE);
            assertTrue(!v.isOpen(), v.toString());
            return;
        }
        String a = hotp.generate(SECRET, first);
        String b = hotp.generate(SECRET, first + 1);
        Verdict v = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> hotp.resync(latches, "hotp", SECRET, a, b, ALICE));
        assertTrue(v.isOpen(), next + " + " + offset + ": " + v);
        long accepted = Long.parseLong(((Verdict.Opened) v).codeId().substring("hotp#".length()));
        assertTrue(accepted >= next + 1 && accepted <= first + 1, "the second code of a pair: " + accepted);
        assertEquals(accepted == Long.MAX_VALUE ? Long.MAX_VALUE : accepted + 1,
                latches.nextCounter("hotp", "alice").getAsLong());
    }

    @Example
    void lastCounter_opensOnceThenEveryCodeIsAReplay() {
        for (int lookAhead : new int[]{0, 10, 50}) {
            Hotp hotp = Hotp.builder().lookAhead(lookAhead).build();
            Latches latches = expecting(Long.MAX_VALUE);
            String last = hotp.generate(SECRET, Long.MAX_VALUE);
            assertTrue(hotp.verify(latches, "hotp", SECRET, last, ALICE).isOpen());
            assertEquals(Long.MAX_VALUE, latches.nextCounter("hotp", "alice").getAsLong());
            assertEquals(new Verdict.Denied(DenialReason.REPLAYED), hotp.verify(latches, "hotp", SECRET, last, ALICE));
            assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE),
                    hotp.resync(latches, "hotp", SECRET, hotp.generate(SECRET, Long.MAX_VALUE - 1), last, ALICE),
                    "no pair lies at or after the last counter");
        }
    }

    @Example
    void windowEnd_saturates() {
        assertEquals(10, Hotp.windowEnd(0, 10));
        assertEquals(Long.MAX_VALUE, Hotp.windowEnd(Long.MAX_VALUE - 3, 10));
        assertEquals(Long.MAX_VALUE, Hotp.windowEnd(Long.MAX_VALUE, 0));
        assertEquals(Long.MAX_VALUE - 1, Hotp.windowEnd(Long.MAX_VALUE - 11, 10));
    }
}
