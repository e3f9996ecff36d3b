package dev.latch.hmac;

import dev.latch.IpRange;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The signed latch token format, version 1: readable, URL-safe text, signed as written.
 *
 * <pre>
 * token   = payload "." tag
 * payload = "lt1" "~" kid "~" resource "~" subject "~" permissions "~" start "~" expiry "~"
 *           issuedAt "~" sourceRange "~" tokenId "~" policyId "~" singleUse
 * tag     = base64url(HMAC(key, ASCII(payload)))            (RFC 4648 §5, no padding)
 * </pre>
 *
 * Every field is present, in this order, even when empty. Numbers are decimal epoch seconds
 * without leading zeros; permissions are joined with ","; the source range is in its canonical
 * form; singleUse is "0" or "1". Resource and subject are percent-encoded (UTF-8, upper-case
 * hex) for every character outside {@code A-Z a-z 0-9 - . _ / : @}, and only for those, so each
 * value has exactly one spelling; no field can contain "~", so two different grants never give
 * the same payload. The tag is the last "." segment, of fixed length for the key's algorithm.
 * The whole token uses only characters that go into a URL query as they are. A token is
 * accepted only in exactly this form.
 */
final class TokenFormat {
    static final String VERSION = "lt1";
    static final int MAX_TOKEN = 4096;
    private static final int FIELDS = 12;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The signed fields. Times in epoch seconds; start is -1 when absent. */
    record Claims(String kid, String resource, String subject, List<String> permissions, long start, long expiry,
                  long issuedAt, String sourceRange, String tokenId, String policyId, boolean singleUse) {
    }

    /**
     * A token split into its payload (the exact signed text), its fields' positions and its tag.
     * Field values are read lazily, after the tag has been checked.
     */
    static final class Parsed {
        final String token;
        final int payloadEnd;
        final int[] ends;
        final byte[] tag;

        Parsed(String token, int payloadEnd, int[] ends, byte[] tag) {
            this.token = token;
            this.payloadEnd = payloadEnd;
            this.ends = ends;
            this.tag = tag;
        }

        int start(int field) {
            return field == 0 ? 0 : ends[field - 1] + 1;
        }

        int end(int field) {
            return ends[field];
        }

        boolean empty(int field) {
            return start(field) == end(field);
        }

        String field(int field) {
            return token.substring(start(field), end(field));
        }

        /** @return the token's ASCII bytes; the signed payload is the first {@code payloadEnd} of them */
        byte[] bytes() {
            return token.getBytes(StandardCharsets.US_ASCII);
        }

        /** @return true when the field equals the given text exactly (in its encoded form) */
        boolean fieldEquals(int field, String encoded) {
            int n = end(field) - start(field);
            return n == encoded.length() && token.regionMatches(start(field), encoded, 0, n);
        }
    }

    private TokenFormat() {
    }

    static String payload(Claims c) {
        return VERSION + '~' + c.kid() + '~' + encode(c.resource()) + '~' + encode(c.subject()) + '~'
                + String.join(",", c.permissions()) + '~' + (c.start() < 0 ? "" : Long.toString(c.start())) + '~'
                + c.expiry() + '~' + c.issuedAt() + '~' + (c.sourceRange() == null ? "" : c.sourceRange()) + '~'
                + c.tokenId() + '~' + (c.policyId() == null ? "" : c.policyId()) + '~' + (c.singleUse() ? "1" : "0");
    }

    static String token(String payload, byte[] tag) {
        return payload + "." + ENCODER.encodeToString(tag);
    }

    private static boolean raw(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '/' || c == ':' || c == '@';
    }

    /** Canonical percent-encoding: every byte outside the raw set, upper-case hex. */
    static String encode(String value) {
        boolean plain = true;
        for (int i = 0; i < value.length() && plain; i++) {
            plain = raw(value.charAt(i));
        }
        if (plain) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (raw(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return out.toString();
    }

    /**
     * Splits and checks the structure only: sizes, separators, characters, tag length for some
     * algorithm. Field contents are validated by {@link #claims(Parsed)} after the tag matches.
     *
     * @param token the presented token
     * @return the split token, or null when it cannot be a token
     */
    static Parsed parse(String token) {
        if (token == null || token.length() < 10 || token.length() > MAX_TOKEN) {
            return null;
        }
        int dot = token.lastIndexOf('.');
        int tagLength = token.length() - dot - 1;
        if (dot < 0 || (tagLength != 43 && tagLength != 64 && tagLength != 86)) {
            return null;
        }
        byte[] tag = decodeTag(token, dot + 1, token.length());
        if (tag == null || !token.startsWith(VERSION + "~")) {
            return null;
        }
        int[] ends = new int[FIELDS];
        int f = 0;
        for (int i = 0; i < dot; i++) {
            char c = token.charAt(i);
            if (c == '~') {
                if (f == FIELDS - 1) {
                    return null;
                }
                ends[f++] = i;
            } else if (!(raw(c) || c == '%' || c == ',' || c == '*')) {
                return null;
            }
        }
        if (f != FIELDS - 1) {
            return null;
        }
        ends[FIELDS - 1] = dot;
        return new Parsed(token, dot, ends, tag);
    }

    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    private static int value(char c) {
        return c < 128 ? VALUES[c] : -1;
    }

    /** Strict base64url without padding: the unused low bits of the last character must be zero. */
    static byte[] decodeTag(String s, int from, int to) {
        int n = to - from;
        int rest = n % 4;
        if (rest == 1) {
            return null;
        }
        byte[] out = new byte[n / 4 * 3 + (rest == 0 ? 0 : rest - 1)];
        int o = 0;
        int i = from;
        int full = from + n - rest;
        int bad = 0;
        for (; i < full; i += 4) {
            int a = value(s.charAt(i));
            int b = value(s.charAt(i + 1));
            int c = value(s.charAt(i + 2));
            int d = value(s.charAt(i + 3));
            bad |= a | b | c | d;
            int bits = (a << 18) | (b << 12) | (c << 6) | d;
            out[o++] = (byte) (bits >> 16);
            out[o++] = (byte) (bits >> 8);
            out[o++] = (byte) bits;
        }
        if (rest > 0) {
            int a = value(s.charAt(i));
            int b = value(s.charAt(i + 1));
            int c = rest == 3 ? value(s.charAt(i + 2)) : 0;
            bad |= a | b | c;
            int bits = (a << 18) | (b << 12) | (c << 6);
            out[o++] = (byte) (bits >> 16);
            if (rest == 3) {
                out[o] = (byte) (bits >> 8);
                bad |= (bits & 0xff) == 0 ? 0 : -1;
            } else {
                bad |= (bits & 0xffff) == 0 ? 0 : -1;
            }
        }
        return bad < 0 ? null : out;
    }

    /** Field indexes. */
    static final int KID = 1;
    static final int RESOURCE = 2;
    static final int SUBJECT = 3;
    static final int PERMISSIONS = 4;
    static final int START = 5;
    static final int EXPIRY = 6;
    static final int ISSUED = 7;
    static final int RANGE = 8;
    static final int TOKEN_ID = 9;
    static final int POLICY = 10;
    static final int SINGLE = 11;

    /** @return true when the key id field is a well-formed key id */
    static boolean kidWellFormed(Parsed p) {
        int n = p.end(KID) - p.start(KID);
        if (n < 1 || n > 64) {
            return false;
        }
        for (int i = p.start(KID); i < p.end(KID); i++) {
            char c = p.token.charAt(i);
            if (c == '/' || c == ':' || c == '@' || c == '%' || c == ',') {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads and validates every field of a token whose tag matched.
     *
     * @return the claims, or null when any field is not in its canonical form
     */
    static Claims claims(Parsed p) {
        String resource = text(p, RESOURCE);
        String subject = text(p, SUBJECT);
        List<String> permissions = permissions(p);
        long start = p.empty(START) ? -1 : number(p, START);
        long expiry = number(p, EXPIRY);
        long issuedAt = number(p, ISSUED);
        String range = p.empty(RANGE) ? null : range(p.field(RANGE));
        String tokenId = id(p, TOKEN_ID);
        String policyId = p.empty(POLICY) ? null : id(p, POLICY);
        boolean flagOk = p.end(SINGLE) - p.start(SINGLE) == 1
                && (p.token.charAt(p.start(SINGLE)) == '0' || p.token.charAt(p.start(SINGLE)) == '1');
        if (resource == null || subject == null || permissions == null || start < -1 || expiry < 0 || issuedAt < 0
                || (!p.empty(RANGE) && range == null) || tokenId == null || (!p.empty(POLICY) && policyId == null)
                || !flagOk || !kidWellFormed(p)) {
            return null;
        }
        return new Claims(p.field(KID), resource, subject, permissions, start, expiry, issuedAt, range, tokenId, policyId,
                p.token.charAt(p.start(SINGLE)) == '1');
    }

    /** A percent-decoded value of 1 to 256 characters, without control characters, in canonical form. */
    private static String text(Parsed p, int field) {
        int from = p.start(field);
        int to = p.end(field);
        if (to <= from) {
            return null;
        }
        for (int i = from; i < to; i++) {
            char c = p.token.charAt(i);
            if (!raw(c) && c != '%') {
                return null; // ',' or '*' must be percent-encoded here: not the canonical form
            }
        }
        int percent = p.token.indexOf('%', from);
        String s;
        if (percent < 0 || percent >= to) {
            s = p.token.substring(from, to);
        } else {
            byte[] bytes = new byte[to - from];
            int n = 0;
            for (int i = from; i < to; i++) {
                char c = p.token.charAt(i);
                if (c == '%') {
                    if (i + 2 >= to) {
                        return null;
                    }
                    int hi = Character.digit(p.token.charAt(i + 1), 16);
                    int lo = Character.digit(p.token.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0 || Character.isLowerCase(p.token.charAt(i + 1))
                            || Character.isLowerCase(p.token.charAt(i + 2))) {
                        return null;
                    }
                    bytes[n++] = (byte) (hi << 4 | lo);
                    i += 2;
                } else {
                    bytes[n++] = (byte) c;
                }
            }
            s = new String(bytes, 0, n, StandardCharsets.UTF_8);
            if (!encode(s).equals(p.token.substring(from, to))) {
                return null; // not the canonical encoding (or malformed UTF-8)
            }
        }
        if (s.length() > 256) {
            return null;
        }
        if (percent >= 0 && percent < to) {
            // Raw characters are never control characters; decoded ones may be.
            for (int i = 0; i < s.length(); i++) {
                if (Character.isISOControl(s.charAt(i))) {
                    return null;
                }
            }
        }
        return s;
    }

    private static List<String> permissions(Parsed p) {
        int from = p.start(PERMISSIONS);
        int to = p.end(PERMISSIONS);
        List<String> out = new ArrayList<>(2);
        int start = from;
        for (int i = from; i <= to && from < to; i++) {
            if (i == to || p.token.charAt(i) == ',') {
                int n = i - start;
                if (n < 1 || n > 64) {
                    return null;
                }
                for (int j = start; j < i; j++) {
                    char b = p.token.charAt(j);
                    boolean ok = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                            || b == ':' || b == '.' || b == '_' || b == '*' || b == '-';
                    if (!ok) {
                        return null;
                    }
                }
                String perm = p.token.substring(start, i);
                if (out.contains(perm)) {
                    return null;
                }
                out.add(perm);
                start = i + 1;
            }
        }
        return out;
    }

    /** "0" or 1 to 12 digits without a leading zero; -2 when not canonical. */
    private static long number(Parsed p, int field) {
        int from = p.start(field);
        int to = p.end(field);
        int n = to - from;
        if (n < 1 || n > 12 || (n > 1 && p.token.charAt(from) == '0')) {
            return -2;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = p.token.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -2;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static String id(Parsed p, int field) {
        int n = p.end(field) - p.start(field);
        if (n < 8 || n > 64) {
            return null;
        }
        for (int i = p.start(field); i < p.end(field); i++) {
            char b = p.token.charAt(i);
            boolean ok = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' || b == '-';
            if (!ok) {
                return null;
            }
        }
        return p.field(field);
    }

    /** A source range in its canonical text form only. */
    private static String range(String text) {
        try {
            return IpRange.parse(text).toString().equals(text) ? text : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * @param resource a resource
     * @return true when a path segment is "." or ".." (such resources are never signed or granted)
     */
    static boolean hasDotSegment(String resource) {
        int n = resource.length();
        int start = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || resource.charAt(i) == '/') {
                int len = i - start;
                if ((len == 1 && resource.charAt(start) == '.')
                        || (len == 2 && resource.charAt(start) == '.' && resource.charAt(start + 1) == '.')) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }
}
