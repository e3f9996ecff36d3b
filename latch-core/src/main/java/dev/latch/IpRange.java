package dev.latch;

import dev.latch.internal.IpAddresses;

import java.util.Arrays;

/**
 * A range of IP addresses: a CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), a single
 * address, or an inclusive {@code first-last} range of one family. Addresses are literals only
 * and are never resolved. IPv4 and IPv6 never match each other (an IPv4-mapped IPv6 address is
 * read as IPv4).
 *
 * <pre>{@code
 * IpRange office = IpRange.parse("203.0.113.0/24");
 * office.contains("203.0.113.7");   // true
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class IpRange {
    private final byte[] first;
    private final byte[] last;
    private final String text;

    private IpRange(byte[] first, byte[] last, String text) {
        this.first = first;
        this.last = last;
        this.text = text;
    }

    /**
     * @param spec CIDR, single address or {@code a-b}
     * @return the range
     * @throws IllegalArgumentException naming the spec when it is not a valid range
     */
    public static IpRange parse(String spec) {
        if (spec == null || spec.isBlank() || spec.length() > 100) {
            throw new IllegalArgumentException("an address range is an IPv4 or IPv6 literal, a CIDR block or a from-to range");
        }
        try {
            int slash = spec.indexOf('/');
            int dash = spec.indexOf('-');
            if (slash >= 0) {
                byte[] base = IpAddresses.parse(spec.substring(0, slash));
                String bitsText = spec.substring(slash + 1);
                if (bitsText.isEmpty() || bitsText.length() > 3 || !bitsText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException();
                }
                int bits = Integer.parseInt(bitsText);
                if (bits > base.length * 8) {
                    throw new IllegalArgumentException();
                }
                byte[] lo = base.clone();
                byte[] hi = base.clone();
                for (int i = 0; i < base.length * 8; i++) {
                    if (i >= bits) {
                        lo[i / 8] &= (byte) ~(0x80 >>> (i % 8));
                        hi[i / 8] |= (byte) (0x80 >>> (i % 8));
                    }
                }
                if (!Arrays.equals(lo, base)) { // address bounds, not secrets
                    throw new IllegalArgumentException(); // host bits set: almost always a typo
                }
                return new IpRange(lo, hi, IpAddresses.format(lo) + "/" + bits);
            }
            if (dash >= 0) {
                byte[] lo = IpAddresses.parse(spec.substring(0, dash).trim());
                byte[] hi = IpAddresses.parse(spec.substring(dash + 1).trim());
                if (lo.length != hi.length || Arrays.compareUnsigned(lo, hi) > 0) {
                    throw new IllegalArgumentException();
                }
                return new IpRange(lo, hi, IpAddresses.format(lo) + "-" + IpAddresses.format(hi));
            }
            byte[] one = IpAddresses.parse(spec);
            return new IpRange(one, one, IpAddresses.format(one));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("an address range is an IPv4 or IPv6 literal, a CIDR block or a from-to range");
        }
    }

    /**
     * @param address an IPv4 or IPv6 literal
     * @return true when it is inside this range; false for anything that is not an address literal
     */
    public boolean contains(String address) {
        if (!IpAddresses.isLiteral(address)) {
            return false;
        }
        return contains(IpAddresses.parse(address));
    }

    /**
     * @param address 4 or 16 bytes
     * @return true when the address is inside this range (and of the same family)
     */
    boolean contains(byte[] address) {
        return address.length == first.length
                && Arrays.compareUnsigned(address, first) >= 0
                && Arrays.compareUnsigned(address, last) <= 0;
    }

    /** @return the canonical text of the range */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
