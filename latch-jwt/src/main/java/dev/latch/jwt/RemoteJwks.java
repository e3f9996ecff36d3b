package dev.latch.jwt;

import dev.latch.spi.Names;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import dev.latch.SignerException;

import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Another service's JWK set, fetched over HTTP(S) through Nimbus's JWK source, with caching,
 * rate-limited refresh and timeouts, all set here (no system properties). Keys are bound to the
 * given issuer. When the endpoint is down, keys already cached are used until their cache time
 * to live ends; after that, verification fails closed with a {@link SignerException}.
 *
 * <pre>{@code
 * RemoteJwks svcA = RemoteJwks.builder(URI.create("https://svc-a.internal/.well-known/jwks.json"), "https://svc-a.internal")
 *         .cacheTtl(Duration.ofMinutes(5)).minRefreshInterval(Duration.ofSeconds(30))
 *         .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).build();
 * }</pre>
 *
 * <p>The cache runs on the system clock, not the injected one (it is about network freshness,
 * not token validity). Thread-safe: immutable; the underlying source is thread-safe.
 */
public final class RemoteJwks {
    private final URI uri;
    private final String issuer;
    private final JWKSource<SecurityContext> source;
    private final String description;

    private RemoteJwks(Builder b) {
        this.uri = b.uri;
        this.issuer = b.issuer;
        DefaultResourceRetriever retriever = new DefaultResourceRetriever((int) b.connectTimeout.toMillis(),
                (int) b.readTimeout.toMillis(), b.sizeLimit);
        try {
            this.source = JWKSourceBuilder.create(b.uri.toURL(), retriever)
                    .cache(b.cacheTtl.toMillis(), b.readTimeout.plus(b.connectTimeout).toMillis())
                    .refreshAheadCache(false)
                    .rateLimited(b.minRefreshInterval.toMillis())
                    .retrying(false)
                    .outageTolerant(false)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("the JWKS URI is not a URL");
        }
        this.description = "RemoteJwks[" + uri + ", issuer=" + issuer + ", ttl=" + b.cacheTtl + "]";
    }

    /**
     * @param uri    the JWKS URL (http or https)
     * @param issuer the issuer its keys are bound to
     * @return a builder: cache 5 minutes, refresh at most every 30 seconds, 2-second timeouts, 64 KB
     */
    public static Builder builder(URI uri, String issuer) {
        return new Builder(uri, issuer);
    }

    /** @return the issuer */
    public String issuer() {
        return issuer;
    }

    /**
     * @param kid a key id from a token header
     * @return the enabled verifying key, or null when the set has none with that id
     * @throws SignerException when the set cannot be fetched and nothing usable is cached
     */
    JwtKey find(String kid) {
        List<JWK> found;
        try {
            found = source.get(new JWKSelector(new JWKMatcher.Builder().keyID(kid).build()), null);
        } catch (KeySourceException e) {
            throw new SignerException("JWK set of " + issuer + " could not be fetched (" + e.getClass().getSimpleName() + ")", e);
        }
        return found.isEmpty() ? null : JwtKeySet.fromJwks(found, issuer).enabled(kid);
    }

    @Override
    public String toString() {
        return description;
    }

    /** Builds a {@link RemoteJwks}. Not thread-safe. */
    public static final class Builder {
        private final URI uri;
        private final String issuer;
        private Duration cacheTtl = Duration.ofMinutes(5);
        private Duration minRefreshInterval = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration readTimeout = Duration.ofSeconds(2);
        private int sizeLimit = 64 * 1024;

        private Builder(URI uri, String issuer) {
            this.uri = Names.required(uri, "uri");
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("the JWKS URL must be http or https");
            }
            if (issuer == null || issuer.isBlank()) {
                throw new IllegalArgumentException("remote keys are bound to an issuer");
            }
            this.issuer = issuer;
        }

        /**
         * @param ttl how long fetched keys are used, 1 second to 1 day
         * @return this
         */
        public Builder cacheTtl(Duration ttl) {
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("cache ttl must be 1s to 1 day, got " + ttl);
            }
            this.cacheTtl = ttl;
            return this;
        }

        /**
         * @param interval least time between two fetches (an unknown kid triggers one), at most the ttl
         * @return this
         */
        public Builder minRefreshInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("refresh interval must not be negative");
            }
            this.minRefreshInterval = interval;
            return this;
        }

        /**
         * @param connect connect timeout, 1 ms to 30 s
         * @param read    read timeout, 1 ms to 30 s
         * @return this
         */
        public Builder timeouts(Duration connect, Duration read) {
            for (Duration d : new Duration[]{connect, read}) {
                if (d.toMillis() < 1 || d.compareTo(Duration.ofSeconds(30)) > 0) {
                    throw new IllegalArgumentException("timeouts must be 1 ms to 30 s, got " + d);
                }
            }
            this.connectTimeout = connect;
            this.readTimeout = read;
            return this;
        }

        /**
         * @param bytes largest JWK set accepted, 1 KB to 1 MB
         * @return this
         */
        public Builder sizeLimit(int bytes) {
            if (bytes < 1024 || bytes > 1 << 20) {
                throw new IllegalArgumentException("size limit must be 1 KB to 1 MB, got " + bytes);
            }
            this.sizeLimit = bytes;
            return this;
        }

        /** @return the remote key source */
        public RemoteJwks build() {
            if (minRefreshInterval.compareTo(cacheTtl) > 0) {
                throw new IllegalArgumentException("refresh interval " + minRefreshInterval + " exceeds cache ttl " + cacheTtl);
            }
            return new RemoteJwks(this);
        }
    }
}
