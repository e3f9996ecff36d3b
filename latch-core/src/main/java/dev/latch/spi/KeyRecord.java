package dev.latch.spi;

import dev.latch.StaticKeyInfo;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A static key as a store keeps it: id, keyed digest of the secret, subject, scopes, lifetime,
 * rotation and last use. Never the secret.
 *
 * <pre>{@code
 * store.findKey(keyId).map(KeyRecord::info);
 * }</pre>
 *
 * @param keyId        the id
 * @param prefix       the key prefix
 * @param subject      who it authenticates
 * @param scopes       its scopes
 * @param digest       HMAC-SHA256 of the secret, 32 bytes, never modified
 * @param createdAt    when it was issued
 * @param expiresAt    when it expires, or null
 * @param state        active, rotated or revoked
 * @param validUntil   for a rotated key, when the overlap ends, or null
 * @param successorId  for a rotated key, the key that replaced it, or null
 * @param lastUsedAt   when it last authenticated, or null
 * @param lastUsedFrom the source of that use, or null
 * @param conditions   the key's conditions in their stored text form ({@code ""} for none), as
 *                     the store received them; the core checks them after a successful use
 * @param pepperId     the id of the pepper the digest was made with (null reads as
 *                     {@code "default"}, the id of a pepper given without one)
 *
 * <p>{@code toString} leaves out the digest. Thread-safe: immutable.
 */
public record KeyRecord(String keyId, String prefix, String subject, Set<String> scopes, byte[] digest,
                        Instant createdAt, Instant expiresAt, StaticKeyInfo.State state, Instant validUntil,
                        String successorId, Instant lastUsedAt, String lastUsedFrom, String conditions,
                        String pepperId) {
    /** The pepper id of records that name none. */
    public static final String DEFAULT_PEPPER = "default";

    /** Validates. */
    public KeyRecord {
        conditions = conditions == null ? "" : conditions;
        pepperId = pepperId == null ? DEFAULT_PEPPER : pepperId;
        Names.required(keyId, "keyId");
        Names.required(prefix, "prefix");
        Names.required(subject, "subject");
        Names.required(createdAt, "createdAt");
        Names.required(state, "state");
        scopes = Set.copyOf(scopes);
        if (digest == null || digest.length != 32) {
            throw new IllegalArgumentException("key digests are 32 bytes");
        }
    }

    /**
     * @param at   the time of use
     * @param from the source, or null
     * @return a copy with the last use recorded
     */
    public KeyRecord used(Instant at, String from) {
        return new KeyRecord(keyId, prefix, subject, scopes, digest, createdAt, expiresAt, state, validUntil,
                successorId, at, from, conditions, pepperId);
    }

    /**
     * @param until     when the overlap ends
     * @param successor the new key
     * @return a rotated copy
     */
    public KeyRecord rotated(Instant until, String successor) {
        return new KeyRecord(keyId, prefix, subject, scopes, digest, createdAt, expiresAt,
                StaticKeyInfo.State.ROTATED, until, successor, lastUsedAt, lastUsedFrom, conditions, pepperId);
    }

    /** @return a revoked copy */
    public KeyRecord revoked() {
        return new KeyRecord(keyId, prefix, subject, scopes, digest, createdAt, expiresAt,
                StaticKeyInfo.State.REVOKED, validUntil, successorId, lastUsedAt, lastUsedFrom, conditions, pepperId);
    }

    /**
     * @param newDigest the digest of the same secret under another pepper
     * @param newPepper that pepper's id
     * @return a copy hashed under the other pepper
     */
    public KeyRecord rehashed(byte[] newDigest, String newPepper) {
        return new KeyRecord(keyId, prefix, subject, scopes, newDigest, createdAt, expiresAt, state, validUntil,
                successorId, lastUsedAt, lastUsedFrom, conditions, newPepper);
    }

    /** @return the public view */
    public StaticKeyInfo info() {
        return new StaticKeyInfo(keyId, prefix, subject, scopes, state, createdAt, Optional.ofNullable(expiresAt),
                Optional.ofNullable(validUntil), Optional.ofNullable(successorId), Optional.ofNullable(lastUsedAt),
                Optional.ofNullable(lastUsedFrom));
    }

    @Override
    public String toString() {
        return "KeyRecord[id=" + keyId + ", prefix=" + prefix + ", subject=" + subject + ", scopes=" + scopes
                + ", digest=***, pepper=" + pepperId + ", state=" + state + ", expiresAt=" + expiresAt + ", validUntil=" + validUntil + "]";
    }
}
