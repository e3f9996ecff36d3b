package dev.latch;

import dev.latch.Condition.IpRange;
import dev.latch.spi.Names;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a stateless signed code (a SAS-style token or a JWT) grants: a resource (a latch id or an
 * audience), a subject, an ordered set of permissions, a validity period, an optional source
 * range and an optional stored-policy id. A {@link dev.latch.spi.CodeSigner} turns a grant
 * into a token and checks tokens against a {@link Requirement}.
 *
 * <pre>{@code
 * Grant grant = Grant.builder("blob:/reports/q3.pdf", "partner-42")
 *         .permissions("r")
 *         .ttl(Duration.ofMinutes(30))
 *         .sourceRange("203.0.113.0/24")
 *         .build();
 * String token = signer.sign(grant);
 * }</pre>
 *
 * <p>Either a ttl (counted from the signer's clock at signing) or an absolute expiry is
 * required. Thread-safe: immutable.
 */
public final class Grant {
    private static final Pattern PERMISSION = Pattern.compile("[A-Za-z0-9:._*-]{1,64}");
    private static final Pattern TOKEN_ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");

    private final String resource;
    private final String subject;
    private final List<String> permissions;
    private final Instant notBefore;
    private final Instant expiresAt;
    private final Duration ttl;
    private final String tokenId;
    private final String sourceRange;
    private final String policyId;
    private final boolean singleUse;

    private Grant(Builder b) {
        this.resource = b.resource;
        this.subject = b.subject;
        this.permissions = List.copyOf(b.permissions);
        this.notBefore = b.notBefore;
        this.expiresAt = b.expiresAt;
        this.ttl = b.ttl;
        this.tokenId = b.tokenId;
        this.sourceRange = b.sourceRange;
        this.policyId = b.policyId;
        this.singleUse = b.singleUse;
    }

    /**
     * @param resource the latch id, resource path or audience, 1 to 256 characters
     * @param subject  who the grant is for
     * @return a builder
     */
    public static Builder builder(String resource, String subject) {
        return new Builder(resource, subject);
    }

    /** @return the resource, latch id or audience */
    public String resource() {
        return resource;
    }

    /** @return who the grant is for */
    public String subject() {
        return subject;
    }

    /** @return the permissions, in the order given, without duplicates */
    public List<String> permissions() {
        return permissions;
    }

    /** @return the start, if any */
    public Optional<Instant> notBefore() {
        return Optional.ofNullable(notBefore);
    }

    /** @return the ttl, when the grant was built with one */
    public Optional<Duration> ttl() {
        return Optional.ofNullable(ttl);
    }

    /**
     * @param now the signer's clock at signing
     * @return the absolute expiry
     */
    public Instant expiresAt(Instant now) {
        return expiresAt != null ? expiresAt : now.plus(ttl);
    }

    /** @return the token id, if one was chosen; signers generate one otherwise */
    public Optional<String> tokenId() {
        return Optional.ofNullable(tokenId);
    }

    /** @return the allowed source range (CIDR or a-b), if any */
    public Optional<String> sourceRange() {
        return Optional.ofNullable(sourceRange);
    }

    /** @return the stored policy this grant belongs to, if any */
    public Optional<String> policyId() {
        return Optional.ofNullable(policyId);
    }

    /** @return whether the token opens only once (needs a store on the verifying side) */
    public boolean singleUse() {
        return singleUse;
    }

    @Override
    public String toString() {
        return "Grant[resource=" + resource + ", subject=" + subject + ", permissions=" + permissions
                + ", notBefore=" + notBefore + ", expiresAt=" + expiresAt + ", ttl=" + ttl + ", tokenId=" + tokenId
                + ", sourceRange=" + sourceRange + ", policyId=" + policyId + ", singleUse=" + singleUse + "]";
    }

    /** Builds a {@link Grant}. Not thread-safe. */
    public static final class Builder {
        private final String resource;
        private final String subject;
        private final LinkedHashSet<String> permissions = new LinkedHashSet<>();
        private Instant notBefore;
        private Instant expiresAt;
        private Duration ttl;
        private String tokenId;
        private String sourceRange;
        private String policyId;
        private boolean singleUse;

        private Builder(String resource, String subject) {
            this.resource = AccessContext.checkText("resource", resource);
            this.subject = AccessContext.checkText("subject", subject);
        }

        /**
         * @param permissions permissions such as {@code r}, {@code w} or {@code deploy:prod}
         * @return this
         */
        public Builder permissions(String... permissions) {
            for (String p : permissions) {
                if (!PERMISSION.matcher(Names.required(p, "permission")).matches()) {
                    throw new IllegalArgumentException("permission must match " + PERMISSION.pattern());
                }
                this.permissions.add(p);
            }
            if (this.permissions.size() > 32) {
                throw new IllegalArgumentException("at most 32 permissions");
            }
            return this;
        }

        /**
         * @param start when the grant starts
         * @return this
         */
        public Builder notBefore(Instant start) {
            this.notBefore = Names.required(start, "start");
            return this;
        }

        /**
         * @param expiry the absolute expiry; replaces a ttl
         * @return this
         */
        public Builder expiresAt(Instant expiry) {
            this.expiresAt = Names.required(expiry, "expiry");
            this.ttl = null;
            return this;
        }

        /**
         * @param ttl lifetime from signing; replaces an absolute expiry
         * @return this
         */
        public Builder ttl(Duration ttl) {
            Names.required(ttl, "ttl");
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be positive, got " + ttl);
            }
            this.ttl = ttl;
            this.expiresAt = null;
            return this;
        }

        /**
         * @param tokenId 8 to 64 characters of base64url; generated by the signer when absent
         * @return this
         */
        public Builder tokenId(String tokenId) {
            if (tokenId == null || !TOKEN_ID.matcher(tokenId).matches()) {
                throw new IllegalArgumentException("token id must match " + TOKEN_ID.pattern());
            }
            this.tokenId = tokenId;
            return this;
        }

        /**
         * @param range an IPv4 or IPv6 CIDR block, a single address, or {@code first-last}
         * @return this
         */
        public Builder sourceRange(String range) {
            this.sourceRange = IpRange.parse(range).toString();
            return this;
        }

        /**
         * @param policyId the stored policy, for revoking or shortening all its tokens at once
         * @return this
         */
        public Builder policyId(String policyId) {
            if (policyId == null || !TOKEN_ID.matcher(policyId).matches()) {
                throw new IllegalArgumentException("policy id must match " + TOKEN_ID.pattern());
            }
            this.policyId = policyId;
            return this;
        }

        /**
         * @param singleUse whether the token opens only once
         * @return this
         */
        public Builder singleUse(boolean singleUse) {
            this.singleUse = singleUse;
            return this;
        }

        /** @return the grant */
        public Grant build() {
            if (expiresAt == null && ttl == null) {
                throw new IllegalArgumentException("a grant needs a ttl or an expiry");
            }
            if (notBefore != null && expiresAt != null && !notBefore.isBefore(expiresAt)) {
                throw new IllegalArgumentException("notBefore " + notBefore + " must be before expiry " + expiresAt);
            }
            return new Grant(this);
        }
    }

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
}
