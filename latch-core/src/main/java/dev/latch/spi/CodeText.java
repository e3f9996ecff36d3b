package dev.latch.spi;

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
public final class CodeText {
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
