package dev.latch.internal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-memory store's issue-rate window against a plain model of its contract: an issue is
 * taken when fewer than {@code limit} earlier issues lie in {@code (now - window, now]}, and
 * issue times outside that span (older, or ahead of a clock that stepped back) no longer count.
 */
class IssueWindowProperties {

    /** The model: every issue time still held, in a list. */
    static final class Model {
        final List<Long> held = new ArrayList<>();

        boolean take(long now, long window, int limit) {
            held.removeIf(t -> t <= now - window || t > now);
            if (held.size() >= limit) {
                return false;
            }
            held.add(now);
            return true;
        }
    }

    /** Steps of the clock in ms: mostly forward, sometimes standing still or stepping back. */
    @Provide
    Arbitrary<List<Long>> steps() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(0, 400)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-3_000, -1)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1_000, 5_000)))
                .list().ofMinSize(1).ofMaxSize(300);
    }

    @Property(tries = 500)
    void takesExactlyWhatTheModelTakes(@ForAll("steps") List<Long> steps, @ForAll @IntRange(min = 1, max = 12) int limit,
                                       @ForAll @IntRange(min = 1, max = 2_000) int window) {
        InMemoryLatchStore.Slot slot = new InMemoryLatchStore.Slot("latch", "alice", Instant.EPOCH);
        Model model = new Model();
        long now = 1_700_000_000_000L;
        for (long step : steps) {
            now += step;
            assertEquals(model.take(now, window, limit), slot.takeIssue(now, window, limit), "at " + now);
            assertEquals(sorted(model.held), held(slot, window), "held after " + now);
        }
    }

    /** Callers with different limits share a store: a smaller limit must not make it forget issues. */
    @Property(tries = 500)
    void callersWithDifferentLimitsTakeWhatTheModelTakes(@ForAll("steps") List<Long> steps,
                                                         @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 1, max = 6) Integer> limits,
                                                         @ForAll @IntRange(min = 1, max = 2_000) int window) {
        InMemoryLatchStore.Slot slot = new InMemoryLatchStore.Slot("latch", "alice", Instant.EPOCH);
        Model model = new Model();
        long now = 1_700_000_000_000L;
        for (int i = 0; i < steps.size(); i++) {
            now += steps.get(i);
            int limit = limits.get(i % limits.size());
            assertEquals(model.take(now, window, limit), slot.takeIssue(now, window, limit), "at " + now + ", limit " + limit);
            assertEquals(sorted(model.held), held(slot, window), "held after " + now);
        }
    }

    @Property(tries = 50)
    void aLargeLimitGrowsTheArrayAndKeepsEveryIssue(@ForAll @Size(min = 1, max = 600) List<@IntRange(min = 0, max = 3) Integer> steps) {
        InMemoryLatchStore.Slot slot = new InMemoryLatchStore.Slot("latch", "alice", Instant.EPOCH);
        Model model = new Model();
        long now = 1_700_000_000_000L;
        for (int step : steps) {
            now += step;
            assertEquals(model.take(now, 1_000, 1_000), slot.takeIssue(now, 1_000, 1_000));
        }
        assertEquals(sorted(model.held), held(slot, 1_000));
    }

    @Example
    void windowEnd_isInSecondsRoundedUpAndSaturates() {
        assertEquals(1_700_000_001, InMemoryLatchStore.Slot.windowEnd(1_700_000_000_000L, 1));
        assertEquals(1_700_000_001, InMemoryLatchStore.Slot.windowEnd(1_700_000_000_000L, 1_000));
        assertEquals(1_700_000_002, InMemoryLatchStore.Slot.windowEnd(1_700_000_000_000L, 1_001));
        assertEquals(0xFFFF_FFFFL, Integer.toUnsignedLong(InMemoryLatchStore.Slot.windowEnd(1_700_000_000_000L, Long.MAX_VALUE)),
                "overflow: the end of what an int holds");
        assertEquals(0xFFFF_FFFFL, Integer.toUnsignedLong(InMemoryLatchStore.Slot.windowEnd(5_000_000_000_000L, 1_000)),
                "after 2106: saturated");
        assertEquals(1, InMemoryLatchStore.Slot.windowEnd(-5_000L, 1_000), "before 1970: never 0, which means none");
    }

    /** The times the slot holds: its newest (when it still lies in a window) and the older ones. */
    private static List<Long> held(InMemoryLatchStore.Slot slot, long window) {
        List<Long> out = new ArrayList<>();
        if (slot.newestIssue != Long.MIN_VALUE) {
            out.add(slot.newestIssue);
        }
        if (slot.olderIssues != null) {
            boolean past = false; // the held times come first, then only unused cells
            for (long t : slot.olderIssues) {
                past |= t == Long.MIN_VALUE;
                if (past) {
                    assertEquals(Long.MIN_VALUE, t, "a held time after an unused cell");
                } else {
                    out.add(t);
                }
            }
            assertTrue(out.size() > 1, "an array only while the window holds more than one");
        }
        if (!out.isEmpty()) {
            assertEquals(InMemoryLatchStore.Slot.windowEnd(slot.newestIssue, window), slot.windowEnd, "the window's end follows the newest");
        }
        return sorted(out);
    }

    private static List<Long> sorted(List<Long> times) {
        List<Long> s = new ArrayList<>(times);
        s.sort(null);
        return s;
    }
}
