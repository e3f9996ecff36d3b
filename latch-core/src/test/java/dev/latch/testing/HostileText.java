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
     * Makes one call with hostile input and notes in {@code wrong} what breaks the rule: an
     * opened verdict, an exception other than IllegalArgumentException, or a message that
     * repeats the input.
     *
     * @param name  the call, for the note
     * @param call  the call
     * @param wrong where notes go
     */
    public static void call(String name, java.util.function.Supplier<Object> call, java.util.List<String> wrong) {
        try {
            Object r = call.get();
            if (r instanceof dev.latch.Verdict && ((dev.latch.Verdict) r).isOpen()) {
                wrong.add(name + " opened");
            }
        } catch (IllegalArgumentException e) {
            if (!clean(e.getMessage()) || e.getMessage().length() > 300) {
                wrong.add(name + " repeated the input in its message");
            }
        } catch (RuntimeException e) {
            wrong.add(name + " threw " + e.getClass().getName());
        }
    }

    /**
     * @param events audit events
     * @param wrong  where a note goes for each event that repeats hostile input
     */
    public static void checkAudit(java.util.List<dev.latch.AuditEvent> events, java.util.List<String> wrong) {
        for (dev.latch.AuditEvent e : events) {
            String line = e.describe();
            if (!clean(line)) {
                wrong.add("an audit event repeated the input: " + line.substring(0, Math.min(120, line.length())));
            }
        }
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
