package dev.latch.spi;

/**
 * The one rule for names in latch: latch ids, subjects, policy, attribute and channel names,
 * approvers, and the subjects and ids that signers read from tokens. A name has 1 to
 * {@value #MAX_LENGTH} characters, no control character and no unpaired surrogate. Control
 * characters would let a name forge lines in a log. An unpaired surrogate has no UTF-8 form:
 * encoders write {@code '?'} for it, so {@code "a?"} and "a" followed by a lone surrogate would
 * become the same bytes: one code digest and one Redis key for two subjects. Any script is fine, surrogate pairs
 * included.
 *
 * <pre>{@code
 * String sub = claims.getSubject();
 * if (!Names.isName(sub)) {
 *     return Verdict.denied(DenialReason.MALFORMED);
 * }
 * }</pre>
 *
 * <p>Thread-safe: stateless.
 */
public final class Names {
    /** The most characters a name may have. */
    public static final int MAX_LENGTH = 256;

    private Names() {
    }

    /**
     * @param s a string, or null
     * @return true when {@code s} is a name
     */
    public static boolean isName(String s) {
        return s != null && problem(s) == null;
    }

    /**
     * Says why a string is not a name, without repeating any of it (the string may be hostile).
     *
     * @param s a string, not null
     * @return null when {@code s} is a name; otherwise the reason, to follow the name's role in an
     *         error message ("must not contain control characters")
     */
    public static String problem(String s) {
        if (s.isEmpty() || s.length() > MAX_LENGTH) {
            return "must have 1 to " + MAX_LENGTH + " characters, had " + s.length();
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                return "must not contain control characters";
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return "must be well-formed: it has an unpaired surrogate";
                }
                i++;
            }
        }
        return null;
    }
}
