package dev.latch.spring;

import dev.latch.servlet.HttpAuthenticator;
import org.springframework.security.core.AuthenticationException;

/**
 * A request whose latch credentials did not authenticate, with the RFC 6750 failure the
 * {@link LatchAuthenticationEntryPoint} answers. The message is the error code only.
 *
 * <pre>{@code
 * catch (LatchAuthenticationException e) { int status = e.failure().error().status(); }
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class LatchAuthenticationException extends AuthenticationException {
    private static final long serialVersionUID = 1L;

    private final transient HttpAuthenticator.Result.Failure failure;

    /** @param failure why */
    public LatchAuthenticationException(HttpAuthenticator.Result.Failure failure) {
        super(failure.error().name());
        this.failure = failure;
    }

    /** @return why, with the status and error code */
    public HttpAuthenticator.Result.Failure failure() {
        return failure;
    }
}
