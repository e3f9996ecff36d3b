package dev.latch.hmac;

import dev.latch.IpRange;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

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
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern PERMISSION = Pattern.compile("[A-Za-z0-9:._*-]{1,64}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");
    private static final Pattern NUMBER = Pattern.compile("0|[1-9][0-9]{0,11}");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

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
        byte[] payload = canonicalBase64(token, 0, dot);
        byte[] tag = canonicalBase64(token, dot + 1, token.length());
        if (payload == null || tag == null) {
            return null;
        }
        Claims claims = claims(new String(payload, StandardCharsets.UTF_8));
        if (claims == null || !java.util.Arrays.equals(payload(claims).getBytes(StandardCharsets.UTF_8), payload)) {
            return null;
        }
        return new Parsed(claims, payload, tag);
    }

    private static byte[] canonicalBase64(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return null;
            }
        }
        String part = s.substring(from, to);
        byte[] bytes;
        try {
            bytes = DECODER.decode(part);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // Base64 ignores unused low bits of the last character: insist on the one canonical form.
        return ENCODER.encodeToString(bytes).equals(part) ? bytes : null;
    }

    private static Claims claims(String payload) {
        String[] f = payload.split("\n", -1);
        if (f.length != FIELDS || !VERSION.equals(f[0]) || !KID.matcher(f[1]).matches()
                || !text(f[2]) || !text(f[3]) || !NUMBER.matcher(f[6]).matches() || !NUMBER.matcher(f[7]).matches()
                || !ID.matcher(f[9]).matches() || !("0".equals(f[11]) || "1".equals(f[11]))) {
            return null;
        }
        if (!f[5].isEmpty() && !NUMBER.matcher(f[5]).matches()) {
            return null;
        }
        if (!f[10].isEmpty() && !ID.matcher(f[10]).matches()) {
            return null;
        }
        List<String> permissions = new ArrayList<>();
        if (!f[4].isEmpty()) {
            LinkedHashSet<String> seen = new LinkedHashSet<>();
            for (String p : f[4].split(",", -1)) {
                if (!PERMISSION.matcher(p).matches() || !seen.add(p)) {
                    return null;
                }
            }
            permissions.addAll(seen);
        }
        String range = null;
        if (!f[8].isEmpty()) {
            try {
                range = IpRange.parse(f[8]).toString();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return new Claims(f[1], f[2], f[3], List.copyOf(permissions), f[5].isEmpty() ? -1 : Long.parseLong(f[5]),
                Long.parseLong(f[6]), Long.parseLong(f[7]), range, f[9], f[10].isEmpty() ? null : f[10], "1".equals(f[11]));
    }

    private static boolean text(String s) {
        if (s.isEmpty() || s.length() > 256) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param resource a resource
     * @return true when a path segment is "." or ".." (such resources are never signed or granted)
     */
    static boolean hasDotSegment(String resource) {
        for (String segment : resource.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }
}
