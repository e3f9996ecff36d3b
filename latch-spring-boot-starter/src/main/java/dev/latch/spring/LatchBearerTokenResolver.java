package dev.latch.spring;

import jakarta.servlet.http.HttpServletRequest;

import java.util.Collections;
import java.util.List;

/**
 * Finds a request's latch credentials: every {@code Authorization} header value and, when
 * configured, every value of the API key header. It does not judge them (doubled or ill-formed
 * values are the provider's {@code invalid_request}); a request with neither header has none.
 *
 * <pre>{@code
 * LatchCredentials c = new LatchBearerTokenResolver("X-Api-Key").resolve(request);   // null: no credentials
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class LatchBearerTokenResolver {
    private final String apiKeyHeader;

    /** @param apiKeyHeader the API key header, or null for Authorization only */
    public LatchBearerTokenResolver(String apiKeyHeader) {
        this.apiKeyHeader = apiKeyHeader;
    }

    /**
     * @param request the request
     * @return its credentials, or null when it has no Authorization and no API key header
     */
    public LatchCredentials resolve(HttpServletRequest request) {
        List<String> auth = values(request, "Authorization");
        List<String> key = apiKeyHeader == null ? List.of() : values(request, apiKeyHeader);
        if (auth.isEmpty() && key.isEmpty()) {
            return null;
        }
        if (key.isEmpty() && auth.size() == 1 && !auth.get(0).regionMatches(true, 0, "Bearer", 0, 6)) {
            // another scheme (Basic, Digest, ...): not latch's to judge
            return null;
        }
        return new LatchCredentials(auth, key, request.getRemoteAddr());
    }

    /**
     * @param request the request
     * @return whether it carries a latch credential header (for CSRF exemption: bearer credentials are not ambient)
     */
    public boolean carriesCredentials(HttpServletRequest request) {
        return resolve(request) != null;
    }

    private static List<String> values(HttpServletRequest request, String name) {
        var e = request.getHeaders(name);
        return e == null || !e.hasMoreElements() ? List.of() : Collections.list(e);
    }

    @Override
    public String toString() {
        return "LatchBearerTokenResolver[apiKeyHeader=" + apiKeyHeader + "]";
    }
}
