package dev.latch;

import dev.latch.Grant.Requirement;

import dev.latch.spi.Names;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The claims of a token whose signature, issuer, times, audience and scope a verifier has
 * checked, as {@link Verdict.Opened#claims()} hands them to the caller: the registered claims
 * typed, and every claim, custom ones included, as immutable JSON values. latch's verifiers make
 * one only after the token verified, never from an unverified token; codes, keys and signed
 * latch tokens carry {@link #NONE}.
 *
 * <pre>{@code
 * Verdict v = jwts.verify(token, Requirement.of("https://orders.internal", "orders:read"), context);
 * if (v instanceof Verdict.Opened opened) {
 *     VerifiedClaims claims = opened.claims();
 *     List<String> audiences = claims.audiences();            // every "aud" entry
 *     String tenant = claims.string("tenant").orElseThrow();  // a custom claim
 * }
 * }</pre>
 *
 * <p>JSON values appear as {@code String}, {@code Boolean}, {@code Long} (integers),
 * {@code Double} (other numbers), {@code List<Object>} and {@code Map<String, Object>}, all
 * unmodifiable. Thread-safe: immutable.
 */
public final class VerifiedClaims {
    /** No claims: what codes, keys and latch's own signed tokens carry. */
    public static final VerifiedClaims NONE = new VerifiedClaims(Map.of());

    private final Map<String, Object> all;

    private VerifiedClaims(Map<String, Object> all) {
        this.all = all;
    }

    /**
     * The claims of a verified token. For verifier implementations: call it only after every
     * check passed.
     *
     * @param claims the token's claims as JSON values (nested maps and lists are copied)
     * @return an immutable view
     * @throws IllegalArgumentException when a value is not a JSON value
     */
    public static VerifiedClaims of(Map<String, ?> claims) {
        Names.required(claims, "claims");
        if (claims.isEmpty()) {
            return NONE;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) copy(claims, 0);
        return new VerifiedClaims(copy);
    }

    private static Object copy(Object v, int depth) {
        if (depth > 32) {
            throw new IllegalArgumentException("claims nested more than 32 deep");
        }
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new IllegalArgumentException("claim names are strings");
                }
                m.put((String) e.getKey(), copy(e.getValue(), depth + 1));
            }
            return Collections.unmodifiableMap(m);
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object o : (List<?>) v) {
                l.add(copy(o, depth + 1));
            }
            return Collections.unmodifiableList(l);
        }
        throw new IllegalArgumentException("a claim value is not a JSON value: " + v.getClass().getSimpleName());
    }

    /** @return every claim by name, in the token's order; unmodifiable */
    public Map<String, Object> all() {
        return all;
    }

    /** @return true for {@link #NONE} */
    public boolean isEmpty() {
        return all.isEmpty();
    }

    /**
     * @param name a claim's name
     * @return its value, if the token has it (a JSON {@code null} is empty too)
     */
    public Optional<Object> get(String name) {
        return Optional.ofNullable(all.get(name));
    }

    /**
     * @param name a claim's name
     * @return its value when it is a string
     */
    public Optional<String> string(String name) {
        Object v = all.get(name);
        return v instanceof String ? Optional.of((String) v) : Optional.empty();
    }

    /** @return {@code iss} */
    public Optional<String> issuer() {
        return string("iss");
    }

    /** @return {@code sub} */
    public Optional<String> subject() {
        return string("sub");
    }

    /** @return {@code jti} */
    public Optional<String> tokenId() {
        return string("jti");
    }

    /** @return every entry of {@code aud}, whether the token wrote it as a string or an array */
    public List<String> audiences() {
        Object v = all.get("aud");
        if (v instanceof String) {
            return List.of((String) v);
        }
        if (v instanceof List) {
            List<String> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                if (o instanceof String) {
                    out.add((String) o);
                }
            }
            return List.copyOf(out);
        }
        return List.of();
    }

    /** @return the space-separated entries of {@code scope}, in order */
    public Set<String> scopes() {
        Object v = all.get("scope");
        if (!(v instanceof String)) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : ((String) v).split(" ")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** @return {@code iat} */
    public Optional<Instant> issuedAt() {
        return time("iat");
    }

    /** @return {@code exp} */
    public Optional<Instant> expiresAt() {
        return time("exp");
    }

    /** @return {@code nbf} */
    public Optional<Instant> notBefore() {
        return time("nbf");
    }

    private Optional<Instant> time(String name) {
        Object v = all.get(name);
        if (v instanceof Long) {
            return Optional.of(Instant.ofEpochSecond((Long) v));
        }
        if (v instanceof Double) {
            double d = (Double) v;
            if (Double.isFinite(d) && Math.abs(d) < 3.1e16) {
                return Optional.of(Instant.ofEpochSecond((long) Math.floor(d)));
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifiedClaims && ((VerifiedClaims) o).all.equals(all);
    }

    @Override
    public int hashCode() {
        return all.hashCode();
    }

    /** @return the claim names only; values stay out of logs */
    @Override
    public String toString() {
        return "VerifiedClaims" + all.keySet();
    }
}
