package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.spi.LatchStore.KeyRecord;
import dev.latch.spi.LatchStore.KeyResult;
import dev.latch.spi.Names;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Static keys: issue, authenticate (with pepper rotation), rotate, revoke and look up.
 * {@link Latches} documents the behaviour. Thread-safe.
 */
final class StaticKeyring extends Part {

    StaticKeyring(Part base) {
        super(base);
    }

    static String unmetCondition(String conditions, AccessContext context, Instant now) {
        if (conditions.isEmpty()) {
            return null;
        }
        for (Condition c : Condition.decodeAll(conditions)) {
            if (!c.test(context, now)) {
                return c.kindName();
            }
        }
        return null;
    }

    IssuedStaticKey issueStaticKey(StaticKeySpec spec) {
        Names.required(spec, "spec");
        Instant now = clock.instant();
        IssuedStaticKey key = newKey(spec.prefix(), spec.subject(), spec.scopes(),
                spec.ttl() == null ? null : now.plus(spec.ttl()), Condition.encodeAll(spec.conditions()), now);
        audit(AuditEvent.Type.ISSUED, now, spec.prefix(), key.keyId(), spec.subject(), null, AuditEvent.Outcome.SUCCESS,
                "STATIC_KEY");
        return key;
    }

    IssuedStaticKey newKey(String prefix, String subject, Set<String> scopes, Instant expiresAt,
                                   String conditions, Instant now) {
        String keyId = StaticKeys.newId(random);
        String formatted = StaticKeys.format(prefix, keyId, StaticKeys.newSecret(random));
        // Hashed from the key as authenticate reads it, by the same code: the two cannot drift.
        StaticKeys.Parsed parsed = Objects.requireNonNull(StaticKeys.parse(formatted), "a new key must parse");
        KeyRecord record = new KeyRecord(keyId, prefix, subject, scopes, hasher.key(parsed), now,
                expiresAt, StaticKeyInfo.State.ACTIVE, null, null, null, null, conditions, pepperId);
        call("putKey", prefix, keyId, subject, () -> {
            store.putKey(record);
            return null;
        });
        return new IssuedStaticKey(keyId, formatted, subject, scopes, expiresAt);
    }

    Verdict authenticate(String key, AccessContext context) {
        Instant now = clock.instant();
        if (context == null) {
            // the same rule as open: every verdict needs a context, also for a key that would open
            audit(AuditEvent.Type.DENIED, now, null, null, null, null, AuditEvent.Outcome.FAILURE, "MALFORMED_REQUEST");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        String source = context.sourceText();
        StaticKeys.Parsed parsed = StaticKeys.parse(key);
        if (parsed == null) {
            audit(AuditEvent.Type.DENIED, now, null, null, null, source, AuditEvent.Outcome.FAILURE, "MALFORMED_KEY");
            return Verdict.denied(DenialReason.MALFORMED);
        }
        if (source != null && keySourceLimit != null && blockedUntil(source, now)) {
            audit(AuditEvent.Type.RATE_LIMITED, now, parsed.prefix(), parsed.keyId, null, source,
                    AuditEvent.Outcome.FAILURE, "KEY_SOURCE_LIMIT");
            return Verdict.denied(DenialReason.LOCKED);
        }
        byte[] digest = hasher.key(parsed);
        KeyResult result;
        try {
            result = store.useKey(parsed.keyId, digest, now, source);
        } catch (RuntimeException e) {
            throw storeFailure("useKey", parsed.prefix(), parsed.keyId, null, e);
        }
        KeyRecord record = result.record();
        Map<String, String> pepperDetail = Map.of();
        if (result.outcome() == KeyResult.Outcome.WRONG_SECRET && record != null
                && !record.pepperId().equals(pepperId)) {
            Hasher older = peppers.get(record.pepperId());
            if (older == null) {
                pepperDetail = Map.of("PEPPER_UNKNOWN", record.pepperId());
            } else {
                result = verifyUnderOlderPepper(parsed, older, digest, now, source);
                record = result.record();
            }
        }
        String subject = record == null ? null : record.subject();
        DenialReason reason;
        switch (result.outcome()) {
            case OK:
                if (parsed.prefixIs(record.prefix())) {
                    String unmet = unmetCondition(record.conditions(), context, now);
                    if (unmet != null) {
                        audit(AuditEvent.Type.DENIED, now, record.prefix(), record.keyId(), subject, source,
                                AuditEvent.Outcome.FAILURE, DenialReason.CONTEXT_REJECTED.name(), Map.of("CONDITION", unmet));
                        return Verdict.denied(DenialReason.CONTEXT_REJECTED);
                    }
                    audit(AuditEvent.Type.OPENED, now, record.prefix(), record.keyId(), subject, source,
                            AuditEvent.Outcome.SUCCESS, "STATIC_KEY");
                    return new Verdict.Opened(record.keyId(), record.prefix(), subject, record.scopes(), -1, false);
                }
                reason = DenialReason.WRONG_CODE; // unreachable: the prefix is part of the digest
                break;
            case REVOKED:
                reason = DenialReason.REVOKED;
                break;
            case EXPIRED:
                reason = DenialReason.EXPIRED;
                break;
            default:
                reason = DenialReason.WRONG_CODE;
                break;
        }
        audit(AuditEvent.Type.DENIED, now, parsed.prefix(), parsed.keyId, subject, source, AuditEvent.Outcome.FAILURE,
                result.outcome().name(), pepperDetail);
        if (source != null && keySourceLimit != null
                && (result.outcome() == KeyResult.Outcome.NO_KEY || result.outcome() == KeyResult.Outcome.WRONG_SECRET)) {
            countKeyFailure(source, now);
        }
        return Verdict.denied(reason);
    }

    /** Sources refused for too many failed keys, until when (by the clock); this instance's view. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Instant> blockedSources =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000).build();

    private boolean blockedUntil(String source, Instant now) {
        Instant until = blockedSources.getIfPresent(source);
        if (until == null) {
            return false;
        }
        if (!now.isBefore(until)) {
            blockedSources.invalidate(source);
            return false;
        }
        return true;
    }

    /**
     * Counts a well-formed key that is unknown or has the wrong secret against its source, in the
     * store, so every instance counts together. The failure that reaches the limit marks the
     * source refused in the store until the window has passed; an instance that sees a failure of
     * a refused source (its own count, or the mark) refuses the source's keys from then on
     * without a lookup. Only failures pay these store calls.
     */
    private void countKeyFailure(String source, Instant now) {
        java.time.Duration window = keySourceLimit.window();
        dev.latch.spi.LatchStore.EventCount c = call("countEvent", null, null, null,
                () -> store.countEvent(KEY_SOURCE + source, keySourceLimit.count(), window, window, now));
        Instant until = null;
        if (c.fired()) {
            Instant end = now.plus(window);
            call("putMarker", null, null, null, () -> {
                store.putMarker(KEY_SOURCE_REFUSED + source, Long.toString(end.toEpochMilli()), end, now);
                return null;
            });
            audit(AuditEvent.Type.ALERT, now, null, null, null, source, AuditEvent.Outcome.ALERT, "KEY_SOURCE_LIMIT",
                    Map.of("COUNT", Integer.toString(c.inWindow())));
            until = end;
        } else {
            java.util.Optional<String> mark = call("getMarker", null, null, null,
                    () -> store.getMarker(KEY_SOURCE_REFUSED + source, now));
            if (mark.isPresent()) {
                try {
                    until = Instant.ofEpochMilli(Long.parseLong(mark.get()));
                } catch (NumberFormatException e) {
                    until = now.plus(window); // a mark latch did not write: refuse for a window, fail closed
                }
            }
        }
        if (until != null && now.isBefore(until)) {
            blockedSources.put(source, until);
        }
    }

    private static final String KEY_SOURCE = "~key-source:";
    private static final String KEY_SOURCE_REFUSED = "~key-source-refused:";

    KeyResult verifyUnderOlderPepper(StaticKeys.Parsed parsed, Hasher older, byte[] primaryDigest, Instant now,
                                             String source) {
        byte[] oldDigest = older.key(parsed);
        KeyResult again = call("useKey", parsed.prefix(), parsed.keyId, null,
                () -> store.useKey(parsed.keyId, oldDigest, now, source));
        if (again.outcome() == KeyResult.Outcome.WRONG_SECRET && again.record() != null
                && again.record().pepperId().equals(pepperId)) {
            // a racing use rehashed it between the two looks: the primary digest matches now
            return call("useKey", parsed.prefix(), parsed.keyId, null,
                    () -> store.useKey(parsed.keyId, primaryDigest, now, source));
        }
        if (again.outcome() == KeyResult.Outcome.OK) {
            KeyRecord r = again.record();
            boolean rehashed = call("rehashKey", r.prefix(), r.keyId(), r.subject(),
                    () -> store.rehashKey(parsed.keyId, oldDigest, primaryDigest, pepperId, now));
            if (rehashed) {
                audit(AuditEvent.Type.ROTATED, now, r.prefix(), r.keyId(), r.subject(), source, AuditEvent.Outcome.SUCCESS,
                        "REHASHED", details("FROM", r.pepperId(), "TO", pepperId));
            }
        }
        return again;
    }

    IssuedStaticKey rotate(String keyId, Duration overlap) {
        Names.required(overlap, "overlap");
        if (overlap.isNegative() || overlap.compareTo(Latches.MAX_OVERLAP) > 0) {
            throw new IllegalArgumentException("overlap must be between 0 and " + Latches.MAX_OVERLAP + ", got " + overlap);
        }
        if (!validId(keyId)) {
            throw new IllegalArgumentException("a key id is 1 to 64 characters of A-Z a-z 0-9 _ -");
        }
        Instant now = clock.instant();
        KeyRecord old = call("findKey", null, keyId, null, () -> store.findKey(keyId))
                .filter(k -> k.state() == StaticKeyInfo.State.ACTIVE)
                .orElseThrow(() -> new IllegalArgumentException("no active key with that id"));
        IssuedStaticKey fresh = newKey(old.prefix(), old.subject(), old.scopes(), old.expiresAt(), old.conditions(), now);
        Optional<KeyRecord> retired = call("retireKey", old.prefix(), keyId, old.subject(),
                () -> store.retireKey(keyId, now.plus(overlap), fresh.keyId(), now));
        if (retired.isEmpty()) {
            // Someone revoked or rotated it meanwhile: do not leave a second live key behind.
            call("revokeKey", old.prefix(), fresh.keyId(), old.subject(), () -> store.revokeKey(fresh.keyId(), now));
            throw new IllegalArgumentException("no active key with that id");
        }
        audit(AuditEvent.Type.ROTATED, now, old.prefix(), keyId, old.subject(), null, AuditEvent.Outcome.SUCCESS,
                "ROTATED", details("SUCCESSOR", fresh.keyId(), "OVERLAP", overlap.toString()));
        return fresh;
    }

    boolean revokeKey(String keyId) {
        Instant now = clock.instant();
        if (!validId(keyId)) {
            malformedId(AuditEvent.Type.REVOKED, now);
            return false;
        }
        boolean done = call("revokeKey", null, keyId, null, () -> store.revokeKey(keyId, now));
        audit(AuditEvent.Type.REVOKED, now, null, keyId, null, null,
                done ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE, done ? "STATIC_KEY" : "NOT_ACTIVE");
        return done;
    }

    Optional<StaticKeyInfo> keyInfo(String keyId) {
        if (!validId(keyId)) {
            return Optional.empty();
        }
        return call("findKey", null, keyId, null, () -> store.findKey(keyId)).map(KeyRecord::info);
    }
}
