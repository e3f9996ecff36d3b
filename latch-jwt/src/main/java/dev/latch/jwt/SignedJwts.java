package dev.latch.jwt;

import dev.latch.Latches;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.Verdict.DenialReason;
import dev.latch.Grant;
import dev.latch.LatchStoreException;
import dev.latch.Grant.Requirement;
import dev.latch.SignerException;
import dev.latch.Verdict;
import dev.latch.VerifiedClaims;
import dev.latch.spi.AuditSink;
import dev.latch.spi.CodeSigner;
import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Short-lived JWTs for service-to-service checks, on Nimbus JOSE+JWT, behind the core
 * {@link CodeSigner} SPI. The grant maps to claims {@code iss} (the key's issuer), {@code sub},
 * {@code aud} (the grant's resource), {@code iat}, {@code nbf}, {@code exp}, {@code jti} and
 * {@code scope} (permissions, space-separated); the header has {@code typ: latch+jwt}
 * (explicit typing, RFC 8725 §3.11) and {@code kid}.
 *
 * <pre>{@code
 * SignedJwts jwts = SignedJwts.builder(JwtKeySet.of(JwtKey.generate("a1", JwtAlgorithm.ES256, "https://svc-a", random)))
 *         .audiences("https://svc-b")
 *         .store(Latches.inMemoryStore())       // jti single use
 *         .build();
 * String token = jwts.sign(Grant.builder("https://svc-b", "svc-a").permissions("orders:read").ttl(Duration.ofMinutes(2)).build());
 * Verdict v = jwts.verify(token, Requirement.of("https://svc-b", "orders:read"), AccessContext.of("svc-a"));
 * }</pre>
 *
 * <p>The verification policy is fixed at build time. In order: size (8 KB by default, checked
 * before parsing), exactly three base64url segments, no duplicate members, {@code alg} not
 * {@code none} in any case, no JWE, {@code typ} {@code latch+jwt}, no {@code jwk}, {@code jku},
 * {@code x5u}, {@code x5c}, {@code crit} or nested {@code cty} ({@code MALFORMED}); the key
 * named by {@code kid}, looked up in the key set (or the remote JWK set) and nowhere else, enabled,
 * of the header's algorithm ({@code UNKNOWN_KEY}); the signature ({@code BAD_SIGNATURE}); the
 * issuer the key is bound to ({@code UNKNOWN_KEY}); {@code exp}, {@code iat}, {@code sub}
 * present; {@code nbf}, {@code iat} and {@code exp} against the injected clock with bounded skew,
 * and the lifetime ({@code NOT_YET_VALID}, {@code EXPIRED}); the audience equal to the required
 * resource and in the allowlist, and the required scopes ({@code INSUFFICIENT_SCOPE}); with a
 * store, single use of the {@code jti} ({@code REPLAYED}). Nothing of the token is logged.
 *
 * <p>Thread-safe: immutable.
 */
public final class SignedJwts implements CodeSigner {
    /** The explicit type of latch JWTs. */
    public static final String TYPE = "latch+jwt";
    /** Default clock skew. */
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);
    /** Largest skew. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);
    /** Default longest lifetime. */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(15);
    /** Default largest token, in characters. */
    public static final int DEFAULT_MAX_SIZE = 8 * 1024;

    private static final Set<String> FORBIDDEN_HEADERS = Set.of("jwk", "jku", "x5u", "x5c", "crit");

    private final JwtKeySet keys;
    private final JwtKeySchedule schedule;
    /** For a schedule: the set in force and the interval it holds for, replaced when the clock leaves it. */
    private volatile Current current;
    private final RemoteJwks remote;
    private final Clock clock;
    private final Set<String> audiences;
    private final Duration skew;
    private final Duration maxLifetime;
    private final int maxSize;
    private final LatchStore store;
    private final AuditSink audit;
    private final SecureRandom random;

    private SignedJwts(Builder b) {
        this.keys = b.keys;
        this.schedule = b.schedule;
        this.remote = b.remote;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.audiences = b.audiences == null ? Set.of() : b.audiences;
        this.skew = b.skew == null ? DEFAULT_SKEW : b.skew;
        this.maxLifetime = b.maxLifetime == null ? DEFAULT_MAX_LIFETIME : b.maxLifetime;
        this.maxSize = b.maxSize == 0 ? DEFAULT_MAX_SIZE : b.maxSize;
        this.store = b.store;
        this.audit = AuditSink.fanOut(b.sinks == null ? List.of(Latches.loggingSink()) : b.sinks);
        this.random = b.random == null ? new SecureRandom() : b.random;
    }

    /**
     * @param keys the key set: its primary signs, its enabled keys verify
     * @return a builder
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public static Builder builder(JwtKeySet keys) {
        return new Builder(Names.required(keys, "keys"), null);
    }

    /**
     * A signer and verifier whose keys follow a {@link JwtKeySchedule}: the set in force is the
     * schedule's at the injected clock's time, on every call.
     *
     * @param schedule the key schedule
     * @return a builder
     * @throws IllegalArgumentException when the schedule is null
     */
    public static Builder builder(JwtKeySchedule schedule) {
        return new Builder(null, Names.required(schedule, "schedule"));
    }

    /** @return the key set in force now (for a fixed set, that set): serve its {@link JwtKeySet#toPublicJwkSet()} */
    public JwtKeySet currentKeys() {
        return keysAt(clock.instant());
    }

    private record Current(JwtKeySet keys, Instant from, Instant until) {
    }

    private JwtKeySet keysAt(Instant now) {
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

    @Override
    public String sign(Grant grant) {
        Names.required(grant, "grant");
        JwtKey key = keysAt(clock.instant()).primary();
        if (key == null) {
            throw new SignerException("this key set has no signing key");
        }
        if (grant.sourceRange().isPresent() || grant.policyId().isPresent()) {
            throw new IllegalArgumentException("source ranges and stored policies are not part of latch JWTs");
        }
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant exp = grant.expiresAt(now);
        Instant nbf = grant.notBefore().orElse(now);
        if (!exp.isAfter(now) || Duration.between(now, exp).compareTo(maxLifetime) > 0) {
            throw new IllegalArgumentException("token lifetime " + Duration.between(now, exp) + " must be positive and at most "
                    + maxLifetime);
        }
        String jti = grant.tokenId().orElseGet(() -> {
            byte[] b = new byte[16];
            random.nextBytes(b);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        });
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.parse(key.algorithm().name()))
                .type(new JOSEObjectType(TYPE)).keyID(key.id()).build();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(key.issuer()).subject(grant.subject())
                .audience(grant.resource()).issueTime(Date.from(now)).notBeforeTime(Date.from(nbf))
                .expirationTime(Date.from(exp)).jwtID(jti);
        if (!grant.permissions().isEmpty()) {
            claims.claim("scope", String.join(" ", grant.permissions()));
        }
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(header, claims.build());
        try {
            jwt.sign(key.signer());
        } catch (JOSEException e) {
            throw new SignerException("signing with key " + key.id() + " failed", e);
        }
        event(AuditEvent.Type.ISSUED, now, grant.resource(), jti, grant.subject(), null, AuditEvent.Outcome.SUCCESS, "JWT");
        return jwt.serialize();
    }

    @Override
    public Verdict verify(String token, Requirement requirement, AccessContext context) {
        Instant now = clock.instant();
        String resource = requirement == null ? null : requirement.resource();
        String source = context == null ? null : context.source().orElse(null);
        if (token == null || token.length() > maxSize || requirement == null || context == null) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, "MALFORMED");
        }
        int d1 = token.indexOf('.');
        int d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
        if (d1 <= 0 || d2 <= d1 + 1 || d2 == token.length() - 1 || token.indexOf('.', d2 + 1) >= 0
                || !canonical(token, 0, d1) || !canonical(token, d1 + 1, d2) || !canonical(token, d2 + 1, token.length())) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, "NOT_A_JWS");
        }
        String headerJson = new String(base64url(token, 0, d1), StandardCharsets.UTF_8);
        String payloadJson = new String(base64url(token, d1 + 1, d2), StandardCharsets.UTF_8);
        Map<String, Object> raw;
        Map<String, Object> rawClaims;
        try {
            raw = StrictJson.object(headerJson);
            rawClaims = StrictJson.object(payloadJson);
        } catch (StrictJson.Malformed e) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, e.duplicate ? "DUPLICATE_MEMBER" : "JSON");
        }
        Object alg = raw.get("alg");
        if (!(alg instanceof String) || "none".equalsIgnoreCase((String) alg) || raw.containsKey("enc")) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, "ALG_NONE_OR_JWE");
        }
        for (String forbidden : FORBIDDEN_HEADERS) {
            if (raw.containsKey(forbidden)) {
                return deny(now, resource, null, null, source, DenialReason.MALFORMED, "HEADER_" + forbidden.toUpperCase());
            }
        }
        Object typ = raw.get("typ");
        Object cty = raw.get("cty");
        Object kidValue = raw.get("kid");
        if (typ != null && !(typ instanceof String) || cty != null && !(cty instanceof String)
                || kidValue != null && !(kidValue instanceof String)) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, "HEADER");
        }
        if (typ == null || !(TYPE.equalsIgnoreCase((String) typ) || ("application/" + TYPE).equalsIgnoreCase((String) typ))) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, "TYP");
        }
        if (cty != null) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, "NESTED");
        }
        String kid = (String) kidValue;
        JwtKey key = kid == null || kid.length() > 128 ? null : keysAt(now).enabled(kid);
        if (key == null && kid != null && kid.length() <= 128 && remote != null) {
            try {
                key = remote.find(kid);
            } catch (SignerException e) {
                event(AuditEvent.Type.STORE_FAILURE, now, resource, null, null, source, AuditEvent.Outcome.FAILURE,
                        "JWKS_UNAVAILABLE");
                throw e;
            }
        }
        if (key == null || !key.algorithm().name().equals(alg)) {
            return deny(now, resource, null, null, source, DenialReason.UNKNOWN_KEY, "UNKNOWN_KEY");
        }
        byte[] signingInput = new byte[d2];
        for (int i = 0; i < d2; i++) {
            signingInput[i] = (byte) token.charAt(i); // canonical base64url and one dot: ASCII
        }
        boolean signed;
        if (key.hmac()) {
            signed = key.verifyHmac(signingInput, base64url(token, d2 + 1, token.length()));
        } else {
            JWSHeader header;
            try {
                header = JWSHeader.parse(raw, new Base64URL(token.substring(0, d1)));
            } catch (ParseException e) {
                return deny(now, resource, null, null, source, DenialReason.MALFORMED, "HEADER");
            }
            signed = key.verifySignature(header, signingInput, new Base64URL(token.substring(d2 + 1)));
        }
        if (!signed) {
            return deny(now, resource, null, null, source, DenialReason.BAD_SIGNATURE, "BAD_SIGNATURE");
        }
        // From here on the claims are authentic.
        Claims claims = Claims.of(rawClaims);
        if (claims == null) {
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, "CLAIMS");
        }
        String jti = claims.jti;
        String sub = claims.sub;
        if ((sub != null && !Names.isName(sub)) || (jti != null && !Names.isName(jti))) {
            // Authentic, but not a name latch accepts anywhere else: it would reach the verdict,
            // the audit trail and the replay cache's key as given.
            return deny(now, resource, null, null, source, DenialReason.MALFORMED, "CLAIM_TEXT");
        }
        if (!key.issuer().equals(claims.iss)) {
            return deny(now, resource, jti, sub, source, DenialReason.UNKNOWN_KEY, "ISSUER");
        }
        if (claims.exp == null || claims.iat == null || sub == null || (store != null && jti == null)) {
            return deny(now, resource, jti, sub, source, DenialReason.MALFORMED, "MISSING_CLAIM");
        }
        long nowSec = now.getEpochSecond();
        long skewSec = skew.getSeconds();
        long expSec = claims.exp;
        long iatSec = claims.iat;
        if ((claims.nbf != null && nowSec < claims.nbf - skewSec) || iatSec > nowSec + skewSec) {
            return deny(now, resource, jti, sub, source, DenialReason.NOT_YET_VALID, "NOT_YET_VALID");
        }
        if (nowSec >= expSec + skewSec || expSec - iatSec > maxLifetime.getSeconds()) {
            return deny(now, resource, jti, sub, source, DenialReason.EXPIRED, "EXPIRED");
        }
        List<String> aud = claims.aud;
        if (aud == null || !aud.contains(requirement.resource()) || !audiences.contains(requirement.resource())) {
            return deny(now, resource, jti, sub, source, DenialReason.INSUFFICIENT_SCOPE, "AUDIENCE");
        }
        Set<String> scopes = scopes(rawClaims.get("scope"));
        if (scopes == null || !scopes.containsAll(requirement.permissions())) {
            return deny(now, resource, jti, sub, source, DenialReason.INSUFFICIENT_SCOPE, "SCOPE");
        }
        if (store != null) {
            Instant keep = Instant.ofEpochSecond(expSec).plus(skew);
            String cacheKey = "latch-jwt:jti:" + claims.iss + ":" + jti;
            boolean first;
            try {
                first = store.putOnce(cacheKey, keep, now);
            } catch (RuntimeException e) {
                event(AuditEvent.Type.STORE_FAILURE, now, resource, jti, sub, source, AuditEvent.Outcome.FAILURE,
                        e.getClass().getSimpleName());
                throw LatchStoreException.of("a JWT replay check", e);
            }
            if (!first) {
                return deny(now, resource, jti, sub, source, DenialReason.REPLAYED, "REPLAYED");
            }
        }
        event(AuditEvent.Type.OPENED, now, resource, jti, sub, source, AuditEvent.Outcome.SUCCESS, "JWT");
        return new Verdict.Opened(jti == null ? "jwt" : jti, requirement.resource(), sub, scopes, store != null ? 0 : -1,
                false, VerifiedClaims.of(rawClaims));
    }

    /**
     * The registered claims verification reads, typed as RFC 7519 says: {@code iss}, {@code sub}
     * and {@code jti} strings, {@code exp}, {@code iat} and {@code nbf} numbers (seconds; a
     * fraction is dropped), {@code aud} a string or an array of strings. Null from {@link #of} when
     * one has another type.
     */
    private static final class Claims {
        String iss;
        String sub;
        String jti;
        Long exp;
        Long iat;
        Long nbf;
        List<String> aud;

        static Claims of(Map<String, Object> raw) {
            Claims c = new Claims();
            Object v;
            if ((v = raw.get("iss")) != null && !(v instanceof String)
                    || (v = raw.get("sub")) != null && !(v instanceof String)
                    || (v = raw.get("jti")) != null && !(v instanceof String)) {
                return null;
            }
            c.iss = (String) raw.get("iss");
            c.sub = (String) raw.get("sub");
            c.jti = (String) raw.get("jti");
            for (String name : new String[]{"exp", "iat", "nbf"}) {
                v = raw.get(name);
                if (v != null && !(v instanceof Number)) {
                    return null;
                }
            }
            c.exp = seconds(raw.get("exp"));
            c.iat = seconds(raw.get("iat"));
            c.nbf = seconds(raw.get("nbf"));
            v = raw.get("aud");
            if (v instanceof String) {
                c.aud = List.of((String) v);
            } else if (v instanceof List) {
                List<String> out = new java.util.ArrayList<>(((List<?>) v).size());
                for (Object a : (List<?>) v) {
                    if (!(a instanceof String)) {
                        return null;
                    }
                    out.add((String) a);
                }
                c.aud = out;
            } else if (v != null) {
                return null;
            }
            return c;
        }

        private static Long seconds(Object v) {
            return v == null ? null : ((Number) v).longValue();
        }
    }

    private static Set<String> scopes(Object claim) {
        if (claim == null) {
            return Set.of();
        }
        if (!(claim instanceof String)) {
            return null;
        }
        String text = (String) claim;
        List<String> out = new java.util.ArrayList<>(4);
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                if (i > start) {
                    out.add(text.substring(start, i));
                }
                start = i + 1;
            }
        }
        return Set.copyOf(out);
    }

    /** Decodes a segment already checked by {@link #canonical}: alphabet only, no padding, length not 1 mod 4. */
    private static byte[] base64url(String token, int from, int to) {
        int n = to - from;
        byte[] out = new byte[n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1)];
        int o = 0;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int v = sextet(token.charAt(i)) << 18 | sextet(token.charAt(i + 1)) << 12 | sextet(token.charAt(i + 2)) << 6
                    | sextet(token.charAt(i + 3));
            out[o++] = (byte) (v >> 16);
            out[o++] = (byte) (v >> 8);
            out[o++] = (byte) v;
        }
        int rest = to - i;
        if (rest >= 2) {
            int v = sextet(token.charAt(i)) << 18 | sextet(token.charAt(i + 1)) << 12
                    | (rest == 3 ? sextet(token.charAt(i + 2)) << 6 : 0);
            out[o++] = (byte) (v >> 16);
            if (rest == 3) {
                out[o++] = (byte) (v >> 8);
            }
        }
        return out;
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : 63;
    }

    /**
     * A segment in its one canonical base64url form: alphabet only, no padding, and the unused
     * low bits of the last character zero (decoders ignore them, so without this check one
     * signature has several spellings).
     */
    private static boolean canonical(String token, int from, int to) {
        int n = to - from;
        if (n % 4 == 1) {
            return false;
        }
        int last = 0;
        for (int i = from; i < to; i++) {
            char c = token.charAt(i);
            int v;
            if (c >= 'A' && c <= 'Z') {
                v = c - 'A';
            } else if (c >= 'a' && c <= 'z') {
                v = c - 'a' + 26;
            } else if (c >= '0' && c <= '9') {
                v = c - '0' + 52;
            } else if (c == '-') {
                v = 62;
            } else if (c == '_') {
                v = 63;
            } else {
                return false;
            }
            last = v;
        }
        return n % 4 == 0 || (n % 4 == 2 ? (last & 0x0f) == 0 : (last & 0x03) == 0);
    }

    private Verdict deny(Instant now, String resource, String jti, String subject, String source, DenialReason reason,
                         String detail) {
        event(AuditEvent.Type.DENIED, now, resource, jti, subject, source, AuditEvent.Outcome.FAILURE, detail);
        return Verdict.denied(reason);
    }

    private void event(AuditEvent.Type type, Instant time, String latchId, String codeId, String subject, String source,
                       AuditEvent.Outcome outcome, String reason) {
        audit.accept(new AuditEvent(type, time, latchId, codeId, subject, source, outcome, reason));
    }

    @Override
    public String toString() {
        return "SignedJwts[keys=" + (schedule != null ? schedule : keys) + ", remote=" + remote + ", audiences=" + audiences + ", skew=" + skew
                + ", maxLifetime=" + maxLifetime + ", maxSize=" + maxSize + ", store=" + (store != null) + "]";
    }

    /** Builds {@link SignedJwts}; the policy is fixed once built. Not thread-safe. */
    public static final class Builder {
        private final JwtKeySet keys;
        private final JwtKeySchedule schedule;
        private RemoteJwks remote;
        private Clock clock;
        private Set<String> audiences;
        private Duration skew;
        private Duration maxLifetime;
        private int maxSize;
        private LatchStore store;
        private List<AuditSink> sinks;
        private SecureRandom random;

        private Builder(JwtKeySet keys, JwtKeySchedule schedule) {
            this.keys = keys;
            this.schedule = schedule;
        }

        /**
         * @param remote another service's JWK set, consulted for key ids not in the local set
         * @return this
         */
        public Builder remoteKeys(RemoteJwks remote) {
            this.remote = Names.required(remote, "remote");
            return this;
        }

        /**
         * @param clock the clock for iat, nbf and exp; default UTC system clock
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = Names.required(clock, "clock");
            return this;
        }

        /**
         * @param accepted the audiences this verifier accepts (its own identifiers); required to verify
         * @return this
         */
        public Builder audiences(String... accepted) {
            this.audiences = Set.of(accepted);
            return this;
        }

        /**
         * @param skew tolerance on nbf, iat and exp: 0 to 5 minutes; default 60 seconds
         * @return this
         */
        public Builder skew(Duration skew) {
            if (skew.isNegative() || skew.compareTo(MAX_SKEW) > 0) {
                throw new IllegalArgumentException("skew must be 0 to " + MAX_SKEW + ", got " + skew);
            }
            this.skew = skew;
            return this;
        }

        /**
         * @param lifetime longest exp - iat accepted and signed: 1 second to 1 day; default 15 minutes
         * @return this
         */
        public Builder maxLifetime(Duration lifetime) {
            if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("max lifetime must be 1s to 1 day, got " + lifetime);
            }
            this.maxLifetime = lifetime;
            return this;
        }

        /**
         * @param characters largest token accepted, checked before parsing: 256 to 65536; default 8192
         * @return this
         */
        public Builder maxSize(int characters) {
            if (characters < 256 || characters > 65536) {
                throw new IllegalArgumentException("max size must be 256 to 65536, got " + characters);
            }
            this.maxSize = characters;
            return this;
        }

        /**
         * @param store makes every token single-use: its jti is kept until exp plus skew
         * @return this
         */
        public Builder store(LatchStore store) {
            this.store = Names.required(store, "store");
            return this;
        }

        /**
         * @param sinks where audit events go; default {@link dev.latch.Latches#loggingSink()}
         * @return this
         */
        public Builder auditSink(AuditSink... sinks) {
            this.sinks = List.of(sinks);
            return this;
        }

        /**
         * @param random the source of token ids
         * @return this
         */
        public Builder random(SecureRandom random) {
            this.random = Names.required(random, "random");
            return this;
        }

        /**
         * @return the signer and verifier
         * @throws IllegalArgumentException when a key schedule retires keys before the longest token
         *                                  (max lifetime plus skew) they signed has expired
         */
        public SignedJwts build() {
            if (schedule != null) {
                Duration longest = (maxLifetime == null ? DEFAULT_MAX_LIFETIME : maxLifetime).plus(skew == null ? DEFAULT_SKEW : skew);
                if (schedule.retireAfter().compareTo(longest) < 0) {
                    throw new IllegalArgumentException("the schedule retires keys " + schedule.retireAfter()
                            + " after their successor took over, before the longest token they signed expires ("
                            + longest + ": max lifetime plus skew)");
                }
            }
            return new SignedJwts(this);
        }
    }
}
