package dev.latch.hmac;

import dev.latch.Latches;
import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.Verdict.DenialReason;
import dev.latch.Grant;
import dev.latch.Condition.IpRange;
import dev.latch.LatchStoreException;
import dev.latch.Grant.Requirement;
import dev.latch.SignerException;
import dev.latch.Verdict;
import dev.latch.spi.AuditSink;
import dev.latch.spi.CodeSigner;
import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * SAS-style signed latch tokens: stateless, HMAC-signed grants for one resource with a set of
 * permissions, a validity period and an optional source range, in a form that goes into a URL
 * query as is. With a {@link LatchStore}, tokens can also be revoked one by one, in bulk by
 * their stored policy (or have that policy's expiry shortened), and made single-use.
 *
 * <pre>{@code
 * SignedTokens tokens = SignedTokens.builder(HmacKeySet.of(HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, random)))
 *         .store(Latches.inMemoryStore())            // only for revocation, policies and single use
 *         .build();
 * String token = tokens.sign(Grant.builder("blob:/reports/q3.pdf", "partner-42")
 *         .permissions("r").ttl(Duration.ofMinutes(30)).sourceRange("203.0.113.0/24").build());
 * Verdict v = tokens.verify(token, Requirement.of("blob:/reports/q3.pdf", "r"),
 *         AccessContext.builder("partner-42").source("203.0.113.7").build());
 * }</pre>
 *
 * <p>Checks, in order, each with its own {@link DenialReason}: size (at most 4 KB) and strict
 * format ({@code MALFORMED}); key id known and enabled ({@code UNKNOWN_KEY}); full-length tag,
 * compared in constant time ({@code BAD_SIGNATURE}); start and expiry against the injected clock
 * with bounded skew ({@code NOT_YET_VALID}, {@code EXPIRED}); resource equal to the required one
 * and every required permission granted ({@code INSUFFICIENT_SCOPE}); source address in the range
 * ({@code CONTEXT_REJECTED}); then, with a store, revocation ({@code REVOKED}), the stored
 * policy ({@code REVOKED} or {@code EXPIRED}) and single use ({@code REPLAYED}). Tokens are
 * bearer tokens: the context's subject is not compared with the token's.
 *
 * <p>Thread-safe: immutable.
 */
public final class SignedTokens implements CodeSigner {
    /** Longest token lifetime by default. */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(7);
    /** Clock skew tolerated by default. */
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);
    /** Largest skew that can be configured. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);
    /** Longest token accepted, in characters. */
    public static final int MAX_TOKEN_LENGTH = TokenFormat.MAX_TOKEN;

    private static final String REVOKED = "latch-token:revoked:";
    private static final String POLICY = "latch-token:policy:";
    private static final String USED = "latch-token:used:";

    private final HmacKeySet keys;
    private final HmacKeySchedule schedule;
    /** For a schedule: the set in force and the interval it holds for. */
    private volatile Current current;
    private final Clock clock;
    private final Duration maxTtl;
    private final Duration skew;
    private final LatchStore store;
    private final AuditSink audit;
    private final SecureRandom random;

    private record Current(HmacKeySet keys, Instant from, Instant until) {
    }

    /** The key set in force at {@code now}: the fixed one, or the schedule's (null before its first key). */
    private HmacKeySet keysAt(Instant now) {
        if (schedule == null) {
            return keys;
        }
        Current c = current;
        if (c == null || now.isBefore(c.from()) || (c.until() != null && !now.isBefore(c.until()))) {
            c = new Current(schedule.at(now), now, schedule.nextChange(now));
            current = c;
        }
        return c.keys();
    }

    private SignedTokens(HmacKeySet keys, HmacKeySchedule schedule, Clock clock, Duration maxTtl, Duration skew,
                         LatchStore store, AuditSink audit,
                         SecureRandom random) {
        this.keys = keys;
        this.schedule = schedule;
        this.clock = clock;
        this.maxTtl = maxTtl;
        this.skew = skew;
        this.store = store;
        this.audit = audit;
        this.random = random;
    }

    /**
     * @param keys the key set; its primary signs
     * @return a builder
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public static Builder builder(HmacKeySet keys) {
        return new Builder(Names.required(keys, "keys"), null);
    }

    /**
     * A signer whose keys follow a {@link HmacKeySchedule} on the injected clock.
     *
     * @param schedule the key schedule
     * @return a builder
     * @throws IllegalArgumentException when the schedule is null
     */
    public static Builder builder(HmacKeySchedule schedule) {
        return new Builder(null, Names.required(schedule, "schedule"));
    }

    /**
     * @param newKeys a rotated key set
     * @return the same signer with other keys
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public SignedTokens withKeys(HmacKeySet newKeys) {
        return new SignedTokens(Names.required(newKeys, "keys"), null, clock, maxTtl, skew, store, audit, random);
    }

    /** @return the key set */
    public HmacKeySet keys() {
        return keysAt(clock.instant());
    }

    @Override
    public String sign(Grant grant) {
        Names.required(grant, "grant");
        Instant now = clock.instant();
        Instant expiry = grant.expiresAt(now);
        if (!expiry.isAfter(now)) {
            throw new IllegalArgumentException("grant expiry " + expiry + " is not after now " + now);
        }
        if (Duration.between(now, expiry).compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("grant lifetime " + Duration.between(now, expiry)
                    + " exceeds the maximum " + maxTtl);
        }
        if (TokenFormat.hasDotSegment(grant.resource())) {
            throw new IllegalArgumentException("resource has a '.' or '..' segment");
        }
        if (grant.singleUse() && store == null) {
            throw new IllegalStateException("single-use tokens need a store: SignedTokens.builder(keys).store(...)");
        }
        if ((grant.policyId().isPresent()) && store == null) {
            throw new IllegalStateException("stored policies need a store: SignedTokens.builder(keys).store(...)");
        }
        HmacKeySet inForce = keysAt(now);
        if (inForce == null) {
            throw new SignerException("no signing key is in force yet: the schedule's first key starts later");
        }
        HmacKey key = inForce.primary();
        String tokenId = grant.tokenId().orElseGet(this::newTokenId);
        TokenFormat.Claims claims = new TokenFormat.Claims(key.id(), grant.resource(), grant.subject(),
                grant.permissions(), grant.notBefore().map(Instant::getEpochSecond).orElse(-1L), expiry.getEpochSecond(),
                now.getEpochSecond(), grant.sourceRange().orElse(null), tokenId, grant.policyId().orElse(null),
                grant.singleUse());
        String payload = TokenFormat.payload(claims);
        String token = TokenFormat.token(payload, key.mac(payload.getBytes(StandardCharsets.US_ASCII)));
        event(AuditEvent.Type.ISSUED, now, grant.resource(), tokenId, grant.subject(), null, AuditEvent.Outcome.SUCCESS,
                "SIGNED_TOKEN", java.util.Map.of("KEY", key.id()));
        return token;
    }

    private String newTokenId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public Verdict verify(String token, Requirement requirement, AccessContext context) {
        Instant now = clock.instant();
        String resource = requirement == null ? null : requirement.resource();
        String source = context == null ? null : context.source().orElse(null);
        TokenFormat.Parsed parsed = TokenFormat.parse(token);
        if (parsed == null || requirement == null || context == null || !TokenFormat.kidWellFormed(parsed)) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED);
        }
        HmacKeySet inForce = schedule == null ? keys : keysAt(now);
        HmacKey key = inForce == null ? null : inForce.enabled(token, parsed.start(TokenFormat.KID), parsed.end(TokenFormat.KID));
        if (key == null) {
            return deny(now, resource, null, null, source, DenialReason.UNKNOWN_KEY);
        }
        if (!key.verifyEncoded(parsed.bytes(), parsed.payloadEnd, parsed.payloadEnd + 1, parsed.bytes().length)) {
            return deny(now, resource, null, null, source,
                    TokenFormat.wellFormed(parsed) ? DenialReason.BAD_SIGNATURE : DenialReason.MALFORMED);
        }
        // From here on the text is authentic; its fields must still be in their canonical form.
        TokenFormat.Claims c = TokenFormat.claims(parsed, key.id(), requirement.resource(), context.subject());
        if (c == null) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED);
        }
        String id = c.tokenId();
        long nowSec = now.getEpochSecond();
        if (c.start() >= 0 && nowSec < c.start() - skew.getSeconds()) {
            return deny(now, resource, id, c.subject(), source, DenialReason.NOT_YET_VALID);
        }
        if (nowSec >= c.expiry() + skew.getSeconds() || c.expiry() - c.issuedAt() > maxTtl.getSeconds()) {
            return deny(now, resource, id, c.subject(), source, DenialReason.EXPIRED);
        }
        if (!c.resource().equals(requirement.resource()) || TokenFormat.hasDotSegment(requirement.resource())
                || !c.permissions().containsAll(requirement.permissions())) {
            return deny(now, resource, id, c.subject(), source, DenialReason.INSUFFICIENT_SCOPE);
        }
        if (c.sourceRange() != null && (source == null || !IpRange.parse(c.sourceRange()).contains(source))) {
            return deny(now, resource, id, c.subject(), source, DenialReason.CONTEXT_REJECTED);
        }
        if (c.singleUse() || c.policyId() != null || store != null) {
            if (store == null) {
                throw new SignerException("token " + id + " needs a store (single use or stored policy), none configured");
            }
            DenialReason stored = storedChecks(c, now, resource, source);
            if (stored != null) {
                return deny(now, resource, id, c.subject(), source, stored);
            }
        }
        event(AuditEvent.Type.OPENED, now, resource, id, c.subject(), source, AuditEvent.Outcome.SUCCESS, "SIGNED_TOKEN");
        return new Verdict.Opened(id, c.resource(), c.subject(), scopes(c.permissions()), c.singleUse() ? 0 : -1,
                false);
    }

    /** An immutable set of a token's permissions, without Set.copyOf's HashSet for the usual one or two. */
    private static Set<String> scopes(List<String> permissions) {
        switch (permissions.size()) {
            case 0:
                return Set.of();
            case 1:
                return Set.of(permissions.get(0));
            case 2:
                return Set.of(permissions.get(0), permissions.get(1)); // never equal: duplicates are malformed
            default:
                return Set.copyOf(permissions);
        }
    }

    private DenialReason storedChecks(TokenFormat.Claims c, Instant now, String resource, String source) {
        if (call(now, resource, c, source, () -> store.getMarker(REVOKED + c.tokenId(), now)).isPresent()) {
            return DenialReason.REVOKED;
        }
        if (c.policyId() != null) {
            Optional<String> policy = call(now, resource, c, source, () -> store.getMarker(POLICY + c.policyId(), now));
            if (policy.isPresent()) {
                String v = policy.get();
                if (v.equals("revoked")) {
                    return DenialReason.REVOKED;
                }
                if (v.startsWith("expires=") && now.getEpochSecond() >= Long.parseLong(v.substring(8))) {
                    return DenialReason.EXPIRED;
                }
            }
        }
        if (c.singleUse()) {
            Instant keepUntil = Instant.ofEpochSecond(c.expiry()).plus(skew);
            boolean first = call(now, resource, c, source, () -> store.putOnce(USED + c.tokenId(), keepUntil, now));
            if (!first) {
                return DenialReason.REPLAYED;
            }
        }
        return null;
    }

    /**
     * Revokes one token by its id, everywhere the store is shared.
     *
     * @param tokenId the token id (from {@link Verdict.Opened#codeId()} or the grant)
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public void revokeToken(String tokenId) {
        Instant now = clock.instant();
        putMarker(now, REVOKED + requireId(tokenId), "revoked");
        event(AuditEvent.Type.REVOKED, now, null, tokenId, null, null, AuditEvent.Outcome.SUCCESS, "SIGNED_TOKEN");
    }

    /**
     * Revokes every token of a stored policy (like revoking a SAS stored access policy).
     *
     * @param policyId the policy id given in {@link Grant.Builder#policyId(String)}
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public void revokePolicy(String policyId) {
        Instant now = clock.instant();
        putMarker(now, POLICY + requireId(policyId), "revoked");
        event(AuditEvent.Type.REVOKED, now, null, null, null, null, AuditEvent.Outcome.SUCCESS, "POLICY",
                java.util.Map.of("POLICY", policyId));
    }

    /**
     * Ends every token of a stored policy at {@code expiry} at the latest.
     *
     * @param policyId the policy id
     * @param expiry   the new, earlier end
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public void shortenPolicy(String policyId, Instant expiry) {
        Names.required(expiry, "expiry");
        Instant now = clock.instant();
        putMarker(now, POLICY + requireId(policyId), "expires=" + expiry.getEpochSecond());
        event(AuditEvent.Type.RENEWED, now, null, null, null, null, AuditEvent.Outcome.SUCCESS,
                "POLICY_SHORTENED", ordered("POLICY", policyId, "EXPIRES", expiry.toString()));
    }

    private static String requireId(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_-]{8,64}")) {
            throw new IllegalArgumentException("ids are 8 to 64 characters of A-Z a-z 0-9 _ -");
        }
        return id;
    }

    private void putMarker(Instant now, String key, String value) {
        if (store == null) {
            throw new IllegalStateException("revocation needs a store: SignedTokens.builder(keys).store(...)");
        }
        Instant keep = now.plus(maxTtl).plus(skew);
        call(now, null, null, null, () -> {
            store.putMarker(key, value, keep, now);
            return null;
        });
    }

    private <T> T call(Instant now, String resource, TokenFormat.Claims c, String source, Supplier<T> op) {
        try {
            return op.get();
        } catch (RuntimeException e) {
            event(AuditEvent.Type.STORE_FAILURE, now, resource, c == null ? null : c.tokenId(),
                    c == null ? null : c.subject(), source, AuditEvent.Outcome.FAILURE, e.getClass().getSimpleName());
            throw LatchStoreException.of("a token check", e);
        }
    }

    private Verdict deny(Instant now, String resource, String tokenId, String subject, String source, DenialReason reason) {
        event(AuditEvent.Type.DENIED, now, resource, tokenId, subject, source, AuditEvent.Outcome.FAILURE, reason.name());
        return Verdict.denied(reason);
    }

    private void event(AuditEvent.Type type, Instant time, String latchId, String codeId, String subject, String source,
                       AuditEvent.Outcome outcome, String reason) {
        audit.accept(new AuditEvent(type, time, latchId, codeId, subject, source, outcome, reason));
    }

    private static java.util.Map<String, String> ordered(String k1, String v1, String k2, String v2) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private void event(AuditEvent.Type type, Instant time, String latchId, String codeId, String subject, String source,
                       AuditEvent.Outcome outcome, String reason, java.util.Map<String, String> details) {
        audit.accept(new AuditEvent(type, time, latchId, codeId, subject, source, outcome, reason, details));
    }

    @Override
    public String toString() {
        return "SignedTokens[keys=" + (schedule != null ? schedule : keys) + ", maxTtl=" + maxTtl + ", skew=" + skew + ", store=" + (store != null) + "]";
    }

    /** Builds {@link SignedTokens}. Each setter may be called once. Not thread-safe. */
    public static final class Builder {
        private final HmacKeySet keys;
        private final HmacKeySchedule schedule;
        private Clock clock;
        private Duration maxTtl;
        private Duration skew;
        private LatchStore store;
        private List<AuditSink> sinks;
        private SecureRandom random;

        private Builder(HmacKeySet keys, HmacKeySchedule schedule) {
            this.keys = keys;
            this.schedule = schedule;
        }

        private static void once(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        /**
         * @param clock the clock for issue time, start and expiry; default UTC system clock
         * @return this
         */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Names.required(clock, "clock");
            return this;
        }

        /**
         * @param maxTtl longest token lifetime, 1 second to 365 days; default 7 days
         * @return this
         */
        public Builder maxTtl(Duration maxTtl) {
            once(this.maxTtl, "maxTtl");
            Names.required(maxTtl, "maxTtl");
            if (maxTtl.compareTo(Duration.ofSeconds(1)) < 0 || maxTtl.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("maxTtl must be 1s to 365 days, got " + maxTtl);
            }
            this.maxTtl = maxTtl;
            return this;
        }

        /**
         * @param skew clock skew tolerated on start and expiry, 0 to 5 minutes; default 30 seconds
         * @return this
         */
        public Builder skew(Duration skew) {
            once(this.skew, "skew");
            Names.required(skew, "skew");
            if (skew.isNegative() || skew.compareTo(MAX_SKEW) > 0) {
                throw new IllegalArgumentException("skew must be 0 to " + MAX_SKEW + ", got " + skew);
            }
            this.skew = skew;
            return this;
        }

        /**
         * @param store for revocation, stored policies and single-use tokens; without one, tokens are purely stateless
         * @return this
         */
        public Builder store(LatchStore store) {
            once(this.store, "store");
            this.store = Names.required(store, "store");
            return this;
        }

        /**
         * @param sinks where audit events go; default {@link dev.latch.Latches#loggingSink()}
         * @return this
         */
        public Builder auditSink(AuditSink... sinks) {
            once(this.sinks, "auditSink");
            this.sinks = List.of(sinks);
            return this;
        }

        /**
         * @param random the source of token ids; default a new {@link SecureRandom}
         * @return this
         */
        public Builder random(SecureRandom random) {
            once(this.random, "random");
            this.random = Names.required(random, "random");
            return this;
        }

        /**
         * @return the signer
         * @throws IllegalArgumentException when a key schedule retires keys before the longest token
         *                                  (max ttl plus skew) they signed has expired
         */
        public SignedTokens build() {
            if (schedule != null) {
                Duration longest = (maxTtl == null ? DEFAULT_MAX_TTL : maxTtl).plus(skew == null ? DEFAULT_SKEW : skew);
                if (schedule.retireAfter().compareTo(longest) < 0) {
                    throw new IllegalArgumentException("the schedule retires keys " + schedule.retireAfter()
                            + " after their successor took over, before the longest token they signed expires ("
                            + longest + ": max ttl plus skew)");
                }
            }
            return new SignedTokens(keys, schedule, clock == null ? Clock.systemUTC() : clock,
                    maxTtl == null ? DEFAULT_MAX_TTL : maxTtl, skew == null ? DEFAULT_SKEW : skew, store,
                    AuditSink.fanOut(sinks == null ? List.of(Latches.loggingSink()) : sinks),
                    random == null ? new SecureRandom() : random);
        }
    }
}
