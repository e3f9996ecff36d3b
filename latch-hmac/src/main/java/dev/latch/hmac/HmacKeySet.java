package dev.latch.hmac;

import dev.latch.spi.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The keys of a token signer, with exactly one primary. The primary signs; verification picks
 * the key by the id in the token and accepts it only while it is {@link KeyStatus#ENABLED}. A
 * key rotated out of primary keeps verifying until it is disabled or destroyed. Every change
 * returns a new set.
 *
 * <pre>{@code
 * HmacKeySet keys = HmacKeySet.of(HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, random));
 * keys = keys.rotateTo(HmacKey.generate("k2", HmacAlgorithm.HMAC_SHA256, random)); // k2 signs, k1 verifies
 * keys = keys.disable("k1");                                                      // k1 refused
 * }</pre>
 *
 * <p>{@code toString} shows ids and statuses only. Thread-safe: immutable.
 */
public final class HmacKeySet {
    private final Map<String, HmacKey> keys;
    private final String primaryId;
    private final HmacKey[] enabled;

    private HmacKeySet(Map<String, HmacKey> keys, String primaryId) {
        HmacKey primary = keys.get(primaryId);
        if (primary == null) {
            throw new IllegalArgumentException("primary key " + primaryId + " is not in the set");
        }
        if (primary.status() != KeyStatus.ENABLED) {
            throw new IllegalArgumentException("primary key " + primaryId + " must be ENABLED, is " + primary.status());
        }
        this.keys = keys;
        this.primaryId = primaryId;
        this.enabled = keys.values().stream().filter(k -> k.status() == KeyStatus.ENABLED).toArray(HmacKey[]::new);
    }

    /**
     * @param primary the primary key
     * @param others  other keys, which only verify
     * @return the set
     */
    public static HmacKeySet of(HmacKey primary, HmacKey... others) {
        Map<String, HmacKey> m = new LinkedHashMap<>();
        m.put(primary.id(), primary);
        for (HmacKey k : others) {
            if (m.putIfAbsent(k.id(), Names.required(k, "key")) != null) {
                throw new IllegalArgumentException("duplicate key id " + k.id());
            }
        }
        return new HmacKeySet(Map.copyOf(m), primary.id());
    }

    /** @return the key that signs */
    public HmacKey primary() {
        return keys.get(primaryId);
    }

    /**
     * @param id a key id
     * @return the key, whatever its status
     */
    public Optional<HmacKey> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(keys.get(id));
    }

    /**
     * The enabled key whose id is the text {@code token[from, to)}, else null; no substring on the
     * verify path. Key ids are public, so the lookup need not be constant-time.
     */
    HmacKey enabled(String token, int from, int to) {
        int n = to - from;
        for (HmacKey k : enabled) {
            if (k.id().length() == n && token.regionMatches(from, k.id(), 0, n)) {
                return k;
            }
        }
        return null;
    }

    /** @return all keys */
    public List<HmacKey> keys() {
        return List.copyOf(keys.values());
    }

    /**
     * @param next a new key, which becomes primary; the old primary keeps verifying
     * @return the new set
     */
    public HmacKeySet rotateTo(HmacKey next) {
        Map<String, HmacKey> m = new LinkedHashMap<>(keys);
        if (m.putIfAbsent(next.id(), next) != null) {
            throw new IllegalArgumentException("duplicate key id " + next.id());
        }
        return new HmacKeySet(Map.copyOf(m), next.id());
    }

    /**
     * @param id an enabled key already in the set
     * @return the set with that key as primary
     */
    public HmacKeySet withPrimary(String id) {
        return new HmacKeySet(keys, id);
    }

    /**
     * @param id a key that is not the primary
     * @return the set with that key disabled
     */
    public HmacKeySet disable(String id) {
        return withStatus(id, KeyStatus.DISABLED);
    }

    /**
     * @param id a disabled key
     * @return the set with that key enabled again
     */
    public HmacKeySet enable(String id) {
        return withStatus(id, KeyStatus.ENABLED);
    }

    /**
     * @param id a key that is not the primary
     * @return the set with that key's material destroyed
     */
    public HmacKeySet destroy(String id) {
        return withStatus(id, KeyStatus.DESTROYED);
    }

    private HmacKeySet withStatus(String id, KeyStatus status) {
        HmacKey k = keys.get(id);
        if (k == null) {
            throw new IllegalArgumentException("no key of that id in the set");
        }
        if (id.equals(primaryId) && status != KeyStatus.ENABLED) {
            throw new IllegalArgumentException("the primary key " + id + " cannot be " + status + "; rotate first");
        }
        Map<String, HmacKey> m = new LinkedHashMap<>(keys);
        m.put(id, k.withStatus(status));
        return new HmacKeySet(Map.copyOf(m), primaryId);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (HmacKey k : keys.values()) {
            parts.add(k.id() + (k.id().equals(primaryId) ? "*" : "") + "=" + k.status());
        }
        return "HmacKeySet[" + parts.stream().sorted().collect(Collectors.joining(", ")) + "]";
    }
}
