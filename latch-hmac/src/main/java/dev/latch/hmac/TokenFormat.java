package dev.latch.hmac;

import dev.latch.IpRange;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The signed latch token format, version 1.
 *
 * <pre>
 * token   = b64url(payload) "." b64url(tag)                 (RFC 4648 §5, no padding)
 * payload = "lt1" LF kid LF resource LF subject LF permissions LF start LF expiry LF
 *           issuedAt LF sourceRange LF tokenId LF policyId LF singleUse
 * </pre>
 *
 * Every field is present, in this order, even when empty; numbers are decimal epoch seconds
 * without leading zeros; permissions are joined with ","; the source range is in its canonical
 * form; singleUse is "0" or "1". No field may contain LF (or any control character), so two
 * different grants never give the same payload. The tag is the HMAC of the payload bytes with
 * the key named by kid. A token is accepted only in exactly this encoding: anything re-ordered,
 * re-encoded, padded or with extra or missing fields is malformed.
 */
final class TokenFormat {
    static final String VERSION = "lt1";
    static final int MAX_TOKEN = 4096;
    private static final int FIELDS = 12;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** The signed fields. Times in epoch seconds; start is -1 when absent. */
    record Claims(String kid, String resource, String subject, List<String> permissions, long start, long expiry,
                  long issuedAt, String sourceRange, String tokenId, String policyId, boolean singleUse) {
    }

    /** A parsed token: its claims, the payload bytes that were signed, and the tag. */
    record Parsed(Claims claims, byte[] payload, byte[] tag) {
    }

    private TokenFormat() {
    }

    static String payload(Claims c) {
        return VERSION + '\n' + c.kid() + '\n' + c.resource() + '\n' + c.subject() + '\n'
                + String.join(",", c.permissions()) + '\n' + (c.start() < 0 ? "" : Long.toString(c.start())) + '\n'
                + c.expiry() + '\n' + c.issuedAt() + '\n' + (c.sourceRange() == null ? "" : c.sourceRange()) + '\n'
                + c.tokenId() + '\n' + (c.policyId() == null ? "" : c.policyId()) + '\n' + (c.singleUse() ? "1" : "0");
    }

    static String encode(byte[] payload, byte[] tag) {
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(tag);
    }

    /**
     * One pass over the token, no regular expressions and no re-encoding: every field is checked
     * for its single canonical form as it is read, so a token that parses is byte for byte the
     * encoding of its claims.
     *
     * @param token the presented token
     * @return the parsed token, or null when it is malformed in any way
     */
    static Parsed parse(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN) {
            return null;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1 || token.indexOf('.', dot + 1) >= 0) {
            return null;
        }
        byte[] payload = decode(token, 0, dot);
        byte[] tag = payload == null ? null : decode(token, dot + 1, token.length());
        if (tag == null) {
            return null;
        }
        Claims claims = claims(payload);
        return claims == null ? null : new Parsed(claims, payload, tag);
    }

    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    /** Strict base64url without padding: the unused low bits of the last character must be zero. */
    private static byte[] decode(String s, int from, int to) {
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
                bad |= (bits & 0xff) == 0 ? 0 : -1; // unused bits must be zero: one canonical encoding
            } else {
                bad |= (bits & 0xffff) == 0 ? 0 : -1;
            }
        }
        return bad < 0 ? null : out;
    }

    private static int value(char c) {
        return c < 128 ? VALUES[c] : -1;
    }

    private static Claims claims(byte[] p) {
        int[] ends = new int[FIELDS];
        int f = 0;
        for (int i = 0; i < p.length; i++) {
            int b = p[i];
            if (b == '\n') {
                if (f == FIELDS - 1) {
                    return null;
                }
                ends[f++] = i;
            } else if ((b >= 0 && b < 0x20) || b == 0x7f) {
                return null;
            }
        }
        if (f != FIELDS - 1) {
            return null;
        }
        ends[FIELDS - 1] = p.length;
        if (ends[0] != 3 || p[0] != 'l' || p[1] != 't' || p[2] != '1') {
            return null;
        }
        String kid = ascii(p, ends[0] + 1, ends[1], 1, 64, false);
        String resource = text(p, ends[1] + 1, ends[2]);
        String subject = text(p, ends[2] + 1, ends[3]);
        List<String> permissions = permissions(p, ends[3] + 1, ends[4]);
        long start = ends[4] + 1 == ends[5] ? -1 : number(p, ends[4] + 1, ends[5]);
        long expiry = number(p, ends[5] + 1, ends[6]);
        long issuedAt = number(p, ends[6] + 1, ends[7]);
        String range = ends[7] + 1 == ends[8] ? null : range(p, ends[7] + 1, ends[8]);
        String tokenId = ascii(p, ends[8] + 1, ends[9], 8, 64, true);
        String policyId = ends[9] + 1 == ends[10] ? null : ascii(p, ends[9] + 1, ends[10], 8, 64, true);
        boolean single = ends[11] - ends[10] == 2 && (p[ends[10] + 1] == '1');
        boolean flagOk = ends[11] - ends[10] == 2 && (p[ends[10] + 1] == '0' || p[ends[10] + 1] == '1');
        if (kid == null || resource == null || subject == null || permissions == null || start < -1 || expiry < 0
                || issuedAt < 0 || (ends[7] + 1 != ends[8] && range == null) || tokenId == null
                || (ends[9] + 1 != ends[10] && policyId == null) || !flagOk) {
            return null;
        }
        return new Claims(kid, resource, subject, permissions, start, expiry, issuedAt, range, tokenId, policyId, single);
    }

    /** Key ids ([A-Za-z0-9._-]) or, with idOnly, token and policy ids ([A-Za-z0-9_-]). */
    private static String ascii(byte[] p, int from, int to, int min, int max, boolean idOnly) {
        int n = to - from;
        if (n < min || n > max) {
            return null;
        }
        for (int i = from; i < to; i++) {
            int b = p[i];
            boolean ok = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_'
                    || b == '-' || (!idOnly && b == '.');
            if (!ok) {
                return null;
            }
        }
        return new String(p, from, n, StandardCharsets.US_ASCII);
    }

    /** 1 to 256 characters of well-formed UTF-8 without control characters. */
    private static String text(byte[] p, int from, int to) {
        if (to <= from) {
            return null;
        }
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            ascii &= p[i] >= 0;
        }
        String s = new String(p, from, to - from, ascii ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8);
        if (s.length() > 256) {
            return null;
        }
        if (!ascii) {
            byte[] again = s.getBytes(StandardCharsets.UTF_8);
            // canonical UTF-8 check on claim text, which is public: not a secret comparison
            if (!java.util.Arrays.equals(again, 0, again.length, p, from, to)
                    || s.chars().anyMatch(Character::isISOControl)) {
                return null;
            }
        }
        return s;
    }

    private static List<String> permissions(byte[] p, int from, int to) {
        List<String> out = new ArrayList<>(4);
        int start = from;
        for (int i = from; i <= to && from < to; i++) {
            if (i == to || p[i] == ',') {
                int n = i - start;
                if (n < 1 || n > 64) {
                    return null;
                }
                for (int j = start; j < i; j++) {
                    int b = p[j];
                    boolean ok = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                            || b == ':' || b == '.' || b == '_' || b == '*' || b == '-';
                    if (!ok) {
                        return null;
                    }
                }
                String perm = new String(p, start, n, StandardCharsets.US_ASCII);
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
    private static long number(byte[] p, int from, int to) {
        int n = to - from;
        if (n < 1 || n > 12 || (n > 1 && p[from] == '0')) {
            return -2;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = p[i] - '0';
            if (d < 0 || d > 9) {
                return -2;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** A source range in its canonical text form only. */
    private static String range(byte[] p, int from, int to) {
        String text = new String(p, from, to - from, StandardCharsets.US_ASCII);
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
