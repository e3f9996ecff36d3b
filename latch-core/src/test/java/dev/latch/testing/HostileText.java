package dev.latch.testing;

import dev.latch.spi.Names;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Hostile text for bad-input properties: every string carries the marker {@value #MARKER} and is
 * no name latch accepts (a control, line-separator or bidirectional character, an unpaired
 * surrogate, over 256 characters, empty, or null), so a message or audit line that contains the
 * marker repeated the input.
 */
public final class HostileText {
    /** What every generated string contains. */
    public static final String MARKER = "FORGED";

    private HostileText() {
    }

    /**
     * @param maxLength the longest string
     * @return hostile strings, null and empty included
     */
    public static Arbitrary<String> strings(int maxLength) {
        Arbitrary<String> controls = Arbitraries.strings().withChars('\n', '\r', '\u0000', '\u001b', '\u2028', '\u2029',
                '\u202E', '\u2066', '\u200F', '\uD800').ofMinLength(1).ofMaxLength(3)
                .flatMap(c -> Arbitraries.strings().alpha().ofMaxLength(8).map(a -> a + c + MARKER));
        Arbitrary<String> huge = Arbitraries.integers().between(257, maxLength).map(n -> MARKER.repeat(n / 6 + 1));
        return Arbitraries.frequencyOf(Tuple.of(5, controls), Tuple.of(2, huge), Tuple.of(1, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.just(null)));
    }

    /**
     * @param text a message or an audit line
     * @return true when it repeats no hostile input: no marker, no control, line-separator or
     *         bidirectional character, and not longer than a message needs
     */
    public static boolean clean(String text) {
        return text != null && !text.contains(MARKER) && text.length() < 2000
                && text.chars().noneMatch(c -> Character.isISOControl(c) || Names.isLineOrDirectionControl((char) c));
    }
}
