package dev.latch.spring;

import dev.latch.servlet.LatchAuthFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * The Spring Security filter that authenticates latch credentials: the
 * {@link LatchBearerTokenResolver} finds them, the {@link AuthenticationManager} (with a
 * {@link LatchAuthenticationProvider}) checks them, and the security context holds the
 * {@link LatchAuthentication} for the request. A request without credentials goes on
 * unauthenticated, for the authorization rules to decide; a refused one is answered by the
 * {@link LatchAuthenticationEntryPoint}; a failing store or signer is 503. {@link LatchSecurity}
 * installs it.
 *
 * <pre>{@code
 * http.addFilterBefore(new LatchBearerAuthenticationFilter(manager, resolver, entryPoint), AnonymousAuthenticationFilter.class);
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class LatchBearerAuthenticationFilter extends OncePerRequestFilter {
    private final AuthenticationManager manager;
    private final LatchBearerTokenResolver resolver;
    private final LatchAuthenticationEntryPoint entryPoint;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    /**
     * @param manager    checks the credentials
     * @param resolver   finds them
     * @param entryPoint answers refusals
     */
    public LatchBearerAuthenticationFilter(AuthenticationManager manager, LatchBearerTokenResolver resolver,
                                           LatchAuthenticationEntryPoint entryPoint) {
        this.manager = manager;
        this.resolver = resolver;
        this.entryPoint = entryPoint;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        LatchCredentials credentials = resolver.resolve(request);
        if (credentials == null) {
            chain.doFilter(request, response);
            return;
        }
        Authentication result;
        try {
            result = manager.authenticate(credentials);
        } catch (LatchAuthenticationException e) {
            contexts.clearContext();
            entryPoint.commence(request, response, e);
            return;
        } catch (AuthenticationServiceException e) {
            contexts.clearContext();
            LatchAuthFilter.writeUnavailable(response);
            return;
        } finally {
            credentials.eraseCredentials();
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(result);
        contexts.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            contexts.clearContext();
        }
    }
}
