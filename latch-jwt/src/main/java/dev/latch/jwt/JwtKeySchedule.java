package dev.latch.jwt;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scheduled rotation of signing keys: each key has the time from which it signs, and the set in
 * force at any moment follows from the schedule and the clock alone. A key is published (in
 * {@link JwtKeySet#toPublicJwkSet()}, and accepted) {@code publishAhead} before it signs, so that
 * verifiers that cache the JWK set have it before the first token it signs reaches them; it is
 * primary from its time until the next key's; after that it keeps verifying for
 * {@code retireAfter}, at least the longest token it signed (the signer's maximum lifetime plus
 * skew, checked by {@link SignedJwts.Builder#build()} for a {@link SignedJwts#builder(JwtKeySchedule) scheduled signer}),
 * and is then gone.
 *
 * <pre>{@code
 * JwtKeySchedule schedule = JwtKeySchedule.builder(Duration.ofHours(6), Duration.ofMinutes(20))
 *         .key(JwtKey.hmac(secrets, "orders-2026-12", JwtAlgorithm.HS256, "orders"), Instant.parse("2026-12-01T00:00:00Z"))
 *         .key(JwtKey.hmac(secrets, "orders-2027-01", JwtAlgorithm.HS256, "orders"), Instant.parse("2027-01-01T00:00:00Z"))
 *         .build();
 * SignedJwts jwts = SignedJwts.builder(schedule).audiences("orders").build();
 * String jwks = jwts.currentKeys().toPublicJwkSet();   // serve it: the next key appears 6 hours before it signs
 * }</pre>
 *
 * <p>Every instance with the same schedule computes the same key set at the same time, so a fleet
 * rotates together and a restarted instance resumes where the schedule is, without shared state:
 * nothing about the schedule needs writing to a store, and the key material stays in the secret
 * source. Add next month's key to the configuration before its publish time; drop keys once
 * retired.
 *
 * <p>Thread-safe: immutable.
 */
public final class JwtKeySchedule {
    private final List<Entry> entries;
    private final Duration publishAhead;
    private final Duration retireAfter;

    private record Entry(JwtKey key, Instant from) {
    }

    private JwtKeySchedule(List<Entry> entries, Duration publishAhead, Duration retireAfter) {
        this.entries = List.copyOf(entries);
        this.publishAhead = publishAhead;
        this.retireAfter = retireAfter;
    }

    /**
     * @param publishAhead how long before it signs a key is published and accepted: 0 to 30 days
     * @param retireAfter  how long after the next key took over a key keeps verifying: 1 second to 30 days,
     *                     at least the signer's maximum token lifetime plus skew
     * @return a builder
     */
    public static Builder builder(Duration publishAhead, Duration retireAfter) {
        if (publishAhead == null || publishAhead.isNegative() || publishAhead.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("publishAhead must be 0 to 30 days");
        }
        if (retireAfter == null || retireAfter.compareTo(Duration.ofSeconds(1)) < 0 || retireAfter.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("retireAfter must be 1 second to 30 days");
        }
        return new Builder(publishAhead, retireAfter);
    }

    /** @return how long after the next key took over a key keeps verifying */
    public Duration retireAfter() {
        return retireAfter;
    }

    /**
     * @param now a time
     * @return the keys in force: the primary (the last key whose time has come, none before the first),
     *         the keys published ahead of their time, and the keys retired less than {@code retireAfter} ago
     */
    public JwtKeySet at(Instant now) {
        int primary = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (!entries.get(i).from().isAfter(now)) {
                primary = i;
            }
        }
        Map<String, JwtKey> verifying = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            boolean upcoming = i > primary && !e.from().minus(publishAhead).isAfter(now);
            boolean retiring = i < primary && now.isBefore(entries.get(i + 1).from().plus(retireAfter));
            if (i != primary && (upcoming || retiring)) {
                verifying.put(e.key().id(), e.key());
            }
        }
        if (primary < 0) {
            return JwtKeySet.verifyOnly(verifying.values().toArray(JwtKey[]::new));
        }
        return JwtKeySet.of(entries.get(primary).key(), verifying.values().toArray(JwtKey[]::new));
    }

    /**
     * @param now a time
     * @return the next time the key set in force changes, or null when it never changes again
     */
    public Instant nextChange(Instant now) {
        Instant next = null;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            List<Instant> times = new ArrayList<>(3);
            times.add(e.from().minus(publishAhead));
            times.add(e.from());
            if (i + 1 < entries.size()) {
                times.add(entries.get(i + 1).from().plus(retireAfter));
            }
            for (Instant t : times) {
                if (t.isAfter(now) && (next == null || t.isBefore(next))) {
                    next = t;
                }
            }
        }
        return next;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("JwtKeySchedule[publishAhead=").append(publishAhead).append(", retireAfter=")
                .append(retireAfter);
        for (Entry e : entries) {
            b.append(", ").append(e.key().id()).append(" from ").append(e.from());
        }
        return b.append(']').toString();
    }

    /** Builds a {@link JwtKeySchedule}. Not thread-safe. */
    public static final class Builder {
        private final Duration publishAhead;
        private final Duration retireAfter;
        private final List<Entry> entries = new ArrayList<>();

        private Builder(Duration publishAhead, Duration retireAfter) {
            this.publishAhead = publishAhead;
            this.retireAfter = retireAfter;
        }

        /**
         * @param key  a key that can sign, enabled
         * @param from when it becomes primary: after the previous key's time
         * @return this
         */
        public Builder key(JwtKey key, Instant from) {
            if (key == null || from == null) {
                throw new IllegalArgumentException("key and from are required");
            }
            if (!key.canSign() || key.status() != JwtKey.Status.ENABLED) {
                throw new IllegalArgumentException("scheduled key " + key.id() + " must be enabled and able to sign");
            }
            if (!entries.isEmpty() && !from.isAfter(entries.get(entries.size() - 1).from())) {
                throw new IllegalArgumentException("keys are scheduled in order: " + key.id() + " must start after "
                        + entries.get(entries.size() - 1).key().id());
            }
            for (Entry e : entries) {
                if (e.key().id().equals(key.id())) {
                    throw new IllegalArgumentException("duplicate key id " + key.id());
                }
            }
            entries.add(new Entry(key, from));
            return this;
        }

        /**
         * @return the schedule
         * @throws IllegalArgumentException without keys
         */
        public JwtKeySchedule build() {
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("a schedule needs at least one key");
            }
            return new JwtKeySchedule(entries, publishAhead, retireAfter);
        }
    }
}
