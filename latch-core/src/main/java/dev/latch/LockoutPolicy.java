package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.spi.Names;
import java.time.Duration;
import java.time.Instant;

/**
 * When consecutive failures lock a latch for a subject, and for how long.
 *
 * <p>After {@code threshold} consecutive failures of one subject on one latch, the latch is
 * locked for that subject for {@code baseBackoff}; each further failure after a lock has run
 * out doubles it, up to {@code maxBackoff}. While locked, even the right code does not open
 * ({@link DenialReason#LOCKED}). Issuing a new code does not reset the count; a success does.
 * Failures are forgotten after {@code failureMemory} without any failure. Defaults: threshold
 * {@value #DEFAULT_THRESHOLD}, base 1 minute, max 1 hour, memory 24 hours. The threshold is at
 * most {@value #MAX_THRESHOLD}, so no configuration allows more than 100 consecutive failures.
 *
 * <pre>{@code
 * Latches latches = Latches.builder()
 *         .pepper(pepper)
 *         .lockout(LockoutPolicy.of(3, Duration.ofMinutes(5), Duration.ofHours(2)))
 *         .build();
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class LockoutPolicy {
    /** Consecutive failures before the first lock, by default. */
    public static final int DEFAULT_THRESHOLD = 5;
    /** The highest threshold allowed. */
    public static final int MAX_THRESHOLD = 100;
    /** The default policy. */
    public static final LockoutPolicy DEFAULT = of(DEFAULT_THRESHOLD, Duration.ofMinutes(1), Duration.ofHours(1));

    private final int threshold;
    private final Duration baseBackoff;
    private final Duration maxBackoff;
    private final Duration failureMemory;

    private LockoutPolicy(int threshold, Duration baseBackoff, Duration maxBackoff, Duration failureMemory) {
        this.threshold = threshold;
        this.baseBackoff = baseBackoff;
        this.maxBackoff = maxBackoff;
        this.failureMemory = failureMemory;
    }

    /**
     * @param threshold   consecutive failures before the first lock, 1 to 100
     * @param baseBackoff the first lock, at least 1 second
     * @param maxBackoff  the longest lock, at least baseBackoff and at most 30 days
     * @return the policy, with a failure memory of 24 hours (or maxBackoff, if longer)
     */
    public static LockoutPolicy of(int threshold, Duration baseBackoff, Duration maxBackoff) {
        Names.required(baseBackoff, "baseBackoff");
        Names.required(maxBackoff, "maxBackoff");
        Duration memory = maxBackoff.compareTo(Duration.ofHours(24)) > 0 ? maxBackoff : Duration.ofHours(24);
        return of(threshold, baseBackoff, maxBackoff, memory);
    }

    /**
     * @param threshold     consecutive failures before the first lock, 1 to 100
     * @param baseBackoff   the first lock, at least 1 second
     * @param maxBackoff    the longest lock, at least baseBackoff and at most 30 days
     * @param failureMemory how long failures are remembered without a new one, at least maxBackoff
     * @return the policy
     */
    public static LockoutPolicy of(int threshold, Duration baseBackoff, Duration maxBackoff, Duration failureMemory) {
        if (threshold < 1 || threshold > MAX_THRESHOLD) {
            throw new IllegalArgumentException("lockout threshold must be 1 to " + MAX_THRESHOLD + ", got " + threshold);
        }
        if (baseBackoff.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("baseBackoff must be at least 1s, got " + baseBackoff);
        }
        if (maxBackoff.compareTo(baseBackoff) < 0 || maxBackoff.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("maxBackoff must be between baseBackoff and 30 days, got " + maxBackoff);
        }
        if (failureMemory.compareTo(maxBackoff) < 0) {
            throw new IllegalArgumentException("failureMemory must be at least maxBackoff, got " + failureMemory);
        }
        return new LockoutPolicy(threshold, baseBackoff, maxBackoff, failureMemory);
    }

    /** @return consecutive failures before the first lock */
    public int threshold() {
        return threshold;
    }

    /** @return the first lock */
    public Duration baseBackoff() {
        return baseBackoff;
    }

    /** @return the longest lock */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** @return how long failures are remembered */
    public Duration failureMemory() {
        return failureMemory;
    }

    /**
     * The lock that follows a failure: none below the threshold, then base × 2^(failures − threshold), capped.
     *
     * @param failures consecutive failures including this one
     * @param now      the time of the failure
     * @return when the lock ends, or null when this failure does not lock
     */
    public Instant lockUntil(int failures, Instant now) {
        if (failures < threshold) {
            return null;
        }
        int doublings = Math.min(failures - threshold, 40);
        long millis = baseBackoff.toMillis();
        for (int i = 0; i < doublings && millis < maxBackoff.toMillis(); i++) {
            millis *= 2;
        }
        return now.plusMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    @Override
    public String toString() {
        return "LockoutPolicy[threshold=" + threshold + ", base=" + baseBackoff + ", max=" + maxBackoff
                + ", memory=" + failureMemory + "]";
    }
}
