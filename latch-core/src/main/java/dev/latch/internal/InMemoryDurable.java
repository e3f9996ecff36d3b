package dev.latch.internal;

import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory store's durable records (compare-and-set) and scheduled work (claims with
 * leases). Records change only inside the map's compute for their key; work is changed under
 * this object's monitor. Thread-safe.
 */
final class InMemoryDurable {

    private record Rec(String value, long version, Instant expiresAt) {
    }

    /** An item and its claim state; replaced, never mutated. */
    private record Item(LatchStore.Work work, long token, int attempts, Instant availableAt) {
    }

    private static final Comparator<Item> BY_AVAILABLE = Comparator.comparing(Item::availableAt)
            .thenComparing(i -> i.work().id());

    private final ConcurrentHashMap<String, Rec> records = new ConcurrentHashMap<>();
    private final Map<String, Item> items = new HashMap<>();
    private final TreeSet<Item> queue = new TreeSet<>(BY_AVAILABLE);

    Optional<LatchStore.Versioned> get(String key, Instant now) {
        LatchStore.checkRecordKey(key);
        Names.required(now, "now");
        Rec r = records.get(key);
        return r == null || !now.isBefore(r.expiresAt) ? Optional.empty()
                : Optional.of(new LatchStore.Versioned(r.value, r.version));
    }

    /** @return whether a record is live under the key (the caller checks room before creating) */
    boolean live(String key, Instant now) {
        Rec r = records.get(key);
        return r != null && now.isBefore(r.expiresAt);
    }

    boolean compareAndSet(String key, long expected, String value, Instant expiresAt, Instant now) {
        boolean[] done = {false};
        records.compute(key, (k, r) -> {
            boolean alive = r != null && now.isBefore(r.expiresAt);
            long current = alive ? r.version : 0;
            if (current != expected) {
                return alive ? r : null;
            }
            done[0] = true;
            return new Rec(value, expected + 1, expiresAt);
        });
        return done[0];
    }

    synchronized void schedule(LatchStore.Work work) {
        Item old = items.remove(work.id());
        if (old != null) {
            queue.remove(old);
        }
        Item fresh = new Item(work, old == null ? 0 : old.token, 0, work.dueAt());
        items.put(work.id(), fresh);
        queue.add(fresh);
    }

    synchronized boolean scheduled(String id) {
        return items.containsKey(id);
    }

    synchronized List<LatchStore.Claim> claimDue(Instant now, Duration lease, int max) {
        List<LatchStore.Claim> claims = new ArrayList<>();
        Instant until = now.plus(lease);
        while (claims.size() < max && !queue.isEmpty() && !queue.first().availableAt().isAfter(now)) {
            Item due = queue.pollFirst();
            Item held = new Item(due.work, due.token + 1, due.attempts + 1, until);
            items.put(due.work.id(), held);
            queue.add(held);
            claims.add(new LatchStore.Claim(due.work, held.token, held.attempts));
        }
        // the earliest-due order: items whose lease ran out were re-queued at the lease's end
        claims.sort(LatchStore.Claim.EARLIEST_DUE);
        return claims;
    }

    synchronized boolean complete(String id, long token) {
        Item i = items.get(id);
        if (i == null || i.token != token || i.attempts == 0) {
            return false;
        }
        items.remove(id);
        queue.remove(i);
        return true;
    }

    synchronized boolean cancel(String id) {
        Item i = items.remove(id);
        if (i == null) {
            return false;
        }
        queue.remove(i);
        return true;
    }

    /** Forgets expired records. */
    void sweep(Instant now) {
        for (Iterator<Map.Entry<String, Rec>> it = records.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Rec> e = it.next();
            if (!now.isBefore(e.getValue().expiresAt.plusSeconds(60))) {
                records.remove(e.getKey(), e.getValue());
            }
        }
    }

    synchronized long size() {
        return records.size() + items.size();
    }
}
