package dev.latch.hmac;

import dev.latch.Condition.IpRange;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
        /**
         * The token's characters as ISO-8859-1 bytes: one byte per character, any character
         * above U+00FF as '?'. Every check reads these; none of the bytes a check accepts stands
         * for two different characters, since all of them are ASCII.
         */
        final byte[] b;
        final int payloadEnd;
        final int[] ends;

        Parsed(String token, byte[] b, int payloadEnd, int[] ends) {
            this.token = token;
            this.b = b;
            this.payloadEnd = payloadEnd;
            this.ends = ends;
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

        /** @return the character at {@code i}, 0 to 255 */
        int at(int i) {
            return b[i] & 0xff;
        }

        String field(int field) {
            return token.substring(start(field), end(field));
        }

        /** @return the token's bytes; the signed payload is the first {@code payloadEnd} of them */
        byte[] bytes() {
            return b;
        }
    }

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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

    /** One-character strings of the ASCII characters, so "r" or "w" is not copied per verification. */
    private static final String[] ONE_CHARACTER = new String[128];

    static {
        for (int c = 0; c < 128; c++) {
            ONE_CHARACTER[c] = String.valueOf((char) c);
        }
    }

    /** Character classes, one bit each, for ASCII: one table load instead of a chain of comparisons. */
    private static final byte RAW = 1;
    private static final byte PAYLOAD = 2; // any character a payload field may hold: raw, '%', ',' and '*'
    private static final byte PERMISSION = 4;
    private static final byte ID = 8;
    private static final byte KID_EXCLUDED = 16;
    private static final byte[] CLASSES = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            boolean alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            boolean raw = alnum || c == '-' || c == '.' || c == '_' || c == '/' || c == ':' || c == '@';
            int bits = 0;
            bits |= raw ? RAW : 0;
            bits |= raw || c == '%' || c == ',' || c == '*' ? PAYLOAD : 0;
            bits |= alnum || c == ':' || c == '.' || c == '_' || c == '*' || c == '-' ? PERMISSION : 0;
            bits |= alnum || c == '_' || c == '-' ? ID : 0;
            bits |= c == '/' || c == ':' || c == '@' || c == '%' || c == ',' ? KID_EXCLUDED : 0;
            CLASSES[c] = (byte) bits;
        }
    }

    private static boolean is(int c, byte cls) {
        return c < 128 && (CLASSES[c] & cls) != 0;
    }

    private static boolean raw(int c) {
        return is(c, RAW);
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
     * Splits and checks the structure only: sizes, version, separators and a tag length for some
     * algorithm. Neither the characters of the fields nor the tag's are looked at here: the tag is
     * decoded as it is compared ({@link #tagMatches}), on a matching tag
     * {@link #claims(Parsed, String, String)} validates every field character by character, and
     * on a failing tag {@link #wellFormed(Parsed)} tells a malformed token from a forged one. So
     * the success path reads each character once.
     *
     * @param token the presented token
     * @return the split token, or null when it cannot be a token
     */
    static Parsed parse(String token) {
        if (token == null || token.length() < 10 || token.length() > MAX_TOKEN) {
            return null;
        }
        // ISO-8859-1 copies a compact string's bytes as they are; no per-character encoding.
        byte[] b = token.getBytes(StandardCharsets.ISO_8859_1);
        // The tag has one of three lengths (HMAC-SHA256, -384, -512) and no '.' in its alphabet,
        // so the "." before it is at one of three places: no need to search for it. A '.' inside
        // what is taken as the tag fails the tag's decoding later, as any other foreign character.
        int n = b.length;
        int dot;
        if (n > 44 && b[n - 44] == '.') {
            dot = n - 44;
        } else if (n > 65 && b[n - 65] == '.') {
            dot = n - 65;
        } else if (n > 87 && b[n - 87] == '.') {
            dot = n - 87;
        } else {
            return null;
        }
        if (b[0] != 'l' || b[1] != 't' || b[2] != '1' || b[3] != '~') {
            return null;
        }
        int[] ends = new int[FIELDS];
        int f = 0;
        int i = 0;
        // Eight bytes at a time: a word's '~' bytes found exactly (no borrow between bytes), then
        // taken lowest first.
        for (; i + 8 <= dot; i += 8) {
            long t = (long) LONG_LE.get(b, i) ^ 0x7E7E7E7E7E7E7E7EL; // '~' bytes become zero
            long zeros = ~(((t & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL) | t | 0x7F7F7F7F7F7F7F7FL);
            while (zeros != 0) {
                if (f == FIELDS - 1) {
                    return null;
                }
                ends[f++] = i + (Long.numberOfTrailingZeros(zeros) >>> 3);
                zeros &= zeros - 1;
            }
        }
        for (; i < dot; i++) {
            if (b[i] == '~') {
                if (f == FIELDS - 1) {
                    return null;
                }
                ends[f++] = i;
            }
        }
        if (f != FIELDS - 1) {
            return null;
        }
        ends[FIELDS - 1] = dot;
        return new Parsed(token, b, dot, ends);
    }

    /**
     * @param p a split token
     * @return true when every payload character is one a token can hold; for telling a
     *         malformed token (MALFORMED) from a forged one (BAD_SIGNATURE) after its tag failed
     */
    static boolean wellFormed(Parsed p) {
        for (int i = 0; i < p.payloadEnd; i++) {
            int c = p.at(i);
            if (c != '~' && !is(c, PAYLOAD)) {
                return false;
            }
        }
        return tagWellFormed(p.b, p.payloadEnd + 1, p.b.length);
    }

    /**
     * Compares a computed MAC with a strict, unpadded base64url tag, decoding as it goes. It runs
     * in time that depends only on the lengths: no early exit on the first differing byte or on a
     * character outside the alphabet.
     *
     * @param mac  the computed MAC
     * @param s    the token's bytes
     * @param from where the tag starts
     * @param to   where it ends
     * @return true when the tag is the canonical encoding of exactly {@code mac}
     */
    static boolean tagMatches(byte[] mac, byte[] s, int from, int to) {
        int n = to - from;
        int rest = n % 4;
        if (rest == 1 || n / 4 * 3 + (rest == 0 ? 0 : rest - 1) != mac.length) {
            return false;
        }
        int o = 0;
        int i = from;
        int full = from + n - rest;
        int bad = 0;
        int diff = 0;
        for (; i < full; i += 4) {
            // A -1 (a character outside the alphabet) shifted left stays negative, so the sign
            // of bits flags it; the 24 bits are compared with three MAC bytes at once.
            int bits = (VALUES[s[i] & 0xff] << 18) | (VALUES[s[i + 1] & 0xff] << 12) | (VALUES[s[i + 2] & 0xff] << 6)
                    | VALUES[s[i + 3] & 0xff];
            bad |= bits;
            diff |= bits ^ ((mac[o] & 0xff) << 16 | (mac[o + 1] & 0xff) << 8 | (mac[o + 2] & 0xff));
            o += 3;
        }
        if (rest > 0) {
            int a = VALUES[s[i] & 0xff];
            int b = VALUES[s[i + 1] & 0xff];
            int c = rest == 3 ? VALUES[s[i + 2] & 0xff] : 0;
            bad |= a | b | c;
            int bits = (a << 18) | (b << 12) | (c << 6);
            diff |= ((bits >> 16) ^ mac[o]) & 0xff;
            if (rest == 3) {
                diff |= ((bits >> 8) ^ mac[o + 1]) & 0xff;
                diff |= bits & 0xff; // unused low bits must be zero: one spelling per tag
            } else {
                diff |= bits & 0xffff;
            }
        }
        return ((bad >> 31) | diff) == 0; // bad is negative when any character was outside the alphabet
    }

    /** base64url values of the 256 byte values; -1 for bytes outside the alphabet. */
    private static final byte[] VALUES = new byte[256];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    /**
     * @return true when {@code s[from, to)} is strict base64url without padding: alphabet
     *         characters only, a possible length, and zero unused bits in the last character
     */
    static boolean tagWellFormed(byte[] s, int from, int to) {
        int rest = (to - from) % 4;
        if (rest == 1) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (VALUES[s[i] & 0xff] < 0) {
                return false;
            }
        }
        int last = to > from ? VALUES[s[to - 1] & 0xff] : 0;
        return rest == 0 || (last & (rest == 2 ? 0x0f : 0x03)) == 0;
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
            if (is(p.at(i), KID_EXCLUDED)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads and validates every field of a token whose tag matched. The key id field was checked
     * ({@link #kidWellFormed}) and matched to {@code kid} before the tag.
     *
     * @param p                the parsed token
     * @param kid              the id of the key whose tag matched
     * @param expectedResource the resource the caller requires, or null: when the field spells
     *                         exactly it, and it needs no percent-encoding, it is taken as it is
     *                         (it is then canonical by construction) instead of being copied
     * @param likelySubject    a subject the token probably names (the caller's), or null; taken
     *                         as it is, in the same way, when the field spells exactly it
     * @return the claims, or null when any field is not in its canonical form
     */
    static Claims claims(Parsed p, String kid, String expectedResource, String likelySubject) {
        String resource = expectedResource != null && plainEquals(p, RESOURCE, expectedResource)
                ? expectedResource : text(p, RESOURCE);
        String subject = likelySubject != null && plainEquals(p, SUBJECT, likelySubject)
                ? likelySubject : text(p, SUBJECT);
        List<String> permissions = permissions(p);
        long start = p.empty(START) ? -1 : number(p, START);
        long expiry = number(p, EXPIRY);
        long issuedAt = number(p, ISSUED);
        String range = p.empty(RANGE) ? null : range(p.field(RANGE));
        String tokenId = id(p, TOKEN_ID);
        String policyId = p.empty(POLICY) ? null : id(p, POLICY);
        boolean flagOk = p.end(SINGLE) - p.start(SINGLE) == 1
                && (p.at(p.start(SINGLE)) == '0' || p.at(p.start(SINGLE)) == '1');
        if (resource == null || subject == null || permissions == null || start < -1 || expiry < 0 || issuedAt < 0
                || (!p.empty(RANGE) && range == null) || tokenId == null || (!p.empty(POLICY) && policyId == null)
                || !flagOk) {
            return null;
        }
        return new Claims(kid, resource, subject, permissions, start, expiry, issuedAt, range, tokenId, policyId,
                p.at(p.start(SINGLE)) == '1');
    }

    /** @return true when the field is exactly {@code value}, a 1 to 256 character value of raw characters only */
    private static boolean plainEquals(Parsed p, int field, String value) {
        int from = p.start(field);
        int n = value.length();
        if (n < 1 || n > 256 || p.end(field) - from != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int c = value.charAt(i);
            if (p.at(from + i) != c || !raw(c)) {
                return false;
            }
        }
        return true;
    }

    /** A percent-decoded value of 1 to 256 characters, without control characters, in canonical form. */
    private static String text(Parsed p, int field) {
        int from = p.start(field);
        int to = p.end(field);
        if (to <= from) {
            return null;
        }
        boolean percent = false;
        for (int i = from; i < to; i++) {
            int c = p.at(i);
            if (c == '%') {
                percent = true;
            } else if (!raw(c)) {
                return null; // ',' or '*' must be percent-encoded here: not the canonical form
            }
        }
        String s;
        if (!percent) {
            s = p.token.substring(from, to);
        } else {
            byte[] bytes = new byte[to - from];
            int n = 0;
            for (int i = from; i < to; i++) {
                int c = p.at(i);
                if (c == '%') {
                    if (i + 2 >= to) {
                        return null;
                    }
                    int hi = Character.digit(p.at(i + 1), 16);
                    int lo = Character.digit(p.at(i + 2), 16);
                    if (hi < 0 || lo < 0 || Character.isLowerCase(p.at(i + 1))
                            || Character.isLowerCase(p.at(i + 2))) {
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
        if (percent) {
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
        // One loop for any number; the usual single permission makes no list to grow, and a
        // one-character permission ("r", "w") is a shared constant, not a copy.
        String first = null;
        List<String> more = null;
        int start = from;
        for (int i = from; i <= to && from < to; i++) {
            if (i == to || p.at(i) == ',') {
                int n = i - start;
                if (n < 1 || n > 64) {
                    return null;
                }
                for (int j = start; j < i; j++) {
                    if (!is(p.at(j), PERMISSION)) {
                        return null;
                    }
                }
                String perm = n == 1 ? ONE_CHARACTER[p.at(start)] : p.token.substring(start, i);
                if (first == null) {
                    first = perm;
                } else {
                    if (more == null) {
                        more = new ArrayList<>(4);
                        more.add(first);
                    }
                    if (more.contains(perm)) {
                        return null;
                    }
                    more.add(perm);
                }
                start = i + 1;
            }
        }
        return more != null ? more : first != null ? List.of(first) : List.of();
    }

    /** "0" or 1 to 12 digits without a leading zero; -2 when not canonical. */
    static long number(Parsed p, int field) {
        return number(p.b, p.start(field), p.end(field));
    }

    /**
     * "0" or 1 to 12 digits without a leading zero in {@code b[from, to)}; -2 when not canonical.
     * Eight digits at a time are checked and combined within one long (times are ten digits).
     */
    static long number(byte[] b, int from, int to) {
        int n = to - from;
        if (n < 1 || n > 12 || (n > 1 && b[from] == '0')) {
            return -2;
        }
        long v = 0;
        int i = from;
        if (n >= 8) {
            long x = (long) LONG_LE.get(b, i); // b[i] is the lowest byte
            // Every byte is '0'..'9' exactly when its high nibble is 3 and adding 6 keeps it 3.
            if ((x & 0xF0F0F0F0F0F0F0F0L) != 0x3030303030303030L
                    || ((x + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) != 0x3030303030303030L) {
                return -2;
            }
            x -= 0x3030303030303030L;
            x = x * 10 + (x >>> 8); // pairs of digits
            v = (((x & 0x000000FF000000FFL) * (100 + (1000000L << 32)))
                    + (((x >>> 16) & 0x000000FF000000FFL) * (1 + (10000L << 32)))) >>> 32;
            i += 8;
        }
        for (; i < to; i++) {
            int d = b[i] - '0';
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
            if (!is(p.at(i), ID)) {
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
        if (resource.indexOf("/.") < 0 && !resource.startsWith(".")) {
            return false; // a dot segment starts the text or follows a '/'
        }
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
