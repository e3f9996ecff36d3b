package dev.latch;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What latch knows about a static key, without its secret: state, lifetime, rotation and when
 * and from where it was last used.
 *
 * <pre>{@code
 * latches.keyInfo(keyId).ifPresent(info ->
 *         log.info("last used {} from {}", info.lastUsedAt(), info.lastUsedFrom()));
 * }</pre>
 *
 * @param keyId        the key id
 * @param prefix       the key prefix
 * @param subject      who the key authenticates
 * @param scopes       its scopes
 * @param state        ACTIVE, ROTATED (valid until {@code validUntil}) or REVOKED
 * @param createdAt    when it was issued
 * @param expiresAt    when it expires, if it does
 * @param validUntil   for a rotated key, when the overlap ends
 * @param successorId  for a rotated key, the id of the key that replaced it
 * @param lastUsedAt   when it last authenticated
 * @param lastUsedFrom the source address of that use
 *
 * <p>Thread-safe: immutable.
 */
public record StaticKeyInfo(String keyId, String prefix, String subject, Set<String> scopes, State state,
                            Instant createdAt, Optional<Instant> expiresAt, Optional<Instant> validUntil,
                            Optional<String> successorId, Optional<Instant> lastUsedAt,
                            Optional<String> lastUsedFrom) {
    /**
     * The state of a key. For example {@code if (info.state() == StaticKeyInfo.State.ROTATED) warnOwner(info);}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum State {
        /** In use. */
        ACTIVE,
        /** Replaced by a successor; still valid until the overlap ends. */
        ROTATED,
        /** Revoked; never valid again. */
        REVOKED
    }

    /** Copies. */
    public StaticKeyInfo {
        scopes = Set.copyOf(scopes);
    }
}
