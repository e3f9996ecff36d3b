package dev.latch.spring;

import dev.latch.Grant;
import dev.latch.Latches;
import dev.latch.jwt.JwtAlgorithm;
import dev.latch.jwt.JwtKey;
import dev.latch.jwt.JwtKeySet;
import dev.latch.jwt.SignedJwts;
import dev.latch.jwt.TokenSupplier;
import dev.latch.micrometer.LatchMetrics;
import dev.latch.servlet.HttpAuthenticator;
import dev.latch.servlet.LatchAuthFilter;
import dev.latch.spi.AuditSink;
import dev.latch.spi.LatchStore;
import dev.latch.spi.SecretSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

import org.springframework.beans.factory.annotation.Qualifier;

import java.net.URI;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Auto-configuration of latch from {@code latch.*} properties ({@link LatchProperties}): the
 * {@link SecretSource}, the {@link LatchStore}, {@link Latches}, the service-token
 * {@link SignedJwts}, the {@link HttpAuthenticator} with its servlet filter or Spring Security
 * integration, the client {@link TokenSupplier} and the Micrometer meters. Each bean backs off
 * when the application defines its own.
 *
 * <pre>{@code
 * // application.properties
 * latch.pepper.primary=2026-12          # the pepper's bytes: environment variable LATCH_SECRET_2026_12 (base64)
 * latch.http.resource=orders
 * }</pre>
 *
 * <p>The store ({@code latch.store.type=auto}): a {@code LatchStore} bean if the application has
 * one; else latch-jdbc on the application's {@code DataSource} when both are present; else
 * latch-redis when {@code latch.store.redis.url} is set; else in memory, with a warning that
 * state then lives in one JVM. A store type that cannot be built fails startup with a message
 * that says why. Thread-safe: Spring calls it once, at startup.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnProperty(prefix = "latch", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(LatchProperties.class)
public class LatchAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(LatchAutoConfiguration.class);

    /**
     * @param props the properties
     * @return the secret source the properties name
     */
    @Bean
    @ConditionalOnMissingBean
    public SecretSource latchSecretSource(LatchProperties props) {
        LatchProperties.Secrets s = props.getSecrets();
        SecretSource base = switch (s.getSource()) {
            case ENVIRONMENT -> SecretSource.environment(s.getEnvPrefix());
            case DIRECTORY -> {
                if (s.getDirectory() == null || s.getDirectory().isBlank()) {
                    throw new IllegalStateException("latch.secrets.source=directory needs latch.secrets.directory");
                }
                yield SecretSource.directory(Path.of(s.getDirectory()));
            }
        };
        if (s.getValues().isEmpty()) {
            return base;
        }
        if (!s.isAllowPlainValues()) {
            throw new IllegalStateException("latch.secrets.values holds secrets in the configuration, which is refused: "
                    + "put them in the secret source (" + s.getSource().name().toLowerCase() + "), or set "
                    + "latch.secrets.allow-plain-values=true for local development");
        }
        log.warn("latch secrets come from configuration values (latch.secrets.allow-plain-values=true): for development only");
        Map<String, String> byVariable = new HashMap<>();
        s.getValues().forEach((id, value) -> byVariable.put("PLAIN_" + id.toUpperCase().replace('.', '_').replace('-', '_'), value));
        SecretSource plain = SecretSource.variables(byVariable, "PLAIN_");
        return id -> plain.secret(id).or(() -> base.secret(id));
    }

    /**
     * @param props      the properties
     * @param secrets    the secret source (for the Redis password)
     * @param dataSource the application's DataSource, when it has one
     * @return the store {@code latch.store.type} selects
     */
    @Bean
    @ConditionalOnMissingBean
    public LatchStore latchStore(LatchProperties props, SecretSource secrets,
                                 ObjectProvider<javax.sql.DataSource> dataSource) {
        LatchProperties.Store s = props.getStore();
        boolean jdbc = ClassUtils.isPresent("dev.latch.jdbc.JdbcLatchStore", getClass().getClassLoader());
        boolean redis = ClassUtils.isPresent("dev.latch.redis.RedisLatchStore", getClass().getClassLoader());
        javax.sql.DataSource ds = dataSource.getIfAvailable();
        switch (s.getType()) {
            case MEMORY:
                return memory();
            case JDBC:
                if (!jdbc) {
                    throw new IllegalStateException("latch.store.type=jdbc needs dev.latch:latch-jdbc on the class path");
                }
                if (ds == null) {
                    throw new IllegalStateException("latch.store.type=jdbc needs a DataSource bean");
                }
                return JdbcStores.create(ds, s.getJdbc());
            case REDIS:
                if (!redis) {
                    throw new IllegalStateException("latch.store.type=redis needs dev.latch:latch-redis on the class path");
                }
                if (s.getRedis().getUrl() == null) {
                    throw new IllegalStateException("latch.store.type=redis needs latch.store.redis.url");
                }
                return RedisStores.create(s.getRedis(), secrets);
            default:
                if (jdbc && ds != null) {
                    return JdbcStores.create(ds, s.getJdbc());
                }
                if (redis && s.getRedis().getUrl() != null) {
                    return RedisStores.create(s.getRedis(), secrets);
                }
                return memory();
        }
    }

    private static LatchStore memory() {
        log.warn("latch keeps its state in this JVM's memory: codes, keys and approvals are lost on restart and not "
                + "shared between instances; add latch-jdbc with a DataSource or latch-redis with latch.store.redis.url");
        return Latches.inMemoryStore();
    }

    /**
     * @return the executor of latch's reminders and escalations: one daemon thread, shut down with
     *         the application context (so no thread outlives the web application)
     */
    @Bean(name = "latchSchedulerExecutor", destroyMethod = "shutdownNow")
    @ConditionalOnMissingBean(name = "latchSchedulerExecutor")
    public ScheduledExecutorService latchSchedulerExecutor() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "latch-scheduler");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /**
     * @param props    the properties
     * @param store    the store
     * @param secrets  the secret source (peppers)
     * @param executor runs reminders and escalations
     * @param sinks   the application's audit sinks (default: the logging sink)
     * @param metrics the meters, when Micrometer is present
     * @return the latches
     */
    @Bean
    @ConditionalOnMissingBean
    public Latches latches(LatchProperties props, LatchStore store, SecretSource secrets,
                           @Qualifier("latchSchedulerExecutor") ScheduledExecutorService executor,
                           ObjectProvider<AuditSink> sinks, ObjectProvider<LatchMetricsHolder> metrics) {
        String primary = props.getPepper().getPrimary();
        if (primary == null || primary.isBlank()) {
            throw new IllegalStateException("latch.pepper.primary is required: the id of the pepper (in the secret source) "
                    + "that hashes codes and keys at rest");
        }
        List<AuditSink> all = auditSinks(sinks, metrics);
        LatchMetricsHolder m = metrics.getIfAvailable();
        return Latches.builder()
                .store(m == null ? store : m.metrics.timed(store))
                .peppers(secrets, primary, props.getPepper().getOlder().toArray(String[]::new))
                .auditSink(all.toArray(AuditSink[]::new))
                .scheduler(Latches.scheduler(executor, Clock.systemUTC()))
                .build();
    }

    private static List<AuditSink> auditSinks(ObjectProvider<AuditSink> sinks, ObjectProvider<LatchMetricsHolder> metrics) {
        List<AuditSink> all = new ArrayList<>(sinks.orderedStream().toList());
        if (all.isEmpty()) {
            all.add(Latches.loggingSink());
        }
        LatchMetricsHolder m = metrics.getIfAvailable();
        if (m != null) {
            all.add(m.metrics);
        }
        return all;
    }

    /**
     * @param props   the properties
     * @param secrets the secret source (HMAC keys)
     * @param store   the store (jti single use)
     * @param sinks   the application's audit sinks
     * @param metrics the meters, when Micrometer is present
     * @return the service-token signer and verifier, when {@code latch.jwt.keys} is set
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "latch.jwt", name = "issuer")
    public SignedJwts latchJwts(LatchProperties props, SecretSource secrets, LatchStore store,
                                ObjectProvider<AuditSink> sinks, ObjectProvider<LatchMetricsHolder> metrics) {
        LatchProperties.Jwt j = props.getJwt();
        if (j.getKeys().isEmpty()) {
            throw new IllegalStateException("latch.jwt.issuer is set but latch.jwt.keys is empty: name at least one key "
                    + "id (latch.jwt.keys[0].id), whose secret is in the secret source");
        }
        List<JwtKey> keys = new ArrayList<>();
        for (LatchProperties.Key k : j.getKeys()) {
            String issuer = k.getIssuer() != null ? k.getIssuer() : j.getIssuer();
            if (issuer == null) {
                throw new IllegalStateException("latch.jwt.issuer (or the key's issuer) is required for key " + k.getId());
            }
            JwtAlgorithm alg;
            try {
                alg = JwtAlgorithm.valueOf(k.getAlgorithm());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("latch.jwt.keys: unknown algorithm for key " + k.getId()
                        + " (HS256, HS384 or HS512 from the secret source)");
            }
            keys.add(JwtKey.hmac(secrets, k.getId(), alg, issuer));
        }
        List<String> audiences = new ArrayList<>(j.getAudiences());
        if (audiences.isEmpty() && props.getHttp().getResource() != null) {
            audiences.add(props.getHttp().getResource());
        }
        SignedJwts.Builder b = SignedJwts.builder(JwtKeySet.of(keys.get(0), keys.subList(1, keys.size()).toArray(JwtKey[]::new)))
                .audiences(audiences.toArray(String[]::new))
                .maxLifetime(j.getMaxLifetime()).skew(j.getSkew())
                .auditSink(auditSinks(sinks, metrics).toArray(AuditSink[]::new));
        if (j.isSingleUse()) {
            b.store(store);
        }
        return b.build();
    }

    /**
     * @param props   the properties
     * @param latches the latches (API keys)
     * @param jwts    the token verifier, when configured
     * @param sinks   the application's audit sinks
     * @param metrics the meters, when Micrometer is present
     * @return the HTTP authenticator, when {@code latch.http.resource} is set
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "latch.http", name = "resource")
    public HttpAuthenticator latchHttpAuthenticator(LatchProperties props, Latches latches, ObjectProvider<SignedJwts> jwts,
                                                    ObjectProvider<AuditSink> sinks,
                                                    ObjectProvider<LatchMetricsHolder> metrics) {
        LatchProperties.Http h = props.getHttp();
        HttpAuthenticator.Builder b = HttpAuthenticator.builder(h.getResource()).realm(h.getRealm())
                .maxLength(h.getMaxCredentialLength()).clock(latches.clock());
        List<AuditSink> all = auditSinks(sinks, metrics);
        b.auditSink(AuditSink.fanOut(all));
        if (h.isApiKeys()) {
            b.apiKeys(latches);
        }
        SignedJwts j = jwts.getIfAvailable();
        if (j != null) {
            b.tokens(j);
        }
        if (h.getApiKeyHeader() != null) {
            b.apiKeyHeader(h.getApiKeyHeader());
        }
        return b.build();
    }

    /**
     * @param props  the properties
     * @param signer the signer
     * @return the service-token supplier for outgoing calls, when {@code latch.client.audience} is set
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "latch.client", name = "audience")
    public TokenSupplier latchTokenSupplier(LatchProperties props, ObjectProvider<SignedJwts> signer) {
        LatchProperties.Client c = props.getClient();
        SignedJwts jwts = signer.getIfAvailable();
        if (jwts == null) {
            throw new IllegalStateException("latch.client.audience needs a signer: set latch.jwt.issuer and latch.jwt.keys, "
                    + "or define a SignedJwts bean");
        }
        if (c.getSubject() == null) {
            throw new IllegalStateException("latch.client.subject is required: the name tokens give this service");
        }
        Grant grant = Grant.builder(c.getAudience(), c.getSubject()).permissions(c.getScopes().toArray(String[]::new))
                .ttl(c.getTtl()).build();
        return TokenSupplier.signing(jwts, grant).refreshAhead(c.getRefreshAhead()).build();
    }

    /** Micrometer, when the application has it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.latch.micrometer.LatchMetrics", "io.micrometer.core.instrument.MeterRegistry"})
    static class Metrics {
        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        LatchMetricsHolder latchMetricsHolder(MeterRegistry registry) {
            return new LatchMetricsHolder(LatchMetrics.of(registry));
        }
    }

    /** The plain servlet filter, registered for {@code latch.http.filter.paths} (disabled while that is empty). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "jakarta.servlet.Filter")
    @ConditionalOnProperty(prefix = "latch.http", name = "resource")
    static class ServletFilter {
        @Bean
        FilterRegistrationBean<LatchAuthFilter> latchAuthFilter(LatchProperties props, HttpAuthenticator authenticator) {
            LatchAuthFilter.Builder b = LatchAuthFilter.builder(authenticator);
            props.getHttp().getFilter().getRules().forEach((path, scopes) -> b.require(path, scopes.toArray(String[]::new)));
            FilterRegistrationBean<LatchAuthFilter> reg = new FilterRegistrationBean<>(b.build());
            reg.setName("latchAuthFilter");
            if (!props.getHttp().getFilter().getPaths().isEmpty()) {
                reg.setUrlPatterns(props.getHttp().getFilter().getPaths());
            }
            reg.setOrder(props.getHttp().getFilter().getOrder());
            reg.setEnabled(!props.getHttp().getFilter().getPaths().isEmpty());
            return reg;
        }
    }

    /** Spring Security, when the application has it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.security.config.annotation.web.builders.HttpSecurity")
    @ConditionalOnProperty(prefix = "latch.http", name = "resource")
    static class Security {
        @Bean
        @ConditionalOnMissingBean
        LatchSecurity latchSecurity(HttpAuthenticator authenticator) {
            return new LatchSecurity(authenticator);
        }

        /** As a bean it also tells Spring Boot not to generate a default user and password. */
        @Bean
        @ConditionalOnMissingBean
        LatchAuthenticationProvider latchAuthenticationProvider(HttpAuthenticator authenticator) {
            return new LatchAuthenticationProvider(authenticator);
        }
    }

    /** The RestClient interceptor, when Spring's HTTP client is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.http.client.ClientHttpRequestInterceptor")
    @ConditionalOnProperty(prefix = "latch.client", name = "audience")
    static class Client {
        @Bean
        @ConditionalOnMissingBean
        LatchRestClientInterceptor latchRestClientInterceptor(TokenSupplier tokens) {
            return new LatchRestClientInterceptor(tokens);
        }
    }

    /** Keeps LatchMetrics out of bean signatures, so nothing loads it when Micrometer is absent. */
    static final class LatchMetricsHolder {
        final LatchMetrics metrics;

        LatchMetricsHolder(LatchMetrics metrics) {
            this.metrics = metrics;
        }
    }

    /** Loaded only when latch-jdbc is present. */
    static final class JdbcStores {
        private JdbcStores() {
        }

        static LatchStore create(javax.sql.DataSource ds, LatchProperties.Jdbc jdbc) {
            if (jdbc.isMigrate()) {
                dev.latch.jdbc.JdbcLatchStore.migrate(ds, jdbc.getTablePrefix());
            }
            return dev.latch.jdbc.JdbcLatchStore.builder(ds).tablePrefix(jdbc.getTablePrefix())
                    .queryTimeout(jdbc.getQueryTimeout()).build();
        }
    }

    /** Loaded only when latch-redis is present. */
    static final class RedisStores {
        private RedisStores() {
        }

        static LatchStore create(LatchProperties.Redis redis, SecretSource secrets) {
            dev.latch.redis.RedisLatchStore.Builder b = dev.latch.redis.RedisLatchStore.builder(URI.create(redis.getUrl()))
                    .prefix(redis.getPrefix()).timeout(redis.getTimeout());
            if (redis.getPasswordSecret() != null) {
                byte[] password = secrets.secret(redis.getPasswordSecret()).orElseThrow(() -> new IllegalStateException(
                        "latch.store.redis.password-secret names secret " + redis.getPasswordSecret()
                                + ", which the secret source does not have"));
                char[] chars = new String(password, java.nio.charset.StandardCharsets.UTF_8).toCharArray();
                java.util.Arrays.fill(password, (byte) 0);
                b.credentials(redis.getUser() == null ? "default" : redis.getUser(), chars);
                java.util.Arrays.fill(chars, '\0');
            }
            return b.build();
        }
    }
}
