package dev.latch;

import java.time.Duration;

/**
 * Too many codes were issued for one subject within the {@link RateLimit} window. Nothing was
 * issued and nothing was delivered; an audit event of type
 * {@link AuditEvent.Type#RATE_LIMITED} was emitted.
 *
 * <pre>{@code
 * catch (IssueRateLimitedException e) { return tooManyRequests(e.window()); }
 * }</pre>
 *
 * <p>Thread-safe: immutable after construction.
 */
public class IssueRateLimitedException extends LatchException {
    private static final long serialVersionUID = 1L;

    private final String subject;
    private final transient Duration window;

    /**
     * @param subject the subject that hit the limit
     * @param limit   the limit
     */
    public IssueRateLimitedException(String subject, RateLimit limit) {
        super("issue rate limit reached for subject " + subject + ": " + limit.count() + " per " + limit.window());
        this.subject = subject;
        this.window = limit.window();
    }

    /** @return the subject */
    public String subject() {
        return subject;
    }

    /** @return the window of the limit */
    public Duration window() {
        return window;
    }
}
