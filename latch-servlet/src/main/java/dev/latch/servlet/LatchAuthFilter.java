package dev.latch.servlet;

import dev.latch.LatchException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A {@code jakarta.servlet} filter that lets a request through only with a latch API key or
 * service token, and only with the scopes its path requires. Map it to the paths to protect;
 * every request it sees must authenticate.
 *
 * <pre>{@code
 * LatchAuthFilter filter = LatchAuthFilter.builder(authenticator)
 *         .require("/orders/*", "orders:read")
 *         .require("/admin/*", "admin")
 *         .build();
 * servletContext.addFilter("latch", filter).addMappingForUrlPatterns(null, false, "/*");
 * }</pre>
 *
 * <p>A request that authenticates goes on with {@link HttpServletRequest#getUserPrincipal()} the
 * {@link LatchPrincipal} (also in the request attribute {@link LatchPrincipal#ATTRIBUTE}),
 * {@code getRemoteUser()} its subject, {@code isUserInRole(scope)} true for its scopes and
 * {@code getAuthType()} {@code "Bearer"}. Any other gets 401 or 403 with the
 * {@code WWW-Authenticate} challenge of {@link HttpAuthenticator}, {@code Cache-Control: no-store}
 * and a body of at most the error code ({@code {"error":"invalid_token"}}): never a stack trace or
 * anything of the credential. When the store or signer fails, 503 with
 * {@code {"error":"temporarily_unavailable"}}: it fails closed.
 *
 * <p>Paths are the request's servlet path plus path info, as the container decoded and normalised
 * them. A rule is an exact path or a prefix ending in {@code /*}; the longest matching rule applies,
 * a path that matches none needs authentication only. The client address is
 * {@code getRemoteAddr()}: behind a proxy, let the container or framework resolve forwarded
 * headers first.
 *
 * <p>Thread-safe: immutable.
 */
public final class LatchAuthFilter implements Filter {
    private static final byte[] UNAVAILABLE = "{\"error\":\"temporarily_unavailable\"}".getBytes(StandardCharsets.US_ASCII);

    private final HttpAuthenticator authenticator;
    private final List<Rule> rules;

    private LatchAuthFilter(Builder b) {
        this.authenticator = b.authenticator;
        List<Rule> sorted = new ArrayList<>(b.rules);
        sorted.sort(Comparator.comparingInt((Rule r) -> r.path.length()).reversed());
        this.rules = List.copyOf(sorted);
    }

    /**
     * @param authenticator checks the credentials
     * @return a builder
     */
    public static Builder builder(HttpAuthenticator authenticator) {
        if (authenticator == null) {
            throw new IllegalArgumentException("authenticator is required, got null");
        }
        return new Builder(authenticator);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("LatchAuthFilter handles HTTP requests only");
        }
        HttpAuthenticator.Result result;
        try {
            result = authenticator.authenticate(headers(request, "Authorization"),
                    authenticator.apiKeyHeader() == null ? List.of() : headers(request, authenticator.apiKeyHeader()),
                    request.getRemoteAddr());
        } catch (LatchException e) {
            writeUnavailable(response);
            return;
        }
        if (result instanceof HttpAuthenticator.Result.Failure f) {
            writeFailure(authenticator, response, f);
            return;
        }
        LatchPrincipal principal = ((HttpAuthenticator.Result.Authenticated) result).principal();
        Set<String> required = required(path(request));
        HttpAuthenticator.Result.Failure forbidden = authenticator.requireScopes(principal, required);
        if (forbidden != null) {
            writeFailure(authenticator, response, forbidden);
            return;
        }
        request.setAttribute(LatchPrincipal.ATTRIBUTE, principal);
        chain.doFilter(new Authenticated(request, principal), response);
    }

    /**
     * Writes a failure: its status, the challenge, {@code Cache-Control: no-store}, and the error
     * code as the body (none for a missing credential).
     *
     * @param authenticator the authenticator that failed the request (its realm)
     * @param response      the response, not yet committed
     * @param failure       the failure
     * @throws IOException when the body cannot be written
     */
    public static void writeFailure(HttpAuthenticator authenticator, HttpServletResponse response,
                                    HttpAuthenticator.Result.Failure failure) throws IOException {
        response.setStatus(failure.error().status());
        response.setHeader("WWW-Authenticate", authenticator.challenge(failure));
        response.setHeader("Cache-Control", "no-store");
        if (failure.error().code() == null) {
            response.setContentLength(0);
            return;
        }
        byte[] body = ("{\"error\":\"" + failure.error().code() + "\"}").getBytes(StandardCharsets.US_ASCII);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /**
     * Writes the answer to a request latch could not check because its store or signer failed:
     * 503, {@code Retry-After: 1}, {@code Cache-Control: no-store}, {@code {"error":"temporarily_unavailable"}}.
     *
     * @param response the response, not yet committed
     * @throws IOException when the body cannot be written
     */
    public static void writeUnavailable(HttpServletResponse response) throws IOException {
        response.setStatus(503);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Retry-After", "1");
        response.setContentType("application/json");
        response.setContentLength(UNAVAILABLE.length);
        response.getOutputStream().write(UNAVAILABLE);
    }

    private Set<String> required(String path) {
        for (Rule r : rules) {
            if (r.prefix ? path.startsWith(r.path) || path.equals(r.path.substring(0, r.path.length() - 1)) : path.equals(r.path)) {
                return r.scopes;
            }
        }
        return Set.of();
    }

    private static String path(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String info = request.getPathInfo();
        return (servletPath == null ? "" : servletPath) + (info == null ? "" : info);
    }

    private static List<String> headers(HttpServletRequest request, String name) {
        var values = request.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return List.of();
        }
        return Collections.list(values);
    }

    @Override
    public String toString() {
        return "LatchAuthFilter[" + authenticator + ", rules=" + rules + "]";
    }

    private record Rule(String path, boolean prefix, Set<String> scopes) {
    }

    /** The request as the application sees it after authentication. */
    private static final class Authenticated extends HttpServletRequestWrapper {
        private final LatchPrincipal principal;

        Authenticated(HttpServletRequest request, LatchPrincipal principal) {
            super(request);
            this.principal = principal;
        }

        @Override
        public Principal getUserPrincipal() {
            return principal;
        }

        @Override
        public String getRemoteUser() {
            return principal.subject();
        }

        @Override
        public boolean isUserInRole(String role) {
            return principal.scopes().contains(role);
        }

        @Override
        public String getAuthType() {
            return "Bearer";
        }
    }

    /** Builds a {@link LatchAuthFilter}. Not thread-safe. */
    public static final class Builder {
        private final HttpAuthenticator authenticator;
        private final List<Rule> rules = new ArrayList<>();

        private Builder(HttpAuthenticator authenticator) {
            this.authenticator = authenticator;
        }

        /**
         * @param path   an exact path ({@code /health}) or a prefix ending in {@code /*} ({@code /orders/*},
         *               which also covers {@code /orders})
         * @param scopes the scopes a request on it needs, all of them
         * @return this
         */
        public Builder require(String path, String... scopes) {
            if (path == null || !path.startsWith("/") || path.indexOf('*') != path.lastIndexOf('*')
                    || (path.indexOf('*') >= 0 && !path.endsWith("/*"))) {
                throw new IllegalArgumentException("path must start with '/' and may end in '/*' only");
            }
            if (scopes == null || scopes.length == 0) {
                throw new IllegalArgumentException("a rule needs at least one scope");
            }
            boolean prefix = path.endsWith("/*");
            rules.add(new Rule(prefix ? path.substring(0, path.length() - 1) : path, prefix, Set.of(scopes)));
            return this;
        }

        /** @return the filter */
        public LatchAuthFilter build() {
            return new LatchAuthFilter(this);
        }
    }
}
