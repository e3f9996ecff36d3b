package dev.latch.internal;

import java.util.Arrays;

/**
 * A range of IP addresses: a CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), a single
 * address, or an inclusive {@code first-last} range of one family. Immutable.
 */
public final class AddressRange {
    private final byte[] first;
    private final byte[] last;
    private final String text;

    private AddressRange(byte[] first, byte[] last, String text) {
        this.first = first;
        this.last = last;
        this.text = text;
    }

    /**
     * @param spec CIDR, single address or {@code a-b}
     * @return the range
     * @throws IllegalArgumentException naming the spec when it is not a valid range
     */
    public static AddressRange parse(String spec) {
        if (spec == null || spec.isBlank() || spec.length() > 100) {
            throw new IllegalArgumentException("invalid address range: " + spec);
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
                if (!Arrays.equals(lo, base)) {
                    throw new IllegalArgumentException(); // host bits set: almost always a typo
                }
                return new AddressRange(lo, hi, IpAddresses.format(lo) + "/" + bits);
            }
            if (dash >= 0) {
                byte[] lo = IpAddresses.parse(spec.substring(0, dash).trim());
                byte[] hi = IpAddresses.parse(spec.substring(dash + 1).trim());
                if (lo.length != hi.length || Arrays.compareUnsigned(lo, hi) > 0) {
                    throw new IllegalArgumentException();
                }
                return new AddressRange(lo, hi, IpAddresses.format(lo) + "-" + IpAddresses.format(hi));
            }
            byte[] one = IpAddresses.parse(spec);
            return new AddressRange(one, one, IpAddresses.format(one));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid address range: " + spec);
        }
    }

    /**
     * @param address 4 or 16 bytes
     * @return true when the address is inside this range (and of the same family)
     */
    public boolean contains(byte[] address) {
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
        return o instanceof AddressRange r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
