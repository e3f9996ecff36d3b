package dev.latch.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Strict parsing of IPv4 and IPv6 literals. Never resolves a host name: a string that is not
 * a literal address is refused, so no input can make latch do DNS. Stateless; thread-safe.
 */
public final class IpAddresses {
    private IpAddresses() {
    }

    /**
     * @param text an IPv4 dotted quad (no leading zeros) or an IPv6 literal (no zone id)
     * @return 4 or 16 bytes; IPv4-mapped IPv6 addresses come back as 4 bytes
     * @throws IllegalArgumentException when the text is not a literal address
     */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            throw new IllegalArgumentException("not an IP address literal");
        }
        if (text.indexOf(':') < 0) {
            return parseV4(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == ':' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("not an IP address literal");
            }
        }
        try {
            // With a ':' present and only hex digits, colons and dots, the JDK parses a literal
            // and never looks the string up.
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal");
        }
    }

    /**
     * @param text text that may be an address literal
     * @return true when {@link #parse(String)} accepts it
     */
    public static boolean isLiteral(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * @param address 4 or 16 bytes
     * @return the canonical text form
     */
    public static String format(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must have 4 or 16 bytes");
        }
    }

    private static byte[] parseV4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                if (part > 3) {
                    throw new IllegalArgumentException("not an IP address literal");
                }
                out[part++] = (byte) octet(text, start, i);
                start = i + 1;
            }
        }
        if (part != 4) {
            throw new IllegalArgumentException("not an IP address literal");
        }
        return out;
    }

    private static int octet(String text, int from, int to) {
        int len = to - from;
        if (len < 1 || len > 3 || (len > 1 && text.charAt(from) == '0')) {
            throw new IllegalArgumentException("not an IP address literal");
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not an IP address literal");
            }
            value = value * 10 + (c - '0');
        }
        if (value > 255) {
            throw new IllegalArgumentException("not an IP address literal");
        }
        return value;
    }
}
