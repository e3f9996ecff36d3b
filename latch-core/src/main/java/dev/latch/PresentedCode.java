package dev.latch;

import dev.latch.internal.Alphabets;
import dev.latch.spi.Names.CodeText;

import java.util.EnumSet;
import java.util.Set;

/**
 * Canonical forms of presented input. Numeric and base32 codes share one case-folded form
 * (grouping separators dropped by {@link CodeText}'s rule, Crockford letters upper-cased, I/L
 * read as 1 and O as 0); opaque codes are compared exactly (a hyphen is part of base64url, so
 * an opaque code is never ungrouped). Input that fits no kind is malformed.
 */
final class PresentedCode {
    /** Longest input looked at; anything longer is malformed at once. */
    static final int MAX_INPUT = 256;

    final String folded;
    final String exact;
    final Set<CodeFormat.Kind> kinds;

    private PresentedCode(String folded, String exact, Set<CodeFormat.Kind> kinds) {
        this.folded = folded;
        this.exact = exact;
        this.kinds = kinds;
    }

    private static final Set<CodeFormat.Kind> NONE = Set.of();
    private static final Set<CodeFormat.Kind> NUMERIC = Set.of(CodeFormat.Kind.NUMERIC);
    private static final Set<CodeFormat.Kind> NUMERIC_BASE32 = Set.of(CodeFormat.Kind.NUMERIC, CodeFormat.Kind.BASE32);
    private static final PresentedCode MALFORMED = new PresentedCode(null, null, NONE);

    static PresentedCode parse(String input) {
        if (input == null || input.isEmpty() || input.length() > MAX_INPUT) {
            return MALFORMED;
        }
        // Fast path: plain ASCII digits, the common case, are their own canonical form.
        int n = input.length();
        if (n >= 6 && n <= 10) {
            boolean digits = true;
            for (int i = 0; i < n && digits; i++) {
                char c = input.charAt(i);
                digits = c >= '0' && c <= '9';
            }
            if (digits) {
                return new PresentedCode(input, null, n >= 8 ? NUMERIC_BASE32 : NUMERIC);
            }
        }
        EnumSet<CodeFormat.Kind> kinds = EnumSet.noneOf(CodeFormat.Kind.class);
        String ungrouped = CodeText.ungroup(input); // null: a separator that groups nothing
        StringBuilder folded = new StringBuilder(input.length());
        boolean foldable = ungrouped != null;
        boolean onlyDigits = true;
        for (int i = 0; foldable && i < ungrouped.length(); i++) {
            char c = ungrouped.charAt(i);
            char m = c < 128 ? Alphabets.crockford(c) : 0;
            if (m == 0) {
                foldable = false;
            } else {
                onlyDigits &= c >= '0' && c <= '9';
                folded.append(m);
            }
        }
        String f = null;
        if (foldable && folded.length() >= 6 && folded.length() <= 20) {
            f = folded.toString();
            if (onlyDigits && f.length() <= 10) {
                kinds.add(CodeFormat.Kind.NUMERIC);
            }
            if (f.length() >= 8) {
                kinds.add(CodeFormat.Kind.BASE32);
            }
        }
        String exact = null;
        if (input.length() >= 22 && input.length() <= 86 && allBase64Url(input)) {
            exact = input;
            kinds.add(CodeFormat.Kind.OPAQUE);
        }
        return kinds.isEmpty() ? MALFORMED : new PresentedCode(f, exact, Set.copyOf(kinds));
    }

    private static boolean allBase64Url(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Alphabets.isBase64Url(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    boolean malformed() {
        return kinds.isEmpty();
    }

    @Override
    public String toString() {
        return "PresentedCode[kinds=" + kinds + ", ***]";
    }
}
