package dev.latch.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code latch.*} properties. Secrets are never property values: properties name secret ids,
 * and the {@link dev.latch.spi.SecretSource} (environment variables by default) holds the bytes.
 * Only with {@code latch.secrets.allow-plain-values=true} may {@code latch.secrets.values.<id>}
 * carry base64 secrets in the configuration itself (for local development).
 *
 * <pre>{@code
 * latch.pepper.primary=2026-12
 * latch.secrets.env-prefix=LATCH_SECRET_          # LATCH_SECRET_2026_12=<base64>
 * latch.http.resource=orders
 * latch.jwt.issuer=orders
 * latch.jwt.keys[0].id=svc-2026-12
 * latch.http.filter.paths=/api/*
 * latch.http.filter.rules[/api/admin/*]=admin
 * }</pre>
 *
 * <p>Not thread-safe: Spring binds it once at startup.
 */
@ConfigurationProperties(prefix = "latch")
public class LatchProperties {
    /** Whether latch's auto-configuration is on. */
    private boolean enabled = true;
    private final Store store = new Store();
    private final Secrets secrets = new Secrets();
    private final Pepper pepper = new Pepper();
    private final Jwt jwt = new Jwt();
    private final Http http = new Http();
    private final Client client = new Client();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Store getStore() {
        return store;
    }

    public Secrets getSecrets() {
        return secrets;
    }

    public Pepper getPepper() {
        return pepper;
    }

    public Jwt getJwt() {
        return jwt;
    }

    public Http getHttp() {
        return http;
    }

    public Client getClient() {
        return client;
    }

    /** Which store latch keeps its state in. */
    public enum StoreType {
        /** A LatchStore bean if there is one, else JDBC on the DataSource bean, else Redis when latch.store.redis.url is set, else in memory. */
        AUTO,
        /** In this JVM's memory: state is lost on restart and not shared between instances. */
        MEMORY,
        /** latch-redis on latch.store.redis.url. */
        REDIS,
        /** latch-jdbc on the application's DataSource. */
        JDBC
    }

    /** Where secrets come from. */
    public enum SecretSourceType {
        /** Environment variables: the id under env-prefix, upper-cased, '.' and '-' as '_'. */
        ENVIRONMENT,
        /** Files in a directory, one per id (mounted Kubernetes or Docker secrets). */
        DIRECTORY
    }

    /** {@code latch.store.*}. */
    public static class Store {
        /** Which store: auto, memory, redis or jdbc. */
        private StoreType type = StoreType.AUTO;
        private final Redis redis = new Redis();
        private final Jdbc jdbc = new Jdbc();

        public StoreType getType() {
            return type;
        }

        public void setType(StoreType type) {
            this.type = type;
        }

        public Redis getRedis() {
            return redis;
        }

        public Jdbc getJdbc() {
            return jdbc;
        }
    }

    /** {@code latch.store.redis.*}. */
    public static class Redis {
        /** redis:// or rediss:// URL of the server (no password in it: see password-secret). */
        private String url;
        /** Key prefix. */
        private String prefix = "latch";
        /** Command and connect timeout. */
        private Duration timeout = Duration.ofSeconds(1);
        /** ACL user, with password-secret. */
        private String user;
        /** Id of the secret (in the secret source) that holds the password, base64. */
        private String passwordSecret;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getPrefix() {
            return prefix;
        }

        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPasswordSecret() {
            return passwordSecret;
        }

        public void setPasswordSecret(String passwordSecret) {
            this.passwordSecret = passwordSecret;
        }
    }

    /** {@code latch.store.jdbc.*}. */
    public static class Jdbc {
        /** Table and function name prefix. */
        private String tablePrefix = "latch_";
        /** Whether to create the tables and functions at startup (idempotent). */
        private boolean migrate = true;
        /** Statement timeout. */
        private Duration queryTimeout = Duration.ofSeconds(5);

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }

        public boolean isMigrate() {
            return migrate;
        }

        public void setMigrate(boolean migrate) {
            this.migrate = migrate;
        }

        public Duration getQueryTimeout() {
            return queryTimeout;
        }

        public void setQueryTimeout(Duration queryTimeout) {
            this.queryTimeout = queryTimeout;
        }
    }

    /** {@code latch.secrets.*}. */
    public static class Secrets {
        /** Where secrets come from: environment or directory (ignored when the application defines a SecretSource bean). */
        private SecretSourceType source = SecretSourceType.ENVIRONMENT;
        /** Prefix of the environment variables. */
        private String envPrefix = "LATCH_SECRET_";
        /** Directory of secret files, for source=directory. */
        private String directory;
        /** Whether latch.secrets.values may hold secrets in the configuration itself (development only). */
        private boolean allowPlainValues = false;
        /** Secret id to base64 value; refused at startup unless allow-plain-values is true. */
        private Map<String, String> values = new LinkedHashMap<>();

        public SecretSourceType getSource() {
            return source;
        }

        public void setSource(SecretSourceType source) {
            this.source = source;
        }

        public String getEnvPrefix() {
            return envPrefix;
        }

        public void setEnvPrefix(String envPrefix) {
            this.envPrefix = envPrefix;
        }

        public String getDirectory() {
            return directory;
        }

        public void setDirectory(String directory) {
            this.directory = directory;
        }

        public boolean isAllowPlainValues() {
            return allowPlainValues;
        }

        public void setAllowPlainValues(boolean allowPlainValues) {
            this.allowPlainValues = allowPlainValues;
        }

        public Map<String, String> getValues() {
            return values;
        }

        public void setValues(Map<String, String> values) {
            this.values = values;
        }
    }

    /** {@code latch.pepper.*}. */
    public static class Pepper {
        /** Id of the pepper that hashes new codes and keys (required). */
        private String primary;
        /** Ids of older peppers that still verify what they hashed. */
        private List<String> older = new ArrayList<>();

        public String getPrimary() {
            return primary;
        }

        public void setPrimary(String primary) {
            this.primary = primary;
        }

        public List<String> getOlder() {
            return older;
        }

        public void setOlder(List<String> older) {
            this.older = older;
        }
    }

    /** {@code latch.jwt.*}: the service-token signer and verifier. */
    public static class Jwt {
        /** The issuer keys sign for, unless a key names its own. */
        private String issuer;
        /** Audiences accepted; default latch.http.resource. */
        private List<String> audiences = new ArrayList<>();
        /** HMAC keys by secret id; the first one signs. */
        private List<Key> keys = new ArrayList<>();
        /** Longest token lifetime accepted and signed. */
        private Duration maxLifetime = Duration.ofMinutes(15);
        /** Clock skew tolerated on nbf, iat and exp. */
        private Duration skew = Duration.ofSeconds(60);
        /** Whether every token is single-use (its jti kept in the store until it expires). */
        private boolean singleUse = false;

        public String getIssuer() {
            return issuer;
        }

        public void setIssuer(String issuer) {
            this.issuer = issuer;
        }

        public List<String> getAudiences() {
            return audiences;
        }

        public void setAudiences(List<String> audiences) {
            this.audiences = audiences;
        }

        public List<Key> getKeys() {
            return keys;
        }

        public void setKeys(List<Key> keys) {
            this.keys = keys;
        }

        public Duration getMaxLifetime() {
            return maxLifetime;
        }

        public void setMaxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
        }

        public Duration getSkew() {
            return skew;
        }

        public void setSkew(Duration skew) {
            this.skew = skew;
        }

        public boolean isSingleUse() {
            return singleUse;
        }

        public void setSingleUse(boolean singleUse) {
            this.singleUse = singleUse;
        }
    }

    /** {@code latch.jwt.keys[n].*}. */
    public static class Key {
        /** The secret id in the secret source, also the kid tokens carry. */
        private String id;
        /** HS256, HS384 or HS512. */
        private String algorithm = "HS256";
        /** The issuer this key signs for; default latch.jwt.issuer. */
        private String issuer;

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public String getAlgorithm() {
            return algorithm;
        }

        public void setAlgorithm(String algorithm) {
            this.algorithm = algorithm;
        }

        public String getIssuer() {
            return issuer;
        }

        public void setIssuer(String issuer) {
            this.issuer = issuer;
        }
    }

    /** {@code latch.http.*}: authentication of incoming requests. */
    public static class Http {
        /** This service's identifier, the audience service tokens must name; turns HTTP authentication on. */
        private String resource;
        /** Whether latch static API keys authenticate requests. */
        private boolean apiKeys = true;
        /** A header that carries API keys besides Authorization: Bearer, such as X-Api-Key. */
        private String apiKeyHeader;
        /** The realm of the WWW-Authenticate challenge. */
        private String realm = "latch";
        /** Longest credential accepted, in characters. */
        private int maxCredentialLength = 4096;
        private final Filter filter = new Filter();

        public String getResource() {
            return resource;
        }

        public void setResource(String resource) {
            this.resource = resource;
        }

        public boolean isApiKeys() {
            return apiKeys;
        }

        public void setApiKeys(boolean apiKeys) {
            this.apiKeys = apiKeys;
        }

        public String getApiKeyHeader() {
            return apiKeyHeader;
        }

        public void setApiKeyHeader(String apiKeyHeader) {
            this.apiKeyHeader = apiKeyHeader;
        }

        public String getRealm() {
            return realm;
        }

        public void setRealm(String realm) {
            this.realm = realm;
        }

        public int getMaxCredentialLength() {
            return maxCredentialLength;
        }

        public void setMaxCredentialLength(int maxCredentialLength) {
            this.maxCredentialLength = maxCredentialLength;
        }

        public Filter getFilter() {
            return filter;
        }
    }

    /** {@code latch.http.filter.*}: the plain servlet filter, for applications without Spring Security. */
    public static class Filter {
        /** URL patterns the filter guards (servlet mapping syntax); the filter is registered when set. */
        private List<String> paths = new ArrayList<>();
        /** Path (exact, or prefix ending in /*) to the scopes it requires, comma-separated. */
        private Map<String, List<String>> rules = new LinkedHashMap<>();
        /** The filter's order among servlet filters. */
        private int order = 0;

        public List<String> getPaths() {
            return paths;
        }

        public void setPaths(List<String> paths) {
            this.paths = paths;
        }

        public Map<String, List<String>> getRules() {
            return rules;
        }

        public void setRules(Map<String, List<String>> rules) {
            this.rules = rules;
        }

        public int getOrder() {
            return order;
        }

        public void setOrder(int order) {
            this.order = order;
        }
    }

    /** {@code latch.client.*}: service tokens this application sends. */
    public static class Client {
        /** The audience (the called service's resource); turns the token supplier on. */
        private String audience;
        /** The subject tokens name (this service). */
        private String subject;
        /** The scopes tokens carry. */
        private List<String> scopes = new ArrayList<>();
        /** Each token's lifetime. */
        private Duration ttl = Duration.ofMinutes(5);
        /** How long before expiry a token is refreshed. */
        private Duration refreshAhead = Duration.ofSeconds(30);

        public String getAudience() {
            return audience;
        }

        public void setAudience(String audience) {
            this.audience = audience;
        }

        public String getSubject() {
            return subject;
        }

        public void setSubject(String subject) {
            this.subject = subject;
        }

        public List<String> getScopes() {
            return scopes;
        }

        public void setScopes(List<String> scopes) {
            this.scopes = scopes;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }

        public Duration getRefreshAhead() {
            return refreshAhead;
        }

        public void setRefreshAhead(Duration refreshAhead) {
            this.refreshAhead = refreshAhead;
        }
    }
}
