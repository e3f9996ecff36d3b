package dev.latch.spi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns what is known about a request into a risk {@link Level} with its reasons, for
 * risk-adaptive codes: {@code Latches.assess} asks the assessor, and a
 * {@link dev.latch.LatchPolicy.RiskTiers} maps the level to how strong the code must be.
 *
 * <pre>{@code
 * RiskAssessor geo = s -> s.source() != null && s.source().startsWith("203.0.113.")
 *         ? new RiskAssessor.Risk(RiskAssessor.Level.HIGH, List.of("PARTNER_NETWORK"))
 *         : RiskAssessor.standard().assess(s);
 * Latches latches = Latches.builder().pepper(pepper).riskAssessor(geo).build();
 * }</pre>
 *
 * <p>{@link #standard()} scores one point for each of: a source address new for the subject
 * ({@code NEW_SOURCE}), a request outside the configured business hours
 * ({@code OUTSIDE_BUSINESS_HOURS}), no source address at all ({@code NO_SOURCE}), and 3 or more
 * recent failures ({@code RECENT_FAILURES}; 10 or more score two, {@code MANY_RECENT_FAILURES}).
 * 0 points is {@code LOW}, 1 {@code MEDIUM}, 2 {@code HIGH}, 3 or more {@code CRITICAL}.
 *
 * <p>An assessor that throws or answers null is read as {@code CRITICAL} with the reason
 * {@code ASSESSOR_FAILED}, and audited: a broken assessor makes codes stronger, never weaker.
 * Implementations must be thread-safe and must not block for long: they run on the issuing thread.
 */
@FunctionalInterface
public interface RiskAssessor {
    /**
     * @param signals what is known about the request
     * @return its level and reasons
     */
    Risk assess(Signals signals);

    /** @return the documented default assessor */
    static RiskAssessor standard() {
        return s -> {
            List<String> reasons = new ArrayList<>(4);
            int score = 0;
            if (s.source() == null) {
                reasons.add("NO_SOURCE");
                score++;
            } else if (s.newSource()) {
                reasons.add("NEW_SOURCE");
                score++;
            }
            if (s.outsideBusinessHours()) {
                reasons.add("OUTSIDE_BUSINESS_HOURS");
                score++;
            }
            if (s.recentFailures() >= 10) {
                reasons.add("MANY_RECENT_FAILURES");
                score += 2;
            } else if (s.recentFailures() >= 3) {
                reasons.add("RECENT_FAILURES");
                score++;
            }
            Level level = score == 0 ? Level.LOW : score == 1 ? Level.MEDIUM : score == 2 ? Level.HIGH : Level.CRITICAL;
            return new Risk(level, reasons);
        };
    }

    /**
     * How risky a request is, from least to most. For example
     * {@code if (risk.level().compareTo(Level.HIGH) >= 0) page(oncall);}
     *
     * <p>Thread-safe: an enum.
     */
    enum Level {
        /** Nothing unusual. */
        LOW,
        /** One unusual sign. */
        MEDIUM,
        /** Several unusual signs. */
        HIGH,
        /** Many unusual signs, or the assessment failed. */
        CRITICAL
    }

    /**
     * A level and why.
     *
     * <pre>{@code
     * new RiskAssessor.Risk(RiskAssessor.Level.HIGH, List.of("NEW_SOURCE", "OUTSIDE_BUSINESS_HOURS"))
     * }</pre>
     *
     * @param level   the level
     * @param reasons why, each an upper-case token ({@code A-Z 0-9 _}, at most 48 characters); at most 16
     *
     * <p>Thread-safe: immutable.
     */
    record Risk(Level level, List<String> reasons) {
        /** Validates and copies. */
        public Risk {
            Names.required(level, "level");
            Names.required(reasons, "reasons");
            if (reasons.size() > 16) {
                throw new IllegalArgumentException("at most 16 reasons");
            }
            for (String r : reasons) {
                if (r == null || !r.matches("[A-Z][A-Z0-9_]{0,47}")) {
                    throw new IllegalArgumentException("each reason must be an upper-case token of at most 48 characters");
                }
            }
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * What latch knows about a request when it assesses it.
     *
     * @param latchId              the latch
     * @param subject              who
     * @param source               the client address, or null when the request has none
     * @param newSource            whether the caller reports the source as new for the subject
     * @param outsideBusinessHours whether the request falls outside the business hours latch was built with
     *                             (false when none were configured)
     * @param recentFailures       the subject's recent failures as the caller counts them (failed logins, wrong codes)
     * @param attributes           the request's attributes ({@code AccessContext.attributes()})
     * @param now                  the injected clock's time
     *
     * <p>Thread-safe: immutable.
     */
    record Signals(String latchId, String subject, String source, boolean newSource, boolean outsideBusinessHours,
                   int recentFailures, Map<String, String> attributes, Instant now) {
        /** Validates and copies. */
        public Signals {
            Names.required(latchId, "latchId");
            Names.required(subject, "subject");
            Names.required(now, "now");
            if (recentFailures < 0) {
                throw new IllegalArgumentException("recentFailures must be 0 or more");
            }
            attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        }
    }
}
