package dev.latch.servlet;

import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.Grant.Requirement;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.spi.AuditSink;
import dev.latch.spi.CodeSigner;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Authenticates an HTTP request by its latch credential: a static API key or a service token,
 * presented as an RFC 6750 bearer credential ({@code Authorization: Bearer <credential>}) or, for
 * API keys, in a header of your choice. The answer is either the {@link LatchPrincipal} or the
 * failure with its status and {@code WWW-Authenticate} challenge. Independent of any framework:
 * {@link LatchAuthFilter} and the Spring Boot starter's Spring Security integration use it.
 *
 * <pre>{@code
 * HttpAuthenticator auth = HttpAuthenticator.builder("https://orders.internal")
 *         .apiKeys(latches)            // static keys, checked by Latches.authenticate
 *         .tokens(signedJwts)          // service tokens; the resource is their required audience
 *         .build();
 * HttpAuthenticator.Result r = auth.authenticate(List.of("Bearer " + key), List.of(), "203.0.113.7");
 * }</pre>
 *
 * <p>The rules, in order:
 * <ul>
 *   <li>no bearer credential (no {@code Authorization} header, or one of another scheme, and no
 *       API key header): {@link Error#MISSING}, 401 with a challenge that carries no error code;</li>
 *   <li>more than one {@code Authorization} header, more than one API key header, both at once, a
 *       value that is empty, longer than the limit (4096 characters by default), or not a
 *       {@code b64token} (RFC 6750: ASCII letters, digits and {@code -._~+/}, then {@code =}
 *       padding), or anything after it: {@link Error#INVALID_REQUEST}, 401 (RFC 6750 allows 400;
 *       latch answers 401 so every credential problem looks alike), audited {@code MALFORMED}
 *       with the client address and nothing of the value;</li>
 *   <li>a credential latch refuses (wrong, expired, revoked, tampered, replayed, wrong audience):
 *       {@link Error#INVALID_TOKEN}, 401; latch's own audit event has the reason and the client
 *       address;</li>
 *   <li>an authenticated credential without a required scope ({@link #requireScopes}):
 *       {@link Error#INSUFFICIENT_SCOPE}, 403, with the required scopes in the challenge.</li>
 * </ul>
 * A credential with a {@code .} goes to the token verifier, any other to the key check (when only
 * one of them is configured, it gets every credential). A failing store or signer is not a
 * failure of the credential: its {@link dev.latch.LatchException} propagates, and
 * {@link LatchAuthFilter} answers 503. Responses never say more than the error code.
 *
 * <p>Thread-safe: immutable.
 */
public final class HttpAuthenticator {
    /** Default longest credential, in characters. */
    public static final int DEFAULT_MAX_LENGTH = 4096;
    /** Default realm of the challenge. */
    public static final String DEFAULT_REALM = "latch";
    private static final String CONTEXT_SUBJECT = "http";

    private final String resource;
    private final Latches apiKeys;
    private final CodeSigner tokens;
    private final String apiKeyHeader;
    private final String realm;
    private final int maxLength;
    private final AuditSink audit;
    private final Clock clock;
    private final Requirement requirement;

    private HttpAuthenticator(Builder b) {
        this.resource = b.resource;
        this.apiKeys = b.apiKeys;
        this.tokens = b.tokens;
        this.apiKeyHeader = b.apiKeyHeader;
        this.realm = b.realm;
        this.maxLength = b.maxLength;
        this.audit = b.audit != null ? b.audit : Latches.loggingSink();
        this.clock = b.clock != null ? b.clock : b.apiKeys != null ? b.apiKeys.clock() : Clock.systemUTC();
        this.requirement = Requirement.of(resource);
    }

    /**
     * @param resource this service's identifier: the audience service tokens must name
     * @return a builder
     * @throws IllegalArgumentException when the resource is null, empty or not a latch name
     */
    public static Builder builder(String resource) {
        return new Builder(resource);
    }

    /** @return the header that carries API keys besides {@code Authorization}, or null */
    public String apiKeyHeader() {
        return apiKeyHeader;
    }

    /** @return the service's identifier (the required token audience) */
    public String resource() {
        return resource;
    }

    /**
     * Authenticates one request.
     *
     * @param authorization the values of every {@code Authorization} header (empty when none; null is empty)
     * @param apiKey        the values of every API key header (empty when none or not configured; null is empty)
     * @param clientAddress the client's IP address literal, for the audit trail (null or unparsable: none)
     * @return the principal, or why not
     * @throws dev.latch.LatchException when the store or signer fails (fail closed)
     */
    public Result authenticate(List<String> authorization, List<String> apiKey, String clientAddress) {
        List<String> auth = authorization == null ? List.of() : authorization;
        List<String> keys = apiKey == null || apiKeyHeader == null ? List.of() : apiKey;
        String bearer = null;
        if (auth.size() > 1 || keys.size() > 1) {
            return malformed(clientAddress);
        }
        if (auth.size() == 1) {
            String value = auth.get(0);
            if (value == null) {
                return malformed(clientAddress);
            }
            int sp = value.indexOf(' ');
            String scheme = sp < 0 ? value : value.substring(0, sp);
            if ("Bearer".equalsIgnoreCase(scheme)) {
                int start = sp < 0 ? value.length() : sp;
                while (start < value.length() && value.charAt(start) == ' ') {
                    start++;
                }
                bearer = value.substring(start);
                if (!b64token(bearer)) {
                    return malformed(clientAddress);
                }
            }
        }
        if (keys.size() == 1) {
            if (bearer != null || !b64token(keys.get(0))) {
                return malformed(clientAddress);
            }
            return check(keys.get(0), false, clientAddress);
        }
        if (bearer == null) {
            return Result.MISSING;
        }
        return check(bearer, true, clientAddress);
    }

    /**
     * @param principal an authenticated principal
     * @param required  the scopes the request needs (none: always allowed)
     * @return null when the principal has them all, else the {@link Error#INSUFFICIENT_SCOPE} failure
     */
    public Result.Failure requireScopes(LatchPrincipal principal, Set<String> required) {
        if (required.isEmpty() || principal.scopes().containsAll(required)) {
            return null;
        }
        return new Result.Failure(Error.INSUFFICIENT_SCOPE, required);
    }

    /**
     * @param failure a failure from this authenticator
     * @return the {@code WWW-Authenticate} value: {@code Bearer realm="..."} plus the error code,
     *         and for a missing scope the required scopes
     */
    public String challenge(Result.Failure failure) {
        StringBuilder out = new StringBuilder("Bearer realm=\"").append(realm).append('"');
        if (failure.error() != Error.MISSING) {
            out.append(", error=\"").append(failure.error().code()).append('"');
        }
        if (failure.error() == Error.INSUFFICIENT_SCOPE && !failure.requiredScopes().isEmpty()) {
            out.append(", scope=\"").append(String.join(" ", new TreeSet<>(failure.requiredScopes()))).append('"');
        }
        return out.toString();
    }

    private Result check(String credential, boolean bearer, String clientAddress) {
        AccessContext context = context(clientAddress);
        boolean token = tokens != null && (apiKeys == null || (bearer && credential.indexOf('.') >= 0));
        Verdict v = token ? tokens.verify(credential, requirement, context) : apiKeys.authenticate(credential, context);
        if (!(v instanceof Verdict.Opened o)) {
            return Result.INVALID_TOKEN;
        }
        return new Result.Authenticated(new LatchPrincipal(o.subject(), o.scopes(),
                token ? LatchPrincipal.Kind.SERVICE_TOKEN : LatchPrincipal.Kind.API_KEY, o.codeId()));
    }

    private Result malformed(String clientAddress) {
        AccessContext context = context(clientAddress);
        audit.accept(new AuditEvent(AuditEvent.Type.DENIED, clock.instant(), resource, null, null,
                context.source().orElse(null), AuditEvent.Outcome.FAILURE, "MALFORMED"));
        return Result.INVALID_REQUEST;
    }

    private static AccessContext context(String clientAddress) {
        if (clientAddress != null && clientAddress.length() <= 64) {
            try {
                return AccessContext.builder(CONTEXT_SUBJECT).source(clientAddress).build();
            } catch (IllegalArgumentException e) {
                // not an address literal (a proxy's name, a unix socket): no source
            }
        }
        return AccessContext.of(CONTEXT_SUBJECT);
    }

    private boolean b64token(String s) {
        int n = s.length();
        if (n == 0 || n > maxLength) {
            return false;
        }
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~' || c == '+' || c == '/') {
                i++;
            } else {
                break;
            }
        }
        if (i == 0) {
            return false;
        }
        while (i < n && s.charAt(i) == '=') {
            i++;
        }
        return i == n;
    }

    @Override
    public String toString() {
        return "HttpAuthenticator[resource=" + resource + ", apiKeys=" + (apiKeys != null) + ", tokens="
                + (tokens != null) + ", apiKeyHeader=" + apiKeyHeader + ", realm=" + realm + "]";
    }

    /**
     * Why a request did not authenticate, as RFC 6750 names it. For example
     * {@code response.setStatus(error.status())}.
     *
     * <p>Thread-safe: an enum.
     */
    public enum Error {
        /** No bearer credential: 401, challenge without an error code. */
        MISSING(401, null),
        /** Doubled, empty, oversized or ill-formed credentials: 401 {@code invalid_request}. */
        INVALID_REQUEST(401, "invalid_request"),
        /** A credential latch refused: 401 {@code invalid_token}. */
        INVALID_TOKEN(401, "invalid_token"),
        /** Authenticated, but without a required scope: 403 {@code insufficient_scope}. */
        INSUFFICIENT_SCOPE(403, "insufficient_scope");

        private final int status;
        private final String code;

        Error(int status, String code) {
            this.status = status;
            this.code = code;
        }

        /** @return the HTTP status */
        public int status() {
            return status;
        }

        /** @return the RFC 6750 error code, or null for {@link #MISSING} */
        public String code() {
            return code;
        }
    }

    /**
     * The answer for one request. For example
     * {@code if (r instanceof Result.Authenticated a) handle(a.principal());}
     *
     * <p>Thread-safe: immutable.
     */
    public sealed interface Result permits Result.Authenticated, Result.Failure {
        /** The answer to a request without a bearer credential. */
        Failure MISSING = new Failure(Error.MISSING, Set.of());
        /** The answer to doubled, empty, oversized or ill-formed credentials. */
        Failure INVALID_REQUEST = new Failure(Error.INVALID_REQUEST, Set.of());
        /** The answer to a refused credential. */
        Failure INVALID_TOKEN = new Failure(Error.INVALID_TOKEN, Set.of());

        /**
         * Authenticated.
         *
         * @param principal who
         */
        record Authenticated(LatchPrincipal principal) implements Result {
        }

        /**
         * Not authenticated, or not allowed.
         *
         * @param error          why, with its status
         * @param requiredScopes for {@link Error#INSUFFICIENT_SCOPE}, the scopes required
         */
        record Failure(Error error, Set<String> requiredScopes) implements Result {
            /** Validates and copies. */
            public Failure {
                if (error == null) {
                    throw new IllegalArgumentException("error is required");
                }
                requiredScopes = Set.copyOf(requiredScopes);
            }
        }
    }

    /** Builds an {@link HttpAuthenticator}. Not thread-safe. */
    public static final class Builder {
        private final String resource;
        private Latches apiKeys;
        private CodeSigner tokens;
        private String apiKeyHeader;
        private String realm = DEFAULT_REALM;
        private int maxLength = DEFAULT_MAX_LENGTH;
        private AuditSink audit;
        private Clock clock;

        private Builder(String resource) {
            if (resource == null || !dev.latch.spi.Names.isName(resource)) {
                throw new IllegalArgumentException("resource must be a latch name (1 to 256 characters, no control characters)");
            }
            this.resource = resource;
        }

        /**
         * @param latches checks static API keys ({@link Latches#authenticate})
         * @return this
         */
        public Builder apiKeys(Latches latches) {
            this.apiKeys = required(latches, "latches");
            return this;
        }

        /**
         * @param signer verifies service tokens with this service's {@link #resource()} as the
         *               required audience, such as latch-jwt's {@code SignedJwts}
         * @return this
         */
        public Builder tokens(CodeSigner signer) {
            this.tokens = required(signer, "signer");
            return this;
        }

        /**
         * @param name a header that carries an API key as its whole value, such as {@code X-Api-Key}
         *             (besides {@code Authorization: Bearer}); an HTTP token of 1 to 64 characters
         * @return this
         */
        public Builder apiKeyHeader(String name) {
            if (name == null || !name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}") || name.equalsIgnoreCase("Authorization")) {
                throw new IllegalArgumentException("the API key header must be an HTTP header name other than Authorization");
            }
            this.apiKeyHeader = name;
            return this;
        }

        /**
         * @param realm the challenge's realm: 1 to 64 of letters, digits, space, {@code . _ -}; default {@value #DEFAULT_REALM}
         * @return this
         */
        public Builder realm(String realm) {
            if (realm == null || !realm.matches("[A-Za-z0-9 ._-]{1,64}")) {
                throw new IllegalArgumentException("realm must be 1 to 64 of letters, digits, space, '.', '_' and '-'");
            }
            this.realm = realm;
            return this;
        }

        /**
         * @param characters the longest credential accepted, checked before anything else: 64 to 16384; default 4096
         * @return this
         */
        public Builder maxLength(int characters) {
            if (characters < 64 || characters > 16384) {
                throw new IllegalArgumentException("max length must be 64 to 16384, got " + characters);
            }
            this.maxLength = characters;
            return this;
        }

        /**
         * @param sink where the events of malformed requests go; default {@link Latches#loggingSink()}
         *             (latch's own checks audit through their own sinks)
         * @return this
         */
        public Builder auditSink(AuditSink sink) {
            this.audit = required(sink, "sink");
            return this;
        }

        /**
         * @param clock the time of the events of malformed requests; default the API keys' clock, else UTC
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = required(clock, "clock");
            return this;
        }

        /**
         * @return the authenticator
         * @throws IllegalStateException when neither API keys nor tokens are configured
         */
        public HttpAuthenticator build() {
            if (apiKeys == null && tokens == null) {
                throw new IllegalStateException("configure apiKeys(latches), tokens(signer) or both");
            }
            return new HttpAuthenticator(this);
        }

        private static <T> T required(T value, String name) {
            if (value == null) {
                throw new IllegalArgumentException(name + " is required, got null");
            }
            return value;
        }
    }
}
