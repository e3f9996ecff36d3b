package dev.latch;

import dev.latch.spi.Names;
import java.util.List;
import java.util.Set;

/**
 * What a request needs from a signed token: the exact resource (or audience) and the
 * permissions it must all carry. Resources match exactly: {@code /a} never grants {@code /ab}
 * or {@code /a/../b}.
 *
 * <pre>{@code
 * Verdict v = signer.verify(token, Requirement.of("blob:/reports/q3.pdf", "r"), ctx);
 * }</pre>
 *
 * @param resource    the resource, latch id or audience
 * @param permissions the permissions that must all be granted
 *
 * <p>Thread-safe: immutable.
 */
public record Requirement(String resource, Set<String> permissions) {
    /** Validates and copies. */
    public Requirement {
        AccessContext.checkText("resource", resource);
        permissions = Set.copyOf(Names.required(permissions, "permissions"));
    }

    /**
     * @param resource    the resource
     * @param permissions the required permissions
     * @return the requirement
     */
    public static Requirement of(String resource, String... permissions) {
        return new Requirement(resource, Set.copyOf(List.of(permissions)));
    }
}
