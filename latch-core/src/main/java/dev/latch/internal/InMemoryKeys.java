package dev.latch.internal;

import dev.latch.LatchStoreException;
import dev.latch.StaticKeyInfo;
import dev.latch.spi.LatchStore.KeyRecord;
import dev.latch.spi.LatchStore.KeyResult;
import dev.latch.spi.Names;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The in-memory store's static keys: one holder per key in a concurrent map; a key's record
 * changes only under its holder's monitor. Thread-safe.
 */
final class InMemoryKeys {
    private final InMemoryLatchStore store;
    private final ConcurrentMap<String, KeyHolder> keys = new ConcurrentHashMap<>();

    InMemoryKeys(InMemoryLatchStore store) {
        this.store = store;
    }

    long size() {
        return keys.size();
    }

    /**
     * A key and its last use. The record changes only on rotation and revocation (under the
     * holder's monitor) and is read without a lock. The last use is written as one object in one
     * volatile field, at most once per second and source: a best-effort note, of which two
     * concurrent uses keep one, and never a time from one use with the source of another.
     */
    static final class KeyHolder {
        /** When and from where a key was last used. */
        record LastUse(Instant at, String from) {
        }

        volatile KeyRecord record;
        volatile LastUse lastUse;
        /**
         * The second and source of {@link #lastUse}, kept beside the record so that a use can
         * tell it has nothing to write without loading the last-use object (a cache miss of its
         * own). Plain fields: a stale read writes a last use once more, and two uses from
         * different sources in one second may leave either recorded until the next second.
         */
        long lastSecond = Long.MIN_VALUE;
        String lastFrom;

        KeyHolder(KeyRecord record) {
            this.record = record;
            this.lastUse = record.lastUsedAt() == null ? null : new LastUse(record.lastUsedAt(), record.lastUsedFrom());
            if (lastUse != null) {
                lastSecond = record.lastUsedAt().getEpochSecond();
                lastFrom = record.lastUsedFrom();
            }
        }

        KeyRecord view() {
            KeyRecord r = record;
            LastUse u = lastUse;
            return u == null ? r : r.used(u.at(), u.from());
        }
    }

    void putKey(KeyRecord key) {
        Names.required(key, "key");
        store.ensureRoom();
        if (keys.putIfAbsent(key.keyId(), new KeyHolder(key)) != null) {
            throw new LatchStoreException("a key with id " + key.keyId() + " already exists");
        }
    }

    Optional<KeyRecord> findKey(String keyId) {
        Names.required(keyId, "keyId");
        KeyHolder h = keyId == null ? null : keys.get(keyId);
        return h == null ? Optional.empty() : Optional.of(h.view());
    }

    KeyResult useKey(String keyId, byte[] digest, Instant now, String source) {
        Names.required(keyId, "keyId");
        Names.required(digest, "digest");
        Names.required(now, "now");
        store.observe(now);
        KeyHolder h = keyId == null ? null : keys.get(keyId);
        if (h == null) {
            return new KeyResult(KeyResult.Outcome.NO_KEY, null);
        }
        KeyRecord key = h.record;
        KeyResult.Outcome outcome = key.decide(digest, now);
        if (outcome == KeyResult.Outcome.OK) {
            // Kept to the second: a use in the second and from the source already recorded
            // writes nothing. On 2 threads the write on every use held authentication to about
            // 1.55x the throughput of one thread; without it, 1.85x (Interleaved threads key).
            long second = now.getEpochSecond();
            if (h.lastSecond != second || !Objects.equals(h.lastFrom, source)) {
                h.lastUse = new KeyHolder.LastUse(now, source);
                h.lastSecond = second;
                h.lastFrom = source;
            }
        }
        return new KeyResult(outcome, key);
    }

    Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now) {
        Names.required(keyId, "keyId");
        Names.required(validUntil, "validUntil");
        Names.required(successorId, "successorId");
        Names.required(now, "now");
        store.observe(now);
        KeyHolder h = keyId == null ? null : keys.get(keyId);
        if (h == null) {
            return Optional.empty();
        }
        synchronized (h) {
            if (h.record.state() != StaticKeyInfo.State.ACTIVE) {
                return Optional.empty();
            }
            h.record = h.record.rotated(validUntil, successorId);
            return Optional.of(h.record);
        }
    }

    boolean rehashKey(String keyId, byte[] oldDigest, byte[] newDigest, String pepperId, Instant now) {
        dev.latch.spi.LatchStore.checkRehash(keyId, oldDigest, newDigest, pepperId, now);
        store.observe(now);
        KeyHolder h = keys.get(keyId);
        if (h == null) {
            return false;
        }
        synchronized (h) {
            if (!MessageDigest.isEqual(h.record.digest(), oldDigest)) {
                return false;
            }
            h.record = h.record.rehashed(newDigest.clone(), pepperId);
            return true;
        }
    }

    boolean revokeKey(String keyId, Instant now) {
        Names.required(keyId, "keyId");
        Names.required(now, "now");
        store.observe(now);
        KeyHolder h = keyId == null ? null : keys.get(keyId);
        if (h == null) {
            return false;
        }
        synchronized (h) {
            if (h.record.state() == StaticKeyInfo.State.REVOKED) {
                return false;
            }
            h.record = h.record.revoked();
            return true;
        }
    }
}
