package dev.latch;

import dev.latch.spi.Names;
import java.time.Duration;

/**
 * At most {@code count} codes issued per subject within a sliding {@code window}, so that
 * nobody can make latch flood a person's phone or mailbox. The default,
 * {@link #DEFAULT}, is 5 codes per 15 minutes.
 *
 * <pre>{@code
 * Latches.builder().pepper(pepper).issueRateLimit(RateLimit.of(3, Duration.ofMinutes(10))).build();
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class RateLimit {
    /** 5 codes per subject per 15 minutes. */
    public static final RateLimit DEFAULT = of(5, Duration.ofMinutes(15));

    private final int count;
    private final Duration window;

    private RateLimit(int count, Duration window) {
        this.count = count;
        this.window = window;
    }

    /**
     * @param count  codes per window, 1 to 1000
     * @param window the sliding window, 1 second to 1 day
     * @return the limit
     */
    public static RateLimit of(int count, Duration window) {
        Names.required(window, "window");
        if (count < 1 || count > 1000) {
            throw new IllegalArgumentException("rate limit count must be 1 to 1000, got " + count);
        }
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("rate limit window must be 1s to 1 day, got " + window);
        }
        return new RateLimit(count, window);
    }

    /** @return codes per window */
    public int count() {
        return count;
    }

    /** @return the window */
    public Duration window() {
        return window;
    }

    @Override
    public String toString() {
        return "RateLimit[" + count + " per " + window + "]";
    }
}
