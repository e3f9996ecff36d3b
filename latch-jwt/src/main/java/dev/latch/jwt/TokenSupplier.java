package dev.latch.jwt;

import dev.latch.Grant;
import dev.latch.SignerException;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The client side of service-to-service calls: hands out a cached token, refreshes it before it
 * expires, and never hands out one that has expired or is about to.
 *
 * <pre>{@code
 * TokenSupplier tokens = TokenSupplier.signing(jwts,
 *         Grant.builder("https://orders.internal", "billing").permissions("orders:read").ttl(Duration.ofMinutes(5)).build());
 * HttpClient http = tokens.wrap(HttpClient.newHttpClient());   // adds Authorization: Bearer to every request
 * http.send(HttpRequest.newBuilder(URI.create("https://orders.internal/orders/7")).build(), BodyHandlers.ofString());
 * }</pre>
 *
 * <p>The rules:
 * <ul>
 *   <li>A token is refreshed {@link Builder#refreshAhead refreshAhead} before it expires (30 s by
 *       default, at most half its lifetime). While it is still good, one caller refreshes and the
 *       others keep the current token without waiting (single flight).</li>
 *   <li>A token with less than {@link Builder#minRemaining minRemaining} left (5 s by default,
 *       time for the request to reach the server) is never handed out: callers wait for the one
 *       refresh in flight.</li>
 *   <li>When the source fails, a still-good token is handed out; otherwise {@link SignerException}.
 *       Callers that waited on a refresh that failed get that failure rather than each trying again.</li>
 *   <li>A source that returns a token that would already be too old is a failure too.</li>
 * </ul>
 * Time is the injected clock's. The token is never logged and never in {@code toString}.
 *
 * <p>Thread-safe.
 */
public final class TokenSupplier implements Supplier<String> {
    /** Default time before expiry at which a token is refreshed. */
    public static final Duration DEFAULT_REFRESH_AHEAD = Duration.ofSeconds(30);
    /** Default least time a handed-out token has left. */
    public static final Duration DEFAULT_MIN_REMAINING = Duration.ofSeconds(5);

    private final Source source;
    private final Clock clock;
    private final Duration refreshAhead;
    private final Duration minRemaining;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Entry current;
    /** Refresh attempts so far (written under the lock), and the failure of the last one (null when it succeeded). */
    private volatile long attempts;
    private RuntimeException lastFailure;

    private TokenSupplier(Builder b) {
        this.source = b.source;
        this.clock = b.clock;
        this.refreshAhead = b.refreshAhead;
        this.minRemaining = b.minRemaining;
    }

    /**
     * A token and when it expires.
     *
     * @param value     the token
     * @param expiresAt when it stops being accepted (its {@code exp}, or earlier)
     *
     * <p>Thread-safe: immutable.
     */
    public record Token(String value, Instant expiresAt) {
        /** Validates. */
        public Token {
            if (value == null || value.isEmpty() || expiresAt == null) {
                throw new IllegalArgumentException("a token needs a value and an expiry");
            }
        }

        @Override
        public String toString() {
            return "Token[value=***, expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * Where tokens come from: minted locally ({@link #signing}) or fetched from a token service.
     * For example {@code () -> new Token(tokenService.fetch(), clock.instant().plusSeconds(300))}.
     *
     * <p>Implementations must be thread-safe; the supplier calls one at a time.
     */
    @FunctionalInterface
    public interface Source {
        /**
         * @return a fresh token
         * @throws RuntimeException when none can be had
         */
        Token fetch();
    }

    /**
     * @param source where tokens come from
     * @return a builder
     */
    public static Builder builder(Source source) {
        if (source == null) {
            throw new IllegalArgumentException("source is required, got null");
        }
        return new Builder(source);
    }

    /**
     * Tokens minted locally by {@code jwts} for {@code grant} (a new {@code jti} each time), on the
     * system UTC clock. The expiry the supplier keeps is the grant's, computed from the whole second
     * before signing, so it is never later than the token's {@code exp}.
     *
     * @param jwts  the signer (its primary key)
     * @param grant what each token grants; its ttl is each token's lifetime
     * @return a builder; set {@link Builder#clock} to the signer's clock if it has its own
     */
    public static Builder signing(SignedJwts jwts, Grant grant) {
        if (jwts == null || grant == null) {
            throw new IllegalArgumentException("jwts and grant are required");
        }
        Builder b = new Builder(null);
        b.source = () -> {
            Instant now = b.clock.instant().truncatedTo(ChronoUnit.SECONDS);
            String token = jwts.sign(grant);
            return new Token(token, grant.expiresAt(now));
        };
        return b;
    }

    /**
     * @return a token with at least {@code minRemaining} left
     * @throws SignerException when no such token can be had (the source failed and the cached token is too old)
     */
    @Override
    public String get() {
        Entry e = current;
        Instant now = clock.instant();
        if (e != null && now.isBefore(e.refreshAt)) {
            return e.token.value();
        }
        long seenAttempts = attempts;
        boolean usable = e != null && now.isBefore(e.useBefore);
        if (usable) {
            if (!lock.tryLock()) {
                return e.token.value();
            }
        } else {
            lock.lock();
        }
        try {
            return refresh(seenAttempts);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops the cached token, so the next {@link #get()} fetches a new one; for example after the
     * server answered 401 {@code invalid_token} (a key rotated early, a token revoked).
     */
    public void invalidate() {
        current = null;
    }

    /**
     * @param request a request
     * @return a copy with {@code Authorization: Bearer <token>} in place of any Authorization header
     * @throws SignerException when no token can be had
     */
    public HttpRequest authorize(HttpRequest request) {
        if (request == null) {
            throw new IllegalArgumentException("request is required, got null");
        }
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Authorization"))
                .header("Authorization", "Bearer " + get()).build();
    }

    /**
     * @param client an HTTP client
     * @return a client that sends every request through {@link #authorize}; everything else is the client's
     */
    public HttpClient wrap(HttpClient client) {
        if (client == null) {
            throw new IllegalArgumentException("client is required, got null");
        }
        return new Authorizing(client, this);
    }

    /**
     * Under the lock: when another caller refreshed while this one waited, its result (its token,
     * or its failure when no good token is left); otherwise one fetch.
     */
    private String refresh(long seenAttempts) {
        Entry e = current;
        Instant now = clock.instant();
        if (attempts != seenAttempts) {
            if (e != null && now.isBefore(e.useBefore)) {
                return e.token.value();
            }
            if (lastFailure != null) {
                return fallback(e, now, lastFailure);
            }
        } else if (e != null && now.isBefore(e.refreshAt)) {
            return e.token.value();
        }
        attempts++;
        try {
            Token fresh = source.fetch();
            Instant fetched = clock.instant();
            if (fresh == null) {
                throw new SignerException("the token source returned no token");
            }
            Entry next = new Entry(fresh, fetched, refreshAhead, minRemaining);
            if (!fetched.isBefore(next.useBefore)) {
                throw new SignerException("the token source returned a token that expires too soon");
            }
            current = next;
            lastFailure = null;
            return fresh.value();
        } catch (RuntimeException ex) {
            lastFailure = ex;
            return fallback(current, clock.instant(), ex);
        }
    }

    private static String fallback(Entry e, Instant now, RuntimeException failure) {
        if (e != null && now.isBefore(e.useBefore)) {
            return e.token.value();
        }
        if (failure instanceof SignerException s) {
            throw s;
        }
        throw new SignerException("no service token: the token source failed (" + failure.getClass().getSimpleName() + ")",
                failure);
    }

    @Override
    public String toString() {
        Entry e = current;
        return "TokenSupplier[refreshAhead=" + refreshAhead + ", minRemaining=" + minRemaining
                + (e == null ? ", no token" : ", token expires " + e.token.expiresAt()) + "]";
    }

    private static final class Entry {
        final Token token;
        final Instant refreshAt;
        final Instant useBefore;

        Entry(Token token, Instant fetched, Duration refreshAhead, Duration minRemaining) {
            this.token = token;
            this.useBefore = token.expiresAt().minus(minRemaining);
            Duration lifetime = Duration.between(fetched, token.expiresAt());
            Duration ahead = refreshAhead.compareTo(lifetime.dividedBy(2)) > 0 ? lifetime.dividedBy(2) : refreshAhead;
            Instant at = token.expiresAt().minus(ahead);
            this.refreshAt = at.isAfter(useBefore) ? useBefore : at;
        }
    }

    /** Builds a {@link TokenSupplier}. Not thread-safe. */
    public static final class Builder {
        private Source source;
        private Clock clock = Clock.systemUTC();
        private Duration refreshAhead = DEFAULT_REFRESH_AHEAD;
        private Duration minRemaining = DEFAULT_MIN_REMAINING;

        private Builder(Source source) {
            this.source = source;
        }

        /**
         * @param clock the clock that decides when a token is too old; default UTC system clock
         * @return this
         */
        public Builder clock(Clock clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock is required, got null");
            }
            this.clock = clock;
            return this;
        }

        /**
         * @param ahead how long before expiry a token is refreshed: 0 to 1 hour (at most half the
         *              token's lifetime is used); default 30 s
         * @return this
         */
        public Builder refreshAhead(Duration ahead) {
            if (ahead == null || ahead.isNegative() || ahead.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("refreshAhead must be 0 to 1 hour");
            }
            this.refreshAhead = ahead;
            return this;
        }

        /**
         * @param remaining the least time a handed-out token has before it expires: 0 to 5 minutes; default 5 s
         * @return this
         */
        public Builder minRemaining(Duration remaining) {
            if (remaining == null || remaining.isNegative() || remaining.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("minRemaining must be 0 to 5 minutes");
            }
            this.minRemaining = remaining;
            return this;
        }

        /** @return the supplier; it fetches its first token on first use */
        public TokenSupplier build() {
            return new TokenSupplier(this);
        }
    }

    /** An HttpClient that authorizes each request, and is otherwise its delegate. */
    private static final class Authorizing extends HttpClient {
        private final HttpClient client;
        private final TokenSupplier tokens;

        Authorizing(HttpClient client, TokenSupplier tokens) {
            this.client = client;
            this.tokens = tokens;
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return client.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return client.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return client.followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return client.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return client.sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return client.sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return client.authenticator();
        }

        @Override
        public Version version() {
            return client.version();
        }

        @Override
        public Optional<Executor> executor() {
            return client.executor();
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            return client.send(tokens.authorize(request), handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            return client.sendAsync(tokens.authorize(request), handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                                HttpResponse.PushPromiseHandler<T> push) {
            return client.sendAsync(tokens.authorize(request), handler, push);
        }

        @Override
        public String toString() {
            return "Authorizing[" + client + "]";
        }
    }
}
