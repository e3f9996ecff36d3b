package dev.latch.spring;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.CredentialsContainer;

import java.util.List;

/**
 * A request's latch credentials before authentication: the values of its {@code Authorization}
 * and API key headers, and the client address. {@link LatchBearerTokenResolver} makes it and
 * {@link LatchAuthenticationProvider} checks it. Its {@code toString} shows no header value.
 *
 * <pre>{@code
 * Authentication a = authenticationManager.authenticate(new LatchCredentials(List.of("Bearer " + key), List.of(), "127.0.0.1"));
 * }</pre>
 *
 * <p>Not thread-safe: one per request, as Spring Security's tokens are.
 */
public final class LatchCredentials extends AbstractAuthenticationToken implements CredentialsContainer {
    private static final long serialVersionUID = 1L;

    private List<String> authorization;
    private List<String> apiKey;
    private final String clientAddress;

    /**
     * @param authorization the Authorization header values
     * @param apiKey        the API key header values (empty when none)
     * @param clientAddress the client's address literal, or null
     */
    public LatchCredentials(List<String> authorization, List<String> apiKey, String clientAddress) {
        super(List.of());
        this.authorization = authorization == null ? List.of() : List.copyOf(authorization);
        this.apiKey = apiKey == null ? List.of() : List.copyOf(apiKey);
        this.clientAddress = clientAddress;
        setAuthenticated(false);
    }

    /** @return the Authorization header values */
    public List<String> authorization() {
        return authorization;
    }

    /** @return the API key header values */
    public List<String> apiKey() {
        return apiKey;
    }

    /** @return the client address, or null */
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public Object getCredentials() {
        return authorization.isEmpty() ? apiKey : authorization;
    }

    @Override
    public Object getPrincipal() {
        return null;
    }

    @Override
    public void eraseCredentials() {
        authorization = List.of();
        apiKey = List.of();
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "LatchCredentials[authorization=" + authorization.size() + " value(s), apiKey=" + apiKey.size()
                + " value(s), client=" + clientAddress + "]";
    }
}
