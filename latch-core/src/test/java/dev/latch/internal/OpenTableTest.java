package dev.latch.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's own hash table, against a HashMap, and read while other threads write. */
class OpenTableTest {

    /** An entry that carries its key. */
    record Entry(String key, int n) {
    }

    /** Keys whose hash is their number mod {@code buckets}: few buckets make long probe runs. */
    static final class Table extends OpenTable<Entry, String> {
        final int buckets;

        Table(int buckets) {
            this.buckets = buckets;
        }

        @Override
        int hash(String key) {
            return buckets == 0 ? key.hashCode() : Integer.parseInt(key.substring(1)) % buckets;
        }

        @Override
        int hashOf(Entry e) {
            return hash(e.key());
        }

        @Override
        boolean hasKey(Entry e, String key, int hash) {
            return e.key().equals(key);
        }
    }

    @Test
    void randomOperations_agreeWithAHashMap_throughGrowthRemovalsAndRebuilds() {
        for (int buckets : new int[] {0, 7}) { // 7: every key collides with a seventh of the others
            Random random = new Random(buckets + 1);
            Table table = new Table(buckets);
            Map<String, Entry> model = new HashMap<>();
            for (int op = 0; op < 200_000; op++) {
                String key = "k" + random.nextInt(op < 100_000 ? 3_000 : 300); // grow, then shrink to few keys
                int what = random.nextInt(10);
                if (what < 3) {
                    Entry e = new Entry(key, op);
                    Entry held = table.putIfAbsent(e, key);
                    Entry expected = model.putIfAbsent(key, e);
                    assertSame(expected == null ? e : expected, held);
                } else if (what < 5) {
                    Entry e = new Entry(key, op);
                    table.put(e, key);
                    model.put(key, e);
                } else if (what < 8) {
                    Entry held = model.get(key);
                    Entry other = new Entry(key, -1); // equal key, not the entry: identity decides
                    assertFalse(table.remove(other, table.hash(key)));
                    assertEquals(held != null, held != null && table.remove(held, table.hash(key)));
                    model.remove(key);
                } else {
                    assertSame(model.get(key), table.get(key), key);
                }
                assertEquals(model.size(), table.size());
            }
            Map<Entry, Boolean> seen = new IdentityHashMap<>();
            table.forEach(e -> assertNull(seen.put(e, true), "each entry once"));
            assertEquals(model.size(), seen.size());
            for (Entry e : model.values()) {
                assertTrue(seen.containsKey(e));
            }
        }
    }

    @Test
    void replace_putsTheSuccessorInTheSameCell_orRemoves() {
        Table table = new Table(0);
        Entry a = new Entry("k1", 1);
        Entry b = new Entry("k1", 2);
        table.putIfAbsent(a, "k1");
        assertTrue(table.replace(a, table.hash("k1"), b));
        assertSame(b, table.get("k1"));
        assertEquals(1, table.size());
        assertFalse(table.replace(a, table.hash("k1"), null), "a is no longer held");
        assertTrue(table.replace(b, table.hash("k1"), null));
        assertNull(table.get("k1"));
        assertEquals(0, table.size());
    }

    @Test
    void readers_alwaysFindStandingEntries_whileWritersChurnAndRebuild() throws Exception {
        // Five hashes for all keys: one long run, so every removal moves entries past readers mid-probe.
        Table table = new Table(5);
        // Writers' first entries go in before the standing ones, so their removals move standing entries.
        List<List<Entry>> early = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            List<Entry> mine = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                Entry e = new Entry("w" + (i * 2 + w), 0);
                table.putIfAbsent(e, e.key());
                mine.add(e);
            }
            early.add(mine);
        }
        List<Entry> standing = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Entry e = new Entry("s" + i, i);
            standing.add(e);
            table.putIfAbsent(e, e.key());
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            threads.add(new Thread(() -> { // adds and removes its own keys: marks pile up, rebuilds follow
                Random random = new Random(writer);
                List<Entry> mine = early.get(writer);
                while (!stop.get()) {
                    if (mine.size() < 500 && random.nextBoolean()) {
                        Entry e = new Entry("w" + (random.nextInt(1 << 29) * 2 + 1_000 + writer), 0);
                        if (table.putIfAbsent(e, e.key()) == e) {
                            mine.add(e);
                        }
                    } else if (!mine.isEmpty()) {
                        Entry e = mine.remove(random.nextInt(mine.size()));
                        if (!table.remove(e, table.hash(e.key()))) {
                            failure.compareAndSet(null, "lost " + e.key());
                        }
                    }
                }
            }));
        }
        for (int r = 0; r < 2; r++) {
            threads.add(new Thread(() -> {
                Random random = new Random();
                while (!stop.get()) {
                    Entry e = standing.get(random.nextInt(standing.size()));
                    if (table.get(e.key()) != e) {
                        failure.compareAndSet(null, "missed " + e.key());
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        Thread.sleep(1_500);
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertNull(failure.get());
        for (Entry e : standing) {
            assertSame(e, table.get(e.key()));
        }
    }
}
