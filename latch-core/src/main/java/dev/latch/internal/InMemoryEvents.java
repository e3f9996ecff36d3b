package dev.latch.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.latch.spi.LatchStore.EventCount;
import dev.latch.spi.Names;

import java.time.Duration;
import java.time.Instant;

/**
 * The in-memory store's trigger windows: per key, a ring of at most {@code threshold} event times
 * and a cooldown, in a Caffeine cache on the store's clock, never evicted for size. Thread-safe.
 */
final class InMemoryEvents {
    private final InMemoryLatchStore store;
    private final Cache<String, EventWindow> events;

    InMemoryEvents(InMemoryLatchStore store, Ticker ticker) {
        this.store = store;
        // Trigger windows are bounded per key (threshold times) and, like markers, never evicted for size.
        this.events = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .expireAfter(new Expiry<String, EventWindow>() {
                    @Override
                    public long expireAfterCreate(String key, EventWindow w, long currentTime) {
                        return InMemoryLatchStore.nanosBetween(w.writtenAt, w.keepUntil);
                    }

                    @Override
                    public long expireAfterUpdate(String key, EventWindow w, long currentTime, long currentDuration) {
                        return InMemoryLatchStore.nanosBetween(w.writtenAt, w.keepUntil);
                    }

                    @Override
                    public long expireAfterRead(String key, EventWindow w, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    long size() {
        return events.estimatedSize();
    }

    void cleanUp() {
        events.cleanUp();
    }

    /**
     * The most recent event times of one trigger key (a ring of at most the threshold) and its
     * cooldown. Changed only inside the map's compute for its key.
     */
    static final class EventWindow {
        long[] times; // epoch millis, unordered ring
        int size;
        int next;
        long cooldownUntil = Long.MIN_VALUE;
        Instant writtenAt;
        Instant keepUntil;
    }

    EventCount countEvent(String key, int threshold, Duration window, Duration cooldown, Instant now) {
        Names.required(key, "key");
        Names.required(window, "window");
        Names.required(cooldown, "cooldown");
        Names.required(now, "now");
        store.observe(now);
        EventCount.checkArguments(key, threshold, window, cooldown);
        EventCount[] out = new EventCount[1];
        if (events.getIfPresent(key) == null) {
            store.ensureRoom();
        }
        events.asMap().compute(key, (k, w) -> {
            long t = now.toEpochMilli();
            if (w == null || w.times.length != threshold) {
                EventWindow fresh = new EventWindow();
                fresh.times = new long[threshold];
                if (w != null) {
                    fresh.cooldownUntil = w.cooldownUntil;
                }
                w = fresh;
            }
            w.times[w.next] = t;
            w.next = (w.next + 1) % threshold;
            w.size = Math.min(threshold, w.size + 1);
            long from = t - window.toMillis();
            int inWindow = 0;
            for (int i = 0; i < w.size; i++) {
                if (w.times[i] > from && w.times[i] <= t) {
                    inWindow++;
                }
            }
            boolean reached = inWindow >= threshold;
            boolean cooling = reached && t < w.cooldownUntil;
            boolean fired = reached && !cooling;
            if (fired) {
                w.size = 0;
                w.next = 0;
                w.cooldownUntil = t + cooldown.toMillis();
            }
            w.writtenAt = now;
            Instant windowEnd = now.plus(window);
            Instant coolEnd = Instant.ofEpochMilli(Math.max(w.cooldownUntil, t));
            w.keepUntil = windowEnd.isAfter(coolEnd) ? windowEnd : coolEnd;
            out[0] = new EventCount(inWindow, fired, cooling);
            return w;
        });
        return out[0];
    }
}
