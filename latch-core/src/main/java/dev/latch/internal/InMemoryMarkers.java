package dev.latch.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.latch.spi.Names;

import java.time.Instant;
import java.util.Optional;

/**
 * The in-memory store's markers (replay caches, revoked token ids, stored policies): a Caffeine
 * cache on the store's clock, each entry living until its own expiry plus a minute, never evicted
 * for size (the store bounds the total). Thread-safe.
 */
final class InMemoryMarkers {
    private final InMemoryLatchStore store;
    private final Cache<String, Marker> markers;

    InMemoryMarkers(InMemoryLatchStore store, Ticker ticker) {
        this.store = store;
        // Markers (replay caches, revocations) live until their own expiry; never evicted for size.
        this.markers = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
                .expireAfter(new Expiry<String, Marker>() {
                    @Override
                    public long expireAfterCreate(String key, Marker m, long currentTime) {
                        return InMemoryLatchStore.nanosBetween(m.writtenAt(), m.expiresAt());
                    }

                    @Override
                    public long expireAfterUpdate(String key, Marker m, long currentTime, long currentDuration) {
                        return InMemoryLatchStore.nanosBetween(m.writtenAt(), m.expiresAt());
                    }

                    @Override
                    public long expireAfterRead(String key, Marker m, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    long size() {
        return markers.estimatedSize();
    }

    void cleanUp() {
        markers.cleanUp();
    }

    /** A marker and when it may be forgotten. */
    record Marker(String value, Instant expiresAt, Instant writtenAt) {
    }

    boolean putOnce(String key, Instant expiresAt, Instant now) {
        Names.required(key, "key");
        Names.required(expiresAt, "expiresAt");
        Names.required(now, "now");
        store.observe(now);
        boolean[] first = {false};
        if (markers.getIfPresent(key) == null) {
            store.ensureRoom();
        }
        markers.asMap().compute(key, (k, m) -> {
            if (m != null && now.isBefore(m.expiresAt())) {
                return m;
            }
            first[0] = true;
            return new Marker("", expiresAt, now);
        });
        return first[0];
    }

    void putMarker(String key, String value, Instant expiresAt, Instant now) {
        Names.required(key, "key");
        Names.required(value, "value");
        Names.required(expiresAt, "expiresAt");
        Names.required(now, "now");
        store.observe(now);
        if (value.length() > 4096) {
            throw new IllegalArgumentException("marker values are at most 4096 characters");
        }
        if (markers.getIfPresent(key) == null) {
            store.ensureRoom();
        }
        markers.put(key, new Marker(value, expiresAt, now));
    }

    Optional<String> getMarker(String key, Instant now) {
        Names.required(key, "key");
        Names.required(now, "now");
        store.observe(now);
        Marker m = markers.getIfPresent(key);
        return m == null || !now.isBefore(m.expiresAt()) ? Optional.empty() : Optional.of(m.value());
    }
}
