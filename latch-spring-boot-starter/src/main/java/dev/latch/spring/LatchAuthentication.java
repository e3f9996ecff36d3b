package dev.latch.spring;

import dev.latch.servlet.LatchPrincipal;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * An authenticated latch credential: the principal is the {@link LatchPrincipal}, and each scope
 * is an authority {@code SCOPE_<scope>}, as Spring Security's resource server names them, so
 * {@code hasAuthority("SCOPE_orders:read")} works unchanged. It holds no credential.
 *
 * <pre>{@code
 * LatchPrincipal who = (LatchPrincipal) SecurityContextHolder.getContext().getAuthentication().getPrincipal();
 * }</pre>
 *
 * <p>Thread-safe: immutable after construction.
 */
public final class LatchAuthentication extends AbstractAuthenticationToken {
    private static final long serialVersionUID = 1L;
    /** The prefix of the authorities made from scopes. */
    public static final String SCOPE_PREFIX = "SCOPE_";

    private final LatchPrincipal principal;

    /** @param principal who authenticated */
    public LatchAuthentication(LatchPrincipal principal) {
        super(authorities(principal));
        this.principal = principal;
        setAuthenticated(true);
    }

    private static List<GrantedAuthority> authorities(LatchPrincipal principal) {
        List<GrantedAuthority> out = new ArrayList<>();
        for (String scope : new TreeSet<>(principal.scopes())) {
            out.add(new SimpleGrantedAuthority(SCOPE_PREFIX + scope));
        }
        return out;
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public LatchPrincipal getPrincipal() {
        return principal;
    }

    @Override
    public String getName() {
        return principal.subject();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatchAuthentication a && a.principal.equals(principal);
    }

    @Override
    public int hashCode() {
        return principal.hashCode();
    }
}
