package dev.latch.jwt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strict JSON reader of JWT headers and claims (RFC 8259): one object at the top; strings,
 * numbers, {@code true}, {@code false}, {@code null}, arrays and objects nested at most
 * {@value #MAX_DEPTH} deep; no duplicate member name in any object (RFC 7515 §4 and RFC 7519 §4
 * allow rejecting them; latch does), names compared after unescaping, so no escaped spelling
 * hides a second copy of a claim; no raw control character in a string, no escape JSON does not
 * have, no unpaired surrogate escape, no leading zero, no trailing text. Integral numbers that fit
 * are {@link Long}, others finite {@link Double}; objects are insertion-ordered maps and arrays
 * lists, both unmodifiable.
 *
 * <p>It reads what Nimbus's parser would, minus what latch refuses anyway, at a fraction of the cost:
 * verification spends its time on the signature, not on a general-purpose JSON library.
 *
 * <p>Thread-safe: stateless; each call has its own cursor.
 */
final class StrictJson {
    /** Deepest nesting of arrays and objects. */
    static final int MAX_DEPTH = 32;

    /** Why a text was refused. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean duplicate;

        Malformed(boolean duplicate) {
            super(duplicate ? "duplicate member" : "not strict JSON", null, false, false);
            this.duplicate = duplicate;
        }
    }

    private static final Malformed SYNTAX = new Malformed(false);
    private static final Malformed DUPLICATE = new Malformed(true);

    private final String s;
    private int i;

    private StrictJson(String s) {
        this.s = s;
    }

    /**
     * @param text a JSON text
     * @return its top-level object
     * @throws Malformed when it is not one strict JSON object
     */
    static Map<String, Object> object(String text) throws Malformed {
        StrictJson p = new StrictJson(text);
        p.ws();
        if (p.i >= text.length() || text.charAt(p.i) != '{') {
            throw SYNTAX;
        }
        Map<String, Object> out = p.readObject(1);
        p.ws();
        if (p.i != text.length()) {
            throw SYNTAX;
        }
        return out;
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
            } else {
                return;
            }
        }
    }

    private Object value(int depth) throws Malformed {
        if (i >= s.length()) {
            throw SYNTAX;
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return readObject(depth + 1);
            case '[':
                return readArray(depth + 1);
            case '"':
                return readString();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || c >= '0' && c <= '9') {
                    return readNumber();
                }
                throw SYNTAX;
        }
    }

    private Object literal(String word, Object v) throws Malformed {
        if (!s.startsWith(word, i)) {
            throw SYNTAX;
        }
        i += word.length();
        return v;
    }

    private Map<String, Object> readObject(int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw SYNTAX;
        }
        i++; // '{'
        Map<String, Object> out = new LinkedHashMap<>();
        ws();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return Collections.unmodifiableMap(out);
        }
        while (true) {
            ws();
            if (i >= s.length() || s.charAt(i) != '"') {
                throw SYNTAX;
            }
            String name = readString();
            ws();
            if (i >= s.length() || s.charAt(i) != ':') {
                throw SYNTAX;
            }
            i++;
            ws();
            Object v = value(depth);
            int before = out.size();
            out.put(name, v);
            if (out.size() == before) {
                throw DUPLICATE;
            }
            ws();
            if (i >= s.length()) {
                throw SYNTAX;
            }
            char c = s.charAt(i++);
            if (c == '}') {
                return Collections.unmodifiableMap(out);
            }
            if (c != ',') {
                throw SYNTAX;
            }
        }
    }

    private List<Object> readArray(int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw SYNTAX;
        }
        i++; // '['
        List<Object> out = new ArrayList<>();
        ws();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return Collections.unmodifiableList(out);
        }
        while (true) {
            ws();
            out.add(value(depth));
            ws();
            if (i >= s.length()) {
                throw SYNTAX;
            }
            char c = s.charAt(i++);
            if (c == ']') {
                return Collections.unmodifiableList(out);
            }
            if (c != ',') {
                throw SYNTAX;
            }
        }
    }

    private String readString() throws Malformed {
        int start = ++i; // after '"'
        // fast path: no escapes
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                return s.substring(start, i++);
            }
            if (c == '\\') {
                break;
            }
            if (c < 0x20) {
                throw SYNTAX;
            }
            i++;
        }
        StringBuilder b = new StringBuilder(s.length() - start).append(s, start, i);
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw SYNTAX;
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw SYNTAX;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u': {
                    int u = hex4();
                    if (Character.isHighSurrogate((char) u)) {
                        if (i + 1 >= s.length() || s.charAt(i) != '\\' || s.charAt(i + 1) != 'u') {
                            throw SYNTAX;
                        }
                        i += 2;
                        int low = hex4();
                        if (!Character.isLowSurrogate((char) low)) {
                            throw SYNTAX;
                        }
                        b.append((char) u).append((char) low);
                    } else if (Character.isLowSurrogate((char) u)) {
                        throw SYNTAX;
                    } else {
                        b.append((char) u);
                    }
                    break;
                }
                default:
                    throw SYNTAX;
            }
        }
        throw SYNTAX;
    }

    private int hex4() throws Malformed {
        if (i + 4 > s.length()) {
            throw SYNTAX;
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            char c = s.charAt(i++);
            int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (h < 0) {
                throw SYNTAX;
            }
            v = v << 4 | h;
        }
        return v;
    }

    private Object readNumber() throws Malformed {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        if (i >= s.length()) {
            throw SYNTAX;
        }
        if (s.charAt(i) == '0') {
            i++;
        } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
        } else {
            throw SYNTAX;
        }
        boolean integral = true;
        if (i < s.length() && s.charAt(i) == '.') {
            integral = false;
            i++;
            int digits = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == digits) {
                throw SYNTAX;
            }
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            integral = false;
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int digits = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == digits) {
                throw SYNTAX;
            }
        }
        String text = s.substring(start, i);
        if (integral && text.length() <= 19) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                // beyond long: a double below
            }
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d) || Double.isNaN(d)) {
            throw SYNTAX;
        }
        return d;
    }
}
