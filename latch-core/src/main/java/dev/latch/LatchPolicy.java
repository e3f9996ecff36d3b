package dev.latch;

import dev.latch.spi.Names;
import dev.latch.spi.RiskAssessor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a dynamic code behaves: lifetime, format, attempts, uses, renewals, not-before delay,
 * conditions and whether a post-use review is due.
 *
 * <pre>{@code
 * LatchPolicy policy = LatchPolicy.custom()
 *         .name("db-migration")
 *         .ttl(Duration.ofMinutes(30))
 *         .format(CodeFormat.numeric(8))
 *         .maxAttempts(3)
 *         .renewals(1)
 *         .build();
 * }</pre>
 *
 * <p>Presets: {@link #LOW} (1 hour), {@link #HIGH} (15 minutes), {@link #EMERGENCY} (10 minutes,
 * single use, post-use review within 24 hours). A policy can also ask for a reminder before
 * expiry ({@link Builder#remindBefore}) and let undeliverable codes be answered with recovery
 * codes ({@link Builder#backupCodes}). Defaults of {@link #custom()}: ttl 15 minutes, six digits,
 * {@value #DEFAULT_MAX_ATTEMPTS} attempts, 1 use, no renewals, no delay, no conditions.
 * Each builder setter validates at once and may be called once
 * ({@link IllegalStateException} on a second call). Thread-safe: immutable.
 */
public final class LatchPolicy {
    /** Attempts per code by default. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** The longest ttl a dynamic code can have. */
    public static final Duration MAX_TTL = Duration.ofDays(30);
    /** How long a post-use review may stay open by default before it escalates. */
    public static final Duration DEFAULT_REVIEW_WITHIN = Duration.ofHours(24);

    /** Low risk: 1 hour, six digits, one renewal. */
    public static final LatchPolicy LOW = custom().name("LOW").ttl(Duration.ofHours(1)).renewals(1).build();
    /** High risk: 15 minutes, six digits, no renewal. */
    public static final LatchPolicy HIGH = custom().name("HIGH").ttl(Duration.ofMinutes(15)).build();
    /** Break-glass: 10 minutes, eight digits, single use, 3 attempts, post-use review required. */
    public static final LatchPolicy EMERGENCY = custom().name("EMERGENCY").ttl(Duration.ofMinutes(10))
            .format(CodeFormat.numeric(8)).maxAttempts(3).maxUses(1).reviewRequired(true).build();

    /**
     * An administrator's override when no channel could deliver a code ({@link Latches#override}):
     * 10 minutes, eight digits, single use, 3 attempts, post-use review required.
     */
    public static final LatchPolicy OVERRIDE = custom().name("OVERRIDE").ttl(Duration.ofMinutes(10))
            .format(CodeFormat.numeric(8)).maxAttempts(3).maxUses(1).reviewRequired(true).build();

    /** Approvals of a break-glass request: 10 minutes, six digits, single use. */
    public static final LatchPolicy EMERGENCY_APPROVAL = custom().name("EMERGENCY_APPROVAL")
            .ttl(Duration.ofMinutes(10)).build();

    private final String name;
    private final Duration ttl;
    private final CodeFormat format;
    private final int maxAttempts;
    private final int maxUses;
    private final int renewals;
    private final Duration notBefore;
    private final List<Condition> conditions;
    private final boolean reviewRequired;
    private final Duration reviewWithin;
    private final Duration remindBefore;
    private final boolean backupCodes;
    private final java.util.Set<String> reviewers;

    private LatchPolicy(Builder b) {
        this.name = b.name == null ? "custom" : b.name;
        this.ttl = b.ttl == null ? Duration.ofMinutes(15) : b.ttl;
        this.format = b.format == null ? CodeFormat.SIX_DIGITS : b.format;
        this.maxAttempts = b.maxAttempts == 0 ? DEFAULT_MAX_ATTEMPTS : b.maxAttempts;
        this.maxUses = b.maxUses == 0 ? 1 : b.maxUses;
        this.renewals = b.renewals;
        this.notBefore = b.notBefore == null ? Duration.ZERO : b.notBefore;
        this.conditions = b.conditions == null ? List.of() : b.conditions;
        this.reviewRequired = b.reviewRequired != null && b.reviewRequired;
        this.reviewWithin = b.reviewWithin == null ? DEFAULT_REVIEW_WITHIN : b.reviewWithin;
        this.remindBefore = b.remindBefore;
        this.backupCodes = b.backupCodes != null && b.backupCodes;
        this.reviewers = b.reviewers == null ? java.util.Set.of() : b.reviewers;
    }

    /** @return a builder with the defaults described above */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * @param base a policy to start from
     * @return a builder whose unset values come from {@code base}
     */
    public static Builder from(LatchPolicy base) {
        Names.required(base, "base");
        Builder b = new Builder();
        b.base = base;
        return b;
    }

    /** @return the policy's name, recorded with each code and in audit events */
    public String name() {
        return name;
    }

    /**
     * @return who may acknowledge a required post-use review (never the code's own subject); empty:
     *         anyone but the subject
     */
    public java.util.Set<String> reviewers() {
        return reviewers;
    }

    /** @return how long a code lives from issue */
    public Duration ttl() {
        return ttl;
    }

    /** @return the code format */
    public CodeFormat format() {
        return format;
    }

    /** @return wrong attempts a code survives; the last one burns it */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return how many times a code opens */
    public int maxUses() {
        return maxUses;
    }

    /** @return how often a pending code may be renewed */
    public int renewals() {
        return renewals;
    }

    /** @return the delay after issue before a code opens */
    public Duration notBefore() {
        return notBefore;
    }

    /** @return the conditions on the access context */
    public List<Condition> conditions() {
        return conditions;
    }

    /** @return whether opening leaves a post-use review due */
    public boolean reviewRequired() {
        return reviewRequired;
    }

    /** @return how long after use a required review may stay open before an ESCALATION alert */
    public Duration reviewWithin() {
        return reviewWithin;
    }

    /** @return how long before expiry a reminder goes out, or null for no reminder */
    public Duration remindBefore() {
        return remindBefore;
    }

    /**
     * @return true when a code that no channel could deliver stays pending, to be answered with a
     *         recovery code, instead of being revoked
     */
    public boolean backupCodes() {
        return backupCodes;
    }

    @Override
    public String toString() {
        return "LatchPolicy[" + name + ", ttl=" + ttl + ", format=" + format + ", maxAttempts=" + maxAttempts
                + ", maxUses=" + maxUses + ", renewals=" + renewals + ", notBefore=" + notBefore
                + ", conditions=" + conditions.size() + ", reviewRequired=" + reviewRequired
                + (reviewRequired ? ", reviewWithin=" + reviewWithin : "")
                + (remindBefore == null ? "" : ", remindBefore=" + remindBefore) + ", backupCodes=" + backupCodes
                + (reviewers.isEmpty() ? "" : ", reviewers=" + reviewers.size()) + "]";
    }

    /** Builds a {@link LatchPolicy}. Not thread-safe. */
    public static final class Builder {
        private LatchPolicy base;
        private String name;
        private Duration ttl;
        private CodeFormat format;
        private int maxAttempts;
        private int maxUses;
        private int renewals = -1;
        private Duration notBefore;
        private List<Condition> conditions;
        private Boolean reviewRequired;
        private Duration reviewWithin;
        private Duration remindBefore;
        private Boolean backupCodes;
        private java.util.Set<String> reviewers;

        private Builder() {
        }

        private static void once(boolean set, String what) {
            if (set) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        /**
         * @param name a name for audit events, 1 to 64 characters
         * @return this
         */
        public Builder name(String name) {
            once(this.name != null, "name");
            AccessContext.checkText("policy name", name);
            if (name.length() > 64) {
                throw new IllegalArgumentException("policy name must have at most 64 characters, had " + name.length());
            }
            this.name = name;
            return this;
        }

        /**
         * @param ttl lifetime from issue, 1 second to 30 days
         * @return this
         */
        public Builder ttl(Duration ttl) {
            once(this.ttl != null, "ttl");
            Names.required(ttl, "ttl");
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
                throw new IllegalArgumentException("ttl must be between 1s and " + MAX_TTL + ", got " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * @param format the code format
         * @return this
         */
        public Builder format(CodeFormat format) {
            once(this.format != null, "format");
            this.format = Names.required(format, "format");
            return this;
        }

        /**
         * @param maxAttempts wrong attempts per code, 1 to 100
         * @return this
         */
        public Builder maxAttempts(int maxAttempts) {
            once(this.maxAttempts != 0, "maxAttempts");
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 100, got " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * @param maxUses times a code opens, 1 to 1000
         * @return this
         */
        public Builder maxUses(int maxUses) {
            once(this.maxUses != 0, "maxUses");
            if (maxUses < 1 || maxUses > 1000) {
                throw new IllegalArgumentException("maxUses must be 1 to 1000, got " + maxUses);
            }
            this.maxUses = maxUses;
            return this;
        }

        /**
         * @param renewals times a pending code may be renewed, 0 to 10
         * @return this
         */
        public Builder renewals(int renewals) {
            once(this.renewals != -1, "renewals");
            if (renewals < 0 || renewals > 10) {
                throw new IllegalArgumentException("renewals must be 0 to 10, got " + renewals);
            }
            this.renewals = renewals;
            return this;
        }

        /**
         * @param delay time after issue before the code opens; must be shorter than the ttl
         * @return this
         */
        public Builder notBefore(Duration delay) {
            once(this.notBefore != null, "notBefore");
            Names.required(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("notBefore must not be negative, got " + delay);
            }
            this.notBefore = delay;
            return this;
        }

        /**
         * @param conditions conditions that must all hold when the code is presented
         * @return this
         */
        public Builder conditions(Condition... conditions) {
            once(this.conditions != null, "conditions");
            if (conditions.length > 16) {
                throw new IllegalArgumentException("at most 16 conditions, got " + conditions.length);
            }
            this.conditions = List.of(conditions);
            return this;
        }

        /**
         * @param required whether opening leaves a post-use review due
         * @return this
         */
        public Builder reviewRequired(boolean required) {
            once(this.reviewRequired != null, "reviewRequired");
            this.reviewRequired = required;
            return this;
        }

        /**
         * @param within how long after use a required review may stay open, 1 minute to 30 days
         *               (default {@link #DEFAULT_REVIEW_WITHIN})
         * @return this
         */
        public Builder reviewWithin(Duration within) {
            once(this.reviewWithin != null, "reviewWithin");
            Names.required(within, "within");
            if (within.compareTo(Duration.ofMinutes(1)) < 0 || within.compareTo(Duration.ofDays(30)) > 0) {
                throw new IllegalArgumentException("reviewWithin must be between 1 minute and 30 days, got " + within);
            }
            this.reviewWithin = within;
            return this;
        }

        /**
         * @param before how long before expiry {@link Latches#issueAndDeliver} sends a reminder
         *               (without the code); positive and shorter than the ttl
         * @return this
         */
        public Builder remindBefore(Duration before) {
            once(this.remindBefore != null, "remindBefore");
            Names.required(before, "before");
            if (before.isNegative() || before.isZero()) {
                throw new IllegalArgumentException("remindBefore must be positive, got " + before);
            }
            this.remindBefore = before;
            return this;
        }

        /**
         * @param names who may acknowledge a required post-use review, 1 to 16 distinct names (default:
         *              anyone but the code's subject, who never may)
         * @return this
         */
        public Builder reviewers(String... names) {
            once(this.reviewers != null, "reviewers");
            Names.required(names, "names");
            java.util.Set<String> set = new java.util.LinkedHashSet<>();
            for (String n : names) {
                if (!set.add(AccessContext.checkText("reviewer", n)) || n.indexOf(',') >= 0) {
                    throw new IllegalArgumentException("reviewers are distinct names without commas");
                }
            }
            if (set.isEmpty() || set.size() > 16) {
                throw new IllegalArgumentException("a policy names 1 to 16 reviewers, got " + set.size());
            }
            this.reviewers = java.util.Collections.unmodifiableSet(set);
            return this;
        }

        /**
         * @param allowed whether a code no channel could deliver stays pending for a recovery code
         *                (default false: it is revoked)
         * @return this
         */
        public Builder backupCodes(boolean allowed) {
            once(this.backupCodes != null, "backupCodes");
            this.backupCodes = allowed;
            return this;
        }

        /**
         * @return the policy
         * @throws IllegalArgumentException when notBefore is not shorter than ttl
         */
        public LatchPolicy build() {
            if (base != null) {
                if (name == null) name = base.name;
                if (ttl == null) ttl = base.ttl;
                if (format == null) format = base.format;
                if (maxAttempts == 0) maxAttempts = base.maxAttempts;
                if (maxUses == 0) maxUses = base.maxUses;
                if (renewals == -1) renewals = base.renewals;
                if (notBefore == null) notBefore = base.notBefore;
                if (conditions == null) conditions = base.conditions;
                if (reviewRequired == null) reviewRequired = base.reviewRequired;
                if (reviewWithin == null) reviewWithin = base.reviewWithin;
                if (remindBefore == null) remindBefore = base.remindBefore;
                if (backupCodes == null) backupCodes = base.backupCodes;
                if (reviewers == null) reviewers = base.reviewers;
            }
            if (renewals == -1) {
                renewals = 0;
            }
            Duration effectiveTtl = ttl == null ? Duration.ofMinutes(15) : ttl;
            if (notBefore != null && notBefore.compareTo(effectiveTtl) >= 0) {
                throw new IllegalArgumentException("notBefore " + notBefore + " must be shorter than ttl " + effectiveTtl);
            }
            if (remindBefore != null && remindBefore.compareTo(effectiveTtl) >= 0) {
                throw new IllegalArgumentException("remindBefore " + remindBefore + " must be shorter than ttl " + effectiveTtl);
            }
            return new LatchPolicy(this);
        }
    }

    /**
     * Risk-adaptive strength: how strong a code must be at each {@link RiskAssessor.Level}.
     * {@code Latches.assess} asks the {@link RiskAssessor} for the level and returns the
     * {@link Decision}; {@code Latches.issue(decision)} issues a code of that strength.
     *
     * <pre>{@code
     * LatchPolicy.RiskTiers tiers = LatchPolicy.RiskTiers.standard(LatchPolicy.HIGH);
     * LatchPolicy.RiskTiers.Decision d = latches.assess(tiers, "login:alice", "alice", context, newSource, failures);
     * IssuedCode code = latches.issue(d);              // audited with RISK and RISK_REASONS
     * if (d.strength().approvers() > 1) { ... an approval gate with that quorum ... }
     * }</pre>
     *
     * <p>{@link #standard(LatchPolicy)}, on the base policy's other settings (uses, renewals,
     * conditions, review):
     * <table>
     *   <caption>standard tiers</caption>
     *   <tr><th>level</th><th>ttl</th><th>code</th><th>attempts</th><th>approvers</th></tr>
     *   <tr><td>LOW</td><td>15 min (or the base's, if shorter)</td><td>6 digits</td><td>5</td><td>1</td></tr>
     *   <tr><td>MEDIUM</td><td>10 min</td><td>8 digits</td><td>3</td><td>1</td></tr>
     *   <tr><td>HIGH</td><td>5 min</td><td>8 digits</td><td>3</td><td>2</td></tr>
     *   <tr><td>CRITICAL</td><td>3 min</td><td>10 digits</td><td>1</td><td>2</td></tr>
     * </table>
     *
     * <p>The floors, checked when built ({@link IllegalArgumentException} naming the level): every
     * tier's code at least as strong as six digits, its ttl at most the level's maximum (LOW 1 hour,
     * MEDIUM 30 minutes, HIGH 15 minutes, CRITICAL 10 minutes), 1 to 10 attempts, 1 to 9
     * approvers; and no tier weaker than the one below it (a longer ttl, a weaker code, more
     * attempts, fewer approvers, or more channels). Every level needs a tier.
     *
     * <p>Thread-safe: immutable.
     */
    public static final class RiskTiers {
        /** The longest ttl a tier may have, by level. */
        public static final Map<RiskAssessor.Level, Duration> MAX_TTL_BY_LEVEL = Map.of(
                RiskAssessor.Level.LOW, Duration.ofHours(1), RiskAssessor.Level.MEDIUM, Duration.ofMinutes(30),
                RiskAssessor.Level.HIGH, Duration.ofMinutes(15), RiskAssessor.Level.CRITICAL, Duration.ofMinutes(10));

        private final LatchPolicy base;
        private final Map<RiskAssessor.Level, Strength> tiers;

        private RiskTiers(LatchPolicy base, Map<RiskAssessor.Level, Strength> tiers) {
            this.base = base;
            this.tiers = tiers;
        }

        /**
         * @param base the policy whose other settings every tier keeps
         * @return the documented standard tiers
         */
        public static RiskTiers standard(LatchPolicy base) {
            Duration low = base.ttl().compareTo(Duration.ofMinutes(15)) < 0 ? base.ttl() : Duration.ofMinutes(15);
            return builder(base)
                    .tier(RiskAssessor.Level.LOW, new Strength(low, CodeFormat.numeric(6), 5, 1, Set.of()))
                    .tier(RiskAssessor.Level.MEDIUM, new Strength(min(low, Duration.ofMinutes(10)), CodeFormat.numeric(8), 3, 1, Set.of()))
                    .tier(RiskAssessor.Level.HIGH, new Strength(min(low, Duration.ofMinutes(5)), CodeFormat.numeric(8), 3, 2, Set.of()))
                    .tier(RiskAssessor.Level.CRITICAL, new Strength(min(low, Duration.ofMinutes(3)), CodeFormat.numeric(10), 1, 2, Set.of()))
                    .build();
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) < 0 ? a : b;
        }

        /**
         * @param base the policy whose other settings every tier keeps
         * @return a builder; every level needs a tier
         */
        public static Builder builder(LatchPolicy base) {
            return new Builder(Names.required(base, "base"));
        }

        /**
         * @param level a level
         * @return its tier
         */
        public Strength strength(RiskAssessor.Level level) {
            return tiers.get(Names.required(level, "level"));
        }

        /**
         * @param level a level
         * @return the base policy with the level's ttl, format and attempts
         */
        public LatchPolicy policy(RiskAssessor.Level level) {
            Strength s = strength(level);
            return LatchPolicy.from(base).ttl(s.ttl()).format(s.format()).maxAttempts(s.maxAttempts()).build();
        }

        @Override
        public String toString() {
            return "RiskTiers[base=" + base.name() + ", " + tiers + "]";
        }

        /**
         * How strong a code must be at one level.
         *
         * <pre>{@code
         * new LatchPolicy.RiskTiers.Strength(Duration.ofMinutes(5), CodeFormat.numeric(8), 3, 2, Set.of("authenticator"))
         * }</pre>
         *
         * @param ttl         the code's lifetime
         * @param format      the code's format
         * @param maxAttempts wrong attempts it survives
         * @param approvers   how many approvers a gate at this level needs
         * @param channels    the delivery channels allowed to carry it, by name (empty: any channel of the chain)
         *
         * <p>Thread-safe: immutable.
         */
        public record Strength(Duration ttl, CodeFormat format, int maxAttempts, int approvers, Set<String> channels) {
            /** Validates and copies. */
            public Strength {
                Names.required(ttl, "ttl");
                Names.required(format, "format");
                Names.required(channels, "channels");
                channels = Set.copyOf(channels);
            }
        }

        /**
         * The answer for one request: its risk and the strength it asks for, on the latch and
         * subject it was assessed for.
         *
         * @param latchId  the latch
         * @param subject  who
         * @param risk     the level and reasons
         * @param strength the tier of that level
         * @param policy   the base policy at that strength: what {@code Latches.issue(decision)} issues with
         *
         * <p>Thread-safe: immutable.
         */
        public record Decision(String latchId, String subject, RiskAssessor.Risk risk, Strength strength,
                               LatchPolicy policy) {
            /** Validates. */
            public Decision {
                Names.required(latchId, "latchId");
                Names.required(subject, "subject");
                Names.required(risk, "risk");
                Names.required(strength, "strength");
                Names.required(policy, "policy");
            }
        }

        /** Builds {@link RiskTiers}. Not thread-safe. */
        public static final class Builder {
            private final LatchPolicy base;
            private final Map<RiskAssessor.Level, Strength> tiers = new java.util.EnumMap<>(RiskAssessor.Level.class);

            private Builder(LatchPolicy base) {
                this.base = base;
            }

            /**
             * @param level    a level, once
             * @param strength how strong its codes are
             * @return this
             * @throws IllegalArgumentException when the strength is below a floor, or the level already has a tier
             */
            public Builder tier(RiskAssessor.Level level, Strength strength) {
                Names.required(level, "level");
                Names.required(strength, "strength");
                if (tiers.containsKey(level)) {
                    throw new IllegalArgumentException(level + " already has a tier");
                }
                if (strength.format().entropyBits() < CodeFormat.SIX_DIGITS.entropyBits()) {
                    throw new IllegalArgumentException(level + ": a code weaker than six digits (" + strength.format() + ")");
                }
                if (strength.ttl().compareTo(Duration.ofSeconds(30)) < 0 || strength.ttl().compareTo(MAX_TTL_BY_LEVEL.get(level)) > 0) {
                    throw new IllegalArgumentException(level + ": ttl must be 30 s to " + MAX_TTL_BY_LEVEL.get(level) + ", got "
                            + strength.ttl());
                }
                if (strength.maxAttempts() < 1 || strength.maxAttempts() > 10) {
                    throw new IllegalArgumentException(level + ": attempts must be 1 to 10, got " + strength.maxAttempts());
                }
                if (strength.approvers() < 1 || strength.approvers() > 9) {
                    throw new IllegalArgumentException(level + ": approvers must be 1 to 9, got " + strength.approvers());
                }
                for (String c : strength.channels()) {
                    if (!Names.isName(c)) {
                        throw new IllegalArgumentException(level + ": each channel must be a channel name");
                    }
                }
                tiers.put(level, strength);
                return this;
            }

            /**
             * @return the tiers
             * @throws IllegalArgumentException when a level has no tier, or a tier is weaker than the one below it
             */
            public RiskTiers build() {
                Strength below = null;
                RiskAssessor.Level belowLevel = null;
                for (RiskAssessor.Level level : RiskAssessor.Level.values()) {
                    Strength s = tiers.get(level);
                    if (s == null) {
                        throw new IllegalArgumentException(level + " has no tier");
                    }
                    if (below != null) {
                        String weaker = s.ttl().compareTo(below.ttl()) > 0 ? "a longer ttl"
                                : s.format().entropyBits() < below.format().entropyBits() ? "a weaker code"
                                : s.maxAttempts() > below.maxAttempts() ? "more attempts"
                                : s.approvers() < below.approvers() ? "fewer approvers"
                                : !below.channels().isEmpty() && (s.channels().isEmpty() || !below.channels().containsAll(s.channels()))
                                ? "more channels" : null;
                        if (weaker != null) {
                            throw new IllegalArgumentException(level + " is weaker than " + belowLevel + ": " + weaker);
                        }
                    }
                    below = s;
                    belowLevel = level;
                }
                // each tier must also make a valid policy on the base (notBefore, remindBefore shorter than ttl)
                RiskTiers out = new RiskTiers(base, Map.copyOf(tiers));
                for (RiskAssessor.Level level : RiskAssessor.Level.values()) {
                    out.policy(level);
                }
                return out;
            }
        }
    }
}
