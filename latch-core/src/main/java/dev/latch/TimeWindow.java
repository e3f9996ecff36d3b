package dev.latch;

import dev.latch.spi.Names;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

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
public final class TimeWindow {
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
