package dev.latch;


import dev.latch.spi.Names;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
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
}
