package dev.latch.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The keys of a JWT issuer or verifier. At most one primary signs; every {@code ENABLED} key
 * verifies, selected by the token's {@code kid} only. A key set can be built from a JWK set
 * (public keys, each with {@code kid} and {@code alg}) and exported as one, to serve at a JWKS
 * endpoint. Every change returns a new set.
 *
 * <pre>{@code
 * JwtKeySet keys = JwtKeySet.of(JwtKey.generate("a1", JwtAlgorithm.ES256, "https://svc-a", random));
 * String jwks = keys.toPublicJwkSet();                        // serve at /.well-known/jwks.json
 * JwtKeySet trusted = JwtKeySet.fromJwkSet(jwks, "https://svc-a");   // on the verifying side
 * }</pre>
 *
 * <p>{@code toString} shows ids, algorithms and statuses only. Thread-safe: immutable.
 */
public final class JwtKeySet {
    private final Map<String, JwtKey> keys;
    private final String primaryId;

    private JwtKeySet(Map<String, JwtKey> keys, String primaryId) {
        if (primaryId != null) {
            JwtKey p = keys.get(primaryId);
            if (p == null || !p.canSign() || p.status() != JwtKey.Status.ENABLED) {
                throw new IllegalArgumentException("the primary key must be in the set, enabled and able to sign");
            }
        }
        this.keys = Map.copyOf(keys);
        this.primaryId = primaryId;
    }

    /**
     * @param primary the key that signs
     * @param others  keys that only verify
     * @return the set
     */
    public static JwtKeySet of(JwtKey primary, JwtKey... others) {
        Map<String, JwtKey> m = new LinkedHashMap<>();
        m.put(primary.id(), primary);
        for (JwtKey k : others) {
            if (m.putIfAbsent(k.id(), k) != null) {
                throw new IllegalArgumentException("duplicate key id " + k.id());
            }
        }
        return new JwtKeySet(m, primary.id());
    }

    /**
     * @param keys keys that only verify
     * @return a set without a primary
     */
    public static JwtKeySet verifyOnly(JwtKey... keys) {
        Map<String, JwtKey> m = new LinkedHashMap<>();
        for (JwtKey k : keys) {
            if (m.putIfAbsent(k.id(), k) != null) {
                throw new IllegalArgumentException("duplicate key id " + k.id());
            }
        }
        return new JwtKeySet(m, null);
    }

    /**
     * Imports the public signing keys of a JWK set for one issuer. Keys without {@code kid} or
     * {@code alg}, private keys, encryption keys and algorithms latch does not support are left
     * out.
     *
     * @param json   a JWK set document
     * @param issuer the issuer those keys are bound to
     * @return a verify-only set
     * @throws IllegalArgumentException when the document is not a JWK set
     */
    public static JwtKeySet fromJwkSet(String json, String issuer) {
        try {
            return fromJwks(JWKSet.parse(json).getKeys(), issuer);
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWK set document");
        }
    }

    static JwtKeySet fromJwks(List<JWK> jwks, String issuer) {
        Map<String, JwtKey> m = new LinkedHashMap<>();
        for (JWK jwk : jwks) {
            JwtKey k = JwtKey.fromJwk(jwk, issuer);
            if (k != null) {
                m.putIfAbsent(k.id(), k);
            }
        }
        return new JwtKeySet(m, null);
    }

    /** @return the public JWK set of the asymmetric enabled keys (HMAC secrets are never exported) */
    public String toPublicJwkSet() {
        List<JWK> out = new ArrayList<>();
        for (JwtKey k : keys.values()) {
            if (k.publicJwk() != null && k.status() == JwtKey.Status.ENABLED) {
                out.add(k.publicJwk());
            }
        }
        return new JWKSet(out).toString(true);
    }

    /** @return the primary, or null for a verify-only set */
    public JwtKey primary() {
        return primaryId == null ? null : keys.get(primaryId);
    }

    /** @return all keys */
    public List<JwtKey> keys() {
        return List.copyOf(keys.values());
    }

    /** The enabled key for an id, or null. A map lookup, nothing else: hostile ids cause no I/O. */
    JwtKey enabled(String kid) {
        JwtKey k = kid == null ? null : keys.get(kid);
        return k != null && k.status() == JwtKey.Status.ENABLED ? k : null;
    }

    /**
     * @param next a new signing key, which becomes primary; the old primary keeps verifying
     * @return the new set
     */
    public JwtKeySet rotateTo(JwtKey next) {
        Map<String, JwtKey> m = new LinkedHashMap<>(keys);
        if (m.putIfAbsent(next.id(), next) != null) {
            throw new IllegalArgumentException("duplicate key id " + next.id());
        }
        return new JwtKeySet(m, next.id());
    }

    /**
     * @param id a key that is not the primary
     * @return the set with that key disabled
     */
    public JwtKeySet disable(String id) {
        return withStatus(id, JwtKey.Status.DISABLED);
    }

    /**
     * @param id a disabled key
     * @return the set with it enabled again
     */
    public JwtKeySet enable(String id) {
        return withStatus(id, JwtKey.Status.ENABLED);
    }

    private JwtKeySet withStatus(String id, JwtKey.Status status) {
        JwtKey k = keys.get(id);
        if (k == null) {
            throw new IllegalArgumentException("no key " + id + " in the set");
        }
        if (id.equals(primaryId) && status != JwtKey.Status.ENABLED) {
            throw new IllegalArgumentException("the primary key " + id + " cannot be " + status + "; rotate first");
        }
        Map<String, JwtKey> m = new LinkedHashMap<>(keys);
        m.put(id, k.withStatus(status));
        return new JwtKeySet(m, primaryId);
    }

    @Override
    public String toString() {
        return "JwtKeySet[" + keys.values().stream().map(k -> k.id() + (k.id().equals(primaryId) ? "*" : "") + "="
                + k.algorithm() + "/" + k.status()).sorted().collect(Collectors.joining(", ")) + "]";
    }
}
