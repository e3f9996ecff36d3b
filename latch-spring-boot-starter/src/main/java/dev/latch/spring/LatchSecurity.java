package dev.latch.spring;

import dev.latch.servlet.HttpAuthenticator;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Puts latch authentication into a Spring Security filter chain: the
 * {@link LatchBearerAuthenticationFilter} with a {@link LatchAuthenticationProvider}, RFC 6750
 * answers for 401 and 403, no HTTP session, and no CSRF token demanded of requests that carry a
 * latch credential header (bearer credentials are not sent by browsers on their own).
 * Authorization stays yours: scopes are authorities {@code SCOPE_<scope>}.
 *
 * <pre>{@code
 * @Bean
 * SecurityFilterChain api(HttpSecurity http, LatchSecurity latch) throws Exception {
 *     http.authorizeHttpRequests(a -> a
 *             .requestMatchers("/orders/**").hasAuthority("SCOPE_orders:read")
 *             .anyRequest().authenticated());
 *     latch.configure(http);
 *     return http.build();
 * }
 * }</pre>
 *
 * <p>The starter defines a {@code LatchSecurity} bean when Spring Security is present and
 * {@code latch.http.resource} is set. Thread-safe: immutable.
 */
public final class LatchSecurity {
    private final HttpAuthenticator authenticator;
    private final LatchBearerTokenResolver resolver;
    private final LatchAuthenticationEntryPoint entryPoint;
    private final ProviderManager manager;

    /** @param authenticator checks the credentials */
    public LatchSecurity(HttpAuthenticator authenticator) {
        if (authenticator == null) {
            throw new IllegalArgumentException("authenticator is required, got null");
        }
        this.authenticator = authenticator;
        this.resolver = new LatchBearerTokenResolver(authenticator.apiKeyHeader());
        this.entryPoint = new LatchAuthenticationEntryPoint(authenticator);
        this.manager = new ProviderManager(new LatchAuthenticationProvider(authenticator));
    }

    /**
     * @param http the chain being built
     * @return the same builder
     * @throws Exception as Spring Security's configurers do
     */
    public HttpSecurity configure(HttpSecurity http) throws Exception {
        return http
                .addFilterBefore(filter(), AnonymousAuthenticationFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint).accessDeniedHandler(entryPoint))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.ignoringRequestMatchers(resolver::carriesCredentials))
                .requestCache(r -> r.disable());
    }

    /** @return a new filter on this configuration's provider, for chains assembled by hand */
    public LatchBearerAuthenticationFilter filter() {
        return new LatchBearerAuthenticationFilter(manager, resolver, entryPoint);
    }

    /** @return the entry point and access-denied handler */
    public LatchAuthenticationEntryPoint entryPoint() {
        return entryPoint;
    }

    /** @return the authenticator */
    public HttpAuthenticator authenticator() {
        return authenticator;
    }

    @Override
    public String toString() {
        return "LatchSecurity[" + authenticator + "]";
    }
}
