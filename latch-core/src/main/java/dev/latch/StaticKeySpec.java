package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.spi.Names;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a static key (API key) is for: its subject, scopes, optional lifetime and the prefix that
 * makes it recognisable to secret scanners.
 *
 * <pre>{@code
 * IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("billing-service")
 *         .prefix("lk_live")
 *         .scopes("invoices:read", "invoices:write")
 *         .expiresAfter(Duration.ofDays(90))
 *         .build());
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class StaticKeySpec {
    /** The default prefix. */
    public static final String DEFAULT_PREFIX = "lk";
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,15}(_[a-z0-9]{1,15})?");
    private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9:._/*-]{1,64}");

    private final String subject;
    private final String prefix;
    private final Set<String> scopes;
    private final Duration ttl;
    private final List<Condition> conditions;
    private final Rotation rotation;

    private StaticKeySpec(Builder b) {
        this.subject = b.subject;
        this.prefix = b.prefix;
        this.scopes = Set.copyOf(b.scopes);
        this.ttl = b.ttl;
        this.conditions = List.copyOf(b.conditions);
        this.rotation = b.rotation;
    }

    /** @return the rotation schedule, or null for a key that rotates only on request */
    public Rotation rotation() {
        return rotation;
    }

    /**
     * A static key's rotation schedule, kept in the store so that any instance runs it: at
     * {@code maxAge - warnBefore} the owner is told through the delivery chain that the key is due
     * for rotation; at {@code maxAge}, when {@code automatic}, latch issues the successor (same
     * subject, scopes, conditions and remaining lifetime), delivers it to the owner, and only then
     * lets the old key expire {@code overlap} later. The successor gets the same schedule.
     *
     * <pre>{@code
     * StaticKeySpec.builder("billing").rotation(new StaticKeySpec.Rotation(
     *         Duration.ofDays(90), Duration.ofDays(14), Duration.ofDays(7), true, "billing-team@example.com")).build();
     * }</pre>
     *
     * @param maxAge     the age at which the key is due for rotation: 1 hour to 3 years
     * @param warnBefore how long before that the owner is warned: 0 (no warning) to less than {@code maxAge}
     * @param overlap    how long the old key keeps working after an automatic rotation: 0 to
     *                   {@link Latches#MAX_OVERLAP}
     * @param automatic  whether latch rotates the key itself at {@code maxAge} (else it only warns,
     *                   and {@link Latches#rotate} does it on request)
     * @param owner      where warnings and successor keys go: a recipient the delivery channels understand
     *
     * <p>Thread-safe: immutable.
     */
    public record Rotation(Duration maxAge, Duration warnBefore, Duration overlap, boolean automatic, String owner) {
        /** The longest maximum age. */
        public static final Duration MAX_AGE = Duration.ofDays(3 * 366);

        /** Validates. */
        public Rotation {
            Names.required(maxAge, "maxAge");
            Names.required(warnBefore, "warnBefore");
            Names.required(overlap, "overlap");
            AccessContext.checkText("owner", owner);
            if (maxAge.compareTo(Duration.ofHours(1)) < 0 || maxAge.compareTo(MAX_AGE) > 0) {
                throw new IllegalArgumentException("maxAge must be 1 hour to " + MAX_AGE + ", got " + maxAge);
            }
            if (warnBefore.isNegative() || warnBefore.compareTo(maxAge) >= 0) {
                throw new IllegalArgumentException("warnBefore must be 0 or more and shorter than maxAge " + maxAge
                        + ", got " + warnBefore);
            }
            if (overlap.isNegative() || overlap.compareTo(Latches.MAX_OVERLAP) > 0) {
                throw new IllegalArgumentException("overlap must be 0 to " + Latches.MAX_OVERLAP + ", got " + overlap);
            }
            if (!automatic && warnBefore.isZero()) {
                throw new IllegalArgumentException("a rotation that neither warns nor rotates does nothing: "
                        + "set warnBefore or automatic");
            }
        }
    }

    /** @return the conditions every use of the key must meet (empty: none) */
    public List<Condition> conditions() {
        return conditions;
    }

    /**
     * @param subject who the key authenticates
     * @return a builder
     */
    public static Builder builder(String subject) {
        return new Builder(subject);
    }

    /** @return the subject */
    public String subject() {
        return subject;
    }

    /** @return the prefix, such as {@code lk_live} */
    public String prefix() {
        return prefix;
    }

    /** @return the scopes */
    public Set<String> scopes() {
        return scopes;
    }

    /** @return the lifetime, or null for a key that lives until rotated or revoked */
    public Duration ttl() {
        return ttl;
    }

    /** Same as {@link #PREFIX}, without a regular expression: it runs on every authentication. */
    static boolean validPrefix(String prefix) {
        return prefix != null && validPrefix(prefix, prefix.length());
    }

    /** Whether {@code text[0, end)} is a valid prefix, read in place (no substring per authentication). */
    static boolean validPrefix(String text, int end) {
        if (end < 1 || end > 32) {
            return false;
        }
        char first = text.charAt(0);
        if (first < 'a' || first > 'z') {
            return false;
        }
        int segment = 1;
        int underscores = 0;
        for (int i = 1; i < end; i++) {
            char c = text.charAt(i);
            if (c == '_') {
                if (++underscores > 1 || segment == 0) {
                    return false;
                }
                segment = 0;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (++segment > (underscores == 0 ? 16 : 15)) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return segment > 0;
    }

    @Override
    public String toString() {
        return "StaticKeySpec[subject=" + subject + ", prefix=" + prefix + ", scopes=" + scopes + ", ttl=" + ttl
                + ", conditions=" + conditions.size() + (rotation == null ? "" : ", rotation=" + rotation) + "]";
    }

    /** Builds a {@link StaticKeySpec}. Not thread-safe. */
    public static final class Builder {
        private final String subject;
        private String prefix = DEFAULT_PREFIX;
        private final Set<String> scopes = new LinkedHashSet<>();
        private Duration ttl;
        private final List<Condition> conditions = new java.util.ArrayList<>();
        private Rotation rotation;

        private Builder(String subject) {
            this.subject = AccessContext.checkText("subject", subject);
        }

        /**
         * @param prefix lower-case letters and digits, optionally one underscore: {@code lk}, {@code lk_live}
         * @return this
         */
        public Builder prefix(String prefix) {
            if (!validPrefix(prefix)) {
                throw new IllegalArgumentException("key prefix must match " + PREFIX.pattern());
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * @param scopes scopes such as {@code invoices:read}; letters, digits and {@code : . _ / * -}
         * @return this
         */
        public Builder scopes(String... scopes) {
            for (String s : List.of(scopes)) {
                if (!SCOPE.matcher(Names.required(s, "scope")).matches()) {
                    throw new IllegalArgumentException("scope must match " + SCOPE.pattern());
                }
                this.scopes.add(s);
            }
            if (this.scopes.size() > 64) {
                throw new IllegalArgumentException("at most 64 scopes");
            }
            return this;
        }

        /**
         * @param ttl lifetime from issue, positive
         * @return this
         */
        public Builder expiresAfter(Duration ttl) {
            Names.required(ttl, "ttl");
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("key ttl must be positive, got " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * Conditions every use of the key must meet, as for dynamic codes: source address ranges
         * ({@link Condition#sourceIn}), a time window ({@link Condition#within}) and required
         * attributes ({@link Condition#attribute}). A use that meets the secret but not a
         * condition is {@link DenialReason#CONTEXT_REJECTED}; a rotated key's successor keeps them.
         *
         * <pre>{@code
         * StaticKeySpec.builder("billing-service").conditions(Condition.sourceIn("10.20.0.0/16", "2001:db8::/32"))
         * }</pre>
         *
         * @param conditions at most 16 in all
         * @return this
         */
        public Builder conditions(Condition... conditions) {
            if (conditions == null) {
                throw new IllegalArgumentException("conditions is required, got null");
            }
            for (Condition c : conditions) {
                if (c == null) {
                    throw new IllegalArgumentException("a condition is required, got null");
                }
                this.conditions.add(c);
            }
            if (this.conditions.size() > 16) {
                throw new IllegalArgumentException("at most 16 conditions");
            }
            return this;
        }

        /**
         * @param rotation the key's rotation schedule (needs a delivery chain on the latches)
         * @return this
         */
        public Builder rotation(Rotation rotation) {
            if (this.rotation != null) {
                throw new IllegalStateException("rotation was already set");
            }
            this.rotation = Names.required(rotation, "rotation");
            return this;
        }

        /** @return the spec */
        public StaticKeySpec build() {
            return new StaticKeySpec(this);
        }
    }
}
