package dev.latch.spring;

import dev.latch.LatchException;
import dev.latch.servlet.HttpAuthenticator;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.Authentication;

/**
 * Spring Security's authentication provider for latch: checks {@link LatchCredentials} with an
 * {@link HttpAuthenticator} (API keys through {@code Latches}, service tokens through the signer).
 *
 * <pre>{@code
 * AuthenticationManager manager = new ProviderManager(new LatchAuthenticationProvider(authenticator));
 * }</pre>
 *
 * <p>A refused credential is a {@link LatchAuthenticationException} (401); a failing store or
 * signer an {@link AuthenticationServiceException} that wraps latch's typed exception, answered
 * 503 by {@link LatchBearerAuthenticationFilter}: nothing opens.
 *
 * <p>Thread-safe: immutable.
 */
public final class LatchAuthenticationProvider implements AuthenticationProvider {
    private final HttpAuthenticator authenticator;

    /** @param authenticator checks the credentials */
    public LatchAuthenticationProvider(HttpAuthenticator authenticator) {
        if (authenticator == null) {
            throw new IllegalArgumentException("authenticator is required, got null");
        }
        this.authenticator = authenticator;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        LatchCredentials c = (LatchCredentials) authentication;
        HttpAuthenticator.Result r;
        try {
            r = authenticator.authenticate(c.authorization(), c.apiKey(), c.clientAddress());
        } catch (LatchException e) {
            throw new AuthenticationServiceException("latch is unavailable (" + e.getClass().getSimpleName() + ")", e);
        }
        if (r instanceof HttpAuthenticator.Result.Failure f) {
            throw new LatchAuthenticationException(f);
        }
        return new LatchAuthentication(((HttpAuthenticator.Result.Authenticated) r).principal());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return LatchCredentials.class.isAssignableFrom(authentication);
    }

    @Override
    public String toString() {
        return "LatchAuthenticationProvider[" + authenticator + "]";
    }
}
