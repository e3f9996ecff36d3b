package dev.latch;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A static key as issued: the full key text, shown once, and its non-secret id. The key reads
 * {@code <prefix>_<id>_<secret><checksum>}: a 12-character base62 id, a 24-character base62
 * secret (142 bits) and a 6-character base62 CRC32 checksum of everything before it, so secret
 * scanners can recognise a real key offline.
 *
 * <pre>{@code
 * IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("ci-bot").prefix("lk_live").build());
 * showOnce(key.key());                    // lk_live_4fQ2…
 * }</pre>
 *
 * <p>{@code toString} masks the key. Thread-safe: immutable.
 */
public final class IssuedStaticKey {
    private final String keyId;
    private final String key;
    private final String subject;
    private final Set<String> scopes;
    private final Instant expiresAt;

    IssuedStaticKey(String keyId, String key, String subject, Set<String> scopes, Instant expiresAt) {
        this.keyId = keyId;
        this.key = key;
        this.subject = subject;
        this.scopes = Set.copyOf(scopes);
        this.expiresAt = expiresAt;
    }

    /** @return the non-secret key id */
    public String keyId() {
        return keyId;
    }

    /** @return the full key: show it once, never log it */
    public String key() {
        return key;
    }

    /** @return the subject */
    public String subject() {
        return subject;
    }

    /** @return the scopes */
    public Set<String> scopes() {
        return scopes;
    }

    /** @return when the key expires, if it does */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    @Override
    public String toString() {
        return "IssuedStaticKey[id=" + keyId + ", subject=" + subject + ", scopes=" + scopes + ", key=***]";
    }
}
