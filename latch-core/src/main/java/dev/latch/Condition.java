package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.internal.IpAddresses;
import dev.latch.spi.Names;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A requirement on the {@link AccessContext} in which a code is presented. A code whose policy
 * has conditions opens only when all of them hold; otherwise it is denied with
 * {@link DenialReason#CONTEXT_REJECTED} and is not consumed.
 *
 * <pre>{@code
 * LatchPolicy policy = LatchPolicy.custom()
 *         .conditions(Condition.sourceIn("10.0.0.0/8", "2001:db8::/32"),
 *                     Condition.within(TimeWindow.businessHours(ZoneId.of("Europe/Berlin"))),
 *                     Condition.attribute("team", "ops", "sre"))
 *         .build();
 * }</pre>
 *
 * <p>Conditions are stored with the code (in a canonical text form), so every instance sharing
 * a store applies the same ones. Thread-safe: immutable.
 */
public final class Condition {
    private static final int MAX_ITEMS = 64;

    private enum Kind { SOURCE, TIME, ATTRIBUTE }

    private final Kind kind;
    private final List<IpRange> ranges;
    private final TimeWindow window;
    private final String attribute;
    private final Set<String> values;

    private Condition(Kind kind, List<IpRange> ranges, TimeWindow window, String attribute, Set<String> values) {
        this.kind = kind;
        this.ranges = ranges;
        this.window = window;
        this.attribute = attribute;
        this.values = values;
    }

    /** @return {@code SOURCE}, {@code TIME} or {@code ATTRIBUTE}: what an audit event says was not met */
    String kindName() {
        return kind.name();
    }

    /**
     * @param cidrs IPv4 or IPv6 CIDR blocks, single addresses or {@code first-last} ranges
     * @return a condition that holds when the source address is in one of them
     * @throws IllegalArgumentException when a range is not one (the message names the rule, not the text)
     */
    public static Condition sourceIn(String... cidrs) {
        if (cidrs.length == 0 || cidrs.length > MAX_ITEMS) {
            throw new IllegalArgumentException("sourceIn needs 1 to " + MAX_ITEMS + " ranges");
        }
        List<IpRange> ranges = new ArrayList<>();
        for (String c : cidrs) {
            ranges.add(IpRange.parse(c));
        }
        return new Condition(Kind.SOURCE, List.copyOf(ranges), null, null, null);
    }

    /**
     * @param window the window
     * @return a condition that holds when the code is presented inside the window (by the injected clock)
     */
    public static Condition within(TimeWindow window) {
        return new Condition(Kind.TIME, null, Names.required(window, "window"), null, null);
    }

    /**
     * @param name    attribute name
     * @param allowed the values that satisfy it
     * @return a condition that holds when the context's attribute has one of the values
     */
    public static Condition attribute(String name, String... allowed) {
        AccessContext.checkText("attribute name", name);
        if (allowed.length == 0 || allowed.length > MAX_ITEMS) {
            throw new IllegalArgumentException("attribute condition needs 1 to " + MAX_ITEMS + " values");
        }
        Set<String> values = new TreeSet<>();
        for (String v : allowed) {
            values.add(AccessContext.checkText("attribute value", v));
        }
        return new Condition(Kind.ATTRIBUTE, null, null, name, Set.copyOf(values));
    }

    boolean test(AccessContext context, Instant now) {
        switch (kind) {
            case SOURCE:
                byte[] source = context.sourceBytes();
                if (source == null) {
                    return false;
                }
                for (IpRange r : ranges) {
                    if (r.contains(source)) {
                        return true;
                    }
                }
                return false;
            case TIME:
                return window.contains(now);
            case ATTRIBUTE:
                String v = context.attributes().get(attribute);
                return v != null && values.contains(v);
            default:
                throw new AssertionError(kind);
        }
    }

    String encode() {
        switch (kind) {
            case SOURCE:
                return "src:" + ranges.stream().map(IpRange::toString).collect(Collectors.joining(" "));
            case TIME:
                return "time:" + window.encode();
            case ATTRIBUTE:
                return "attr:" + enc(attribute) + "=" + new TreeSet<>(values).stream().map(Condition::enc)
                        .collect(Collectors.joining(" "));
            default:
                throw new AssertionError(kind);
        }
    }

    /** Encodes a list of conditions canonically, one per line. */
    static String encodeAll(List<Condition> conditions) {
        if (conditions.isEmpty()) {
            return "";
        }
        return conditions.stream().map(Condition::encode).collect(Collectors.joining("\n"));
    }

    /** Decodes {@link #encodeAll(List)}; the empty string is no conditions. */
    static List<Condition> decodeAll(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<Condition> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            out.add(decode(line));
        }
        return List.copyOf(out);
    }

    private static Condition decode(String line) {
        int colon = line.indexOf(':');
        String kind = colon < 0 ? "" : line.substring(0, colon);
        String body = line.substring(colon + 1);
        switch (kind) {
            case "src":
                return sourceIn(body.split(" "));
            case "time":
                return within(TimeWindow.decode(body));
            case "attr":
                int eq = body.indexOf('=');
                String[] vals = body.substring(eq + 1).split(" ");
                for (int i = 0; i < vals.length; i++) {
                    vals[i] = dec(vals[i]);
                }
                return attribute(dec(body.substring(0, eq)), vals);
            default:
                throw new IllegalArgumentException("unknown condition kind in stored record");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && c.encode().equals(encode());
    }

    @Override
    public int hashCode() {
        return encode().hashCode();
    }

    @Override
    public String toString() {
        return "Condition[" + encode() + "]";
    }

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
    public static final class IpRange {
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

    /**
     * Days of the week and a time of day range in a time zone, such as business hours. Used as a
     * {@link Condition} and for the out-of-hours alert.
     *
     * <pre>{@code
     * TimeWindow hours = TimeWindow.businessHours(ZoneId.of("Europe/Berlin"));   // Mon-Fri 09:00-17:00
     * TimeWindow night = TimeWindow.of(LocalTime.of(22, 0), LocalTime.of(6, 0), ZoneId.of("UTC"),
     *         EnumSet.allOf(DayOfWeek.class));                                   // wraps midnight
     * }</pre>
     *
     * <p>{@code from} is inclusive and {@code to} exclusive; a window whose {@code to} is before
     * {@code from} wraps past midnight and the day is the day it started. Thread-safe: immutable.
     */
    public static final class TimeWindow {
        private final LocalTime from;
        private final LocalTime to;
        private final ZoneId zone;
        private final Set<DayOfWeek> days;

        private TimeWindow(LocalTime from, LocalTime to, ZoneId zone, Set<DayOfWeek> days) {
            this.from = Names.required(from, "from");
            this.to = Names.required(to, "to");
            this.zone = Names.required(zone, "zone");
            if (from.equals(to)) {
                throw new IllegalArgumentException("time window is empty: from == to == " + from);
            }
            if (days.isEmpty()) {
                throw new IllegalArgumentException("time window needs at least one day");
            }
            this.days = Set.copyOf(days);
        }

        /**
         * @param from start, inclusive
         * @param to   end, exclusive
         * @param zone the zone the times are in
         * @param days the days the window starts on
         * @return the window
         */
        public static TimeWindow of(LocalTime from, LocalTime to, ZoneId zone, Set<DayOfWeek> days) {
            return new TimeWindow(from, to, zone, EnumSet.copyOf(Names.required(days, "days")));
        }

        /**
         * @param zone the zone
         * @return Monday to Friday, 09:00 to 17:00 in the zone
         */
        public static TimeWindow businessHours(ZoneId zone) {
            return new TimeWindow(LocalTime.of(9, 0), LocalTime.of(17, 0), zone,
                    EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
        }

        /**
         * @param instant a moment
         * @return true when the moment is inside the window
         */
        public boolean contains(Instant instant) {
            ZonedDateTime t = instant.atZone(zone);
            LocalTime time = t.toLocalTime();
            if (from.isBefore(to)) {
                return days.contains(t.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
            }
            if (!time.isBefore(from)) {
                return days.contains(t.getDayOfWeek());
            }
            return time.isBefore(to) && days.contains(t.getDayOfWeek().minus(1));
        }

        String encode() {
            return zone.getId() + "," + from + "," + to + "," + days.stream().sorted()
                    .map(d -> Integer.toString(d.getValue())).collect(Collectors.joining(""));
        }

        static TimeWindow decode(String text) {
            String[] p = text.split(",", -1);
            if (p.length != 4) {
                throw new IllegalArgumentException("bad time window encoding");
            }
            EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (char c : p[3].toCharArray()) {
                days.add(DayOfWeek.of(c - '0'));
            }
            return new TimeWindow(LocalTime.parse(p[1]), LocalTime.parse(p[2]), ZoneId.of(p[0]), days);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TimeWindow w && w.encode().equals(encode());
        }

        @Override
        public int hashCode() {
            return encode().hashCode();
        }

        @Override
        public String toString() {
            return "TimeWindow[" + from + "-" + to + " " + zone + " " + days.stream().sorted().collect(Collectors.toList()) + "]";
        }
    }
}
