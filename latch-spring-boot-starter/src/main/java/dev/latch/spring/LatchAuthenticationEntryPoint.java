package dev.latch.spring;

import dev.latch.servlet.HttpAuthenticator;
import dev.latch.servlet.LatchAuthFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

import java.io.IOException;
import java.util.Set;

/**
 * Answers unauthenticated requests (401) and authenticated ones without the authority a rule
 * requires (403) as RFC 6750 says: the {@code WWW-Authenticate: Bearer} challenge with the error
 * code, {@code Cache-Control: no-store}, and a body of at most the error code.
 *
 * <pre>{@code
 * http.exceptionHandling(e -> e.authenticationEntryPoint(entryPoint).accessDeniedHandler(entryPoint));
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class LatchAuthenticationEntryPoint implements AuthenticationEntryPoint, AccessDeniedHandler {
    private static final HttpAuthenticator.Result.Failure FORBIDDEN =
            new HttpAuthenticator.Result.Failure(HttpAuthenticator.Error.INSUFFICIENT_SCOPE, Set.of());

    private final HttpAuthenticator authenticator;

    /** @param authenticator whose realm the challenge names */
    public LatchAuthenticationEntryPoint(HttpAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        HttpAuthenticator.Result.Failure failure = e instanceof LatchAuthenticationException l ? l.failure()
                : HttpAuthenticator.Result.MISSING;
        LatchAuthFilter.writeFailure(authenticator, response, failure);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        LatchAuthFilter.writeFailure(authenticator, response, FORBIDDEN);
    }
}
