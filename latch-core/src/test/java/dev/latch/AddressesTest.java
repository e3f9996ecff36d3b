package dev.latch;

import dev.latch.Condition.IpRange;

import dev.latch.internal.Alphabets;
import dev.latch.internal.IpAddresses;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.1.1.1", "1..2.3", "a.b.c.d", "localhost",
            "::g", "1:2:3:4:5:6:7:8:9", "fe80::1%1", " 1.2.3.4", "１.２.３.４"})
    void parse_refusesNonLiterals(String text) {
        assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse(text));
    }

    @Test
    void cidr_matchesIPv4AndIPv6Exactly() {
        IpRange v4 = IpRange.parse("10.0.0.0/8");
        assertTrue(v4.contains(IpAddresses.parse("10.255.255.255")));
        assertFalse(v4.contains(IpAddresses.parse("11.0.0.0")));
        assertFalse(v4.contains(IpAddresses.parse("::a00:1")), "families never mix");
        IpRange v6 = IpRange.parse("2001:db8::/32");
        assertTrue(v6.contains(IpAddresses.parse("2001:db8:ffff::1")));
        assertFalse(v6.contains(IpAddresses.parse("2001:db9::1")));
        IpRange all = IpRange.parse("0.0.0.0/0");
        assertTrue(all.contains(IpAddresses.parse("203.0.113.1")));
        IpRange one = IpRange.parse("192.0.2.7");
        assertTrue(one.contains(IpAddresses.parse("192.0.2.7")));
        assertFalse(one.contains(IpAddresses.parse("192.0.2.8")));
        assertTrue(one.contains("192.0.2.7"));
        assertFalse(one.contains("not-an-address"));
        assertFalse(one.contains((String) null));
    }

    @Test
    void range_dashFormIsInclusive() {
        IpRange r = IpRange.parse("192.0.2.10-192.0.2.20");
        assertTrue(r.contains(IpAddresses.parse("192.0.2.10")));
        assertTrue(r.contains(IpAddresses.parse("192.0.2.20")));
        assertFalse(r.contains(IpAddresses.parse("192.0.2.21")));
        assertEquals("192.0.2.10-192.0.2.20", r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "::/129", "10.0.0.9-10.0.0.1",
            "10.0.0.1-::1", "10.0.0.0/8/8", "x/8"})
    void range_refusesInvalidSpecsNamingTheRuleNotTheInput(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpRange.parse(spec));
        assertTrue(e.getMessage().contains("CIDR"), e.getMessage());
        assertFalse(e.getMessage().contains(spec), "the input is never repeated: " + e.getMessage());
    }

    @Test
    void base62_fixedWidth() {
        assertEquals("000000", Alphabets.base62(0, 6));
        assertEquals("4gfFC3", Alphabets.base62(4294967295L, 6));
        assertThrows(IllegalArgumentException.class, () -> Alphabets.base62(62, 1));
    }
}
