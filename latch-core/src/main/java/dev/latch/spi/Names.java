package dev.latch.spi;

/**
 * The one rule for names in latch: latch ids, subjects, policy, attribute and channel names,
 * approvers, and the subjects and ids that signers read from tokens. A name has 1 to
 * {@value #MAX_LENGTH} characters, no control character, no line or paragraph separator
 * (U+2028, U+2029), no bidirectional control (embeddings, overrides, isolates, direction
 * marks) and no unpaired surrogate. Control characters and separators would let a name forge
 * lines in a log; bidirectional controls would make it display as other text. An unpaired surrogate has no UTF-8 form:
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
            if (isLineOrDirectionControl(c)) {
                return "must not contain line separators or bidirectional controls";
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

    /**
     * The API's rule for a required argument, for latch's modules and plug-ins alike: null is an
     * {@link IllegalArgumentException}, as an empty or invalid argument is, never a bare
     * {@link NullPointerException}; the message names the argument only.
     *
     * <pre>{@code
     * this.secret = Names.required(secret, "secret");
     * }</pre>
     *
     * @param value    the argument
     * @param argument its name, for the message
     * @param <T>      its type
     * @return the argument
     * @throws IllegalArgumentException when it is null
     */
    public static <T> T required(T value, String argument) {
        if (value == null) {
            throw missing(argument);
        }
        return value;
    }

    /** Out of line, so that {@link #required} stays a few bytes wherever it is inlined. */
    private static IllegalArgumentException missing(String argument) {
        return new IllegalArgumentException(argument + " is required, got null");
    }

    /**
     * Characters that are not control characters to {@link Character#isISOControl} but forge
     * lines or reorder text in log viewers and terminals: U+2028 LINE SEPARATOR, U+2029
     * PARAGRAPH SEPARATOR, the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
     * U+2066–U+2069) and the direction marks (U+200E, U+200F, U+061C).
     *
     * @param c a character
     * @return true when {@code c} is one of them
     */
    public static boolean isLineOrDirectionControl(char c) {
        return c == '\u2028' || c == '\u2029' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200E' || c == '\u200F' || c == '\u061C';
    }

    /**
     * The one rule for how a typed one-time code may be grouped, for every kind of code: stored
     * codes ({@code Latches.open}), recovery codes, TOTP and HOTP. A single space or hyphen between
     * two characters of the code is a grouping and is ignored ({@code "012 345"}, {@code "012-345"},
     * {@code "PBN9R-7HKMF"}). Anything else is not: a separator at the start or end, two separators
     * in a row, a tab, a newline or any other whitespace makes the input malformed, so
     * {@code " 012345"} and {@code "012345\n"} are refused everywhere alike. Trim in the user
     * interface if you want leading and trailing whitespace forgiven.
     *
     * <pre>{@code
     * String digits = CodeText.ungroup(typed);   // "012345" for "012 345"; null for " 012345"
     * if (digits == null) {
     *     return Verdict.denied(DenialReason.MALFORMED);
     * }
     * }</pre>
     *
     * <p>Thread-safe: stateless.
     */
    public static final class CodeText {
        private CodeText() {
        }

        /**
         * @param c a character
         * @return true for the two grouping separators, space and hyphen
         */
        public static boolean isSeparator(char c) {
            return c == ' ' || c == '-';
        }

        /**
         * @param typed the code as typed, or null
         * @return the code without its grouping separators (the same string when it has none), or
         *         null when {@code typed} is null, empty, or has a separator that does not stand alone
         *         between two other characters
         */
        public static String ungroup(String typed) {
            if (typed == null || typed.isEmpty()) {
                return null;
            }
            int n = typed.length();
            int separators = 0;
            for (int i = 0; i < n; i++) {
                if (isSeparator(typed.charAt(i))) {
                    if (i == 0 || i == n - 1 || isSeparator(typed.charAt(i - 1))) {
                        return null;
                    }
                    separators++;
                }
            }
            if (separators == 0) {
                return typed;
            }
            StringBuilder b = new StringBuilder(n - separators);
            for (int i = 0; i < n; i++) {
                char c = typed.charAt(i);
                if (!isSeparator(c)) {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }
}
