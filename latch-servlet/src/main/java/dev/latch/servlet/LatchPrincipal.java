package dev.latch.servlet;

import java.security.Principal;
import java.util.Set;

/**
 * Who a request authenticated as: the subject of the API key or service token, its scopes, the
 * kind of credential and its non-secret id (the key id or the token's {@code jti}). Never the
 * credential itself.
 *
 * <pre>{@code
 * LatchPrincipal p = (LatchPrincipal) request.getUserPrincipal();
 * if (p.scopes().contains("orders:write")) { ... }
 * }</pre>
 *
 * @param subject      who: the key's subject or the token's {@code sub}
 * @param scopes       the permissions the credential carries
 * @param kind         API key or service token
 * @param credentialId the key id or token id, safe to log
 *
 * <p>Thread-safe: immutable.
 */
public record LatchPrincipal(String subject, Set<String> scopes, Kind kind, String credentialId) implements Principal {
    /** The request attribute under which {@link LatchAuthFilter} puts the principal. */
    public static final String ATTRIBUTE = LatchPrincipal.class.getName();

    /**
     * The kind of credential. For example {@code if (p.kind() == Kind.SERVICE_TOKEN) ...}.
     *
     * <p>Thread-safe: an enum.
     */
    public enum Kind {
        /** A latch static key. */
        API_KEY,
        /** A latch service-to-service token (a JWT or another {@link dev.latch.spi.CodeSigner} token). */
        SERVICE_TOKEN
    }

    /** Validates and copies. */
    public LatchPrincipal {
        if (subject == null || kind == null || credentialId == null) {
            throw new IllegalArgumentException("subject, kind and credentialId are required");
        }
        scopes = Set.copyOf(scopes);
    }

    @Override
    public String getName() {
        return subject;
    }
}
