package dev.latch.jdbc;

import dev.latch.CodeFormat;
import dev.latch.CodeInfo;
import dev.latch.LatchStoreException;
import dev.latch.LockoutPolicy;
import dev.latch.RateLimit;
import dev.latch.StaticKeyInfo;
import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@link LatchStore} on PostgreSQL (14 and later) through plain JDBC, for services that keep
 * their keys and approvals in the database they already run. Every decision is one call: an
 * open, an issue, a counter, an event count or a key use is one server-side function that locks
 * the rows it reads, so it is atomic at READ COMMITTED across every instance; records change by
 * one compare-and-set statement and due work is claimed by one {@code UPDATE ... FOR UPDATE SKIP
 * LOCKED}. Digests are compared by their SHA-256 inside the database, so the comparison's time
 * says nothing about the digests. All SQL is parameterised; every argument is checked before a
 * connection is taken.
 *
 * <pre>{@code
 * DataSource ds = new HikariDataSource(config);               // the service's pool
 * JdbcLatchStore.migrate(ds, "latch_");                        // or run the migrations with Flyway
 * LatchStore store = JdbcLatchStore.builder(ds).tablePrefix("latch_").queryTimeout(Duration.ofSeconds(2)).build();
 * Latches latches = Latches.builder().store(store).pepper(pepper).build();
 * }</pre>
 *
 * <p><b>Schema.</b> Versioned SQL migrations ship in the jar under
 * {@code dev/latch/jdbc/migration/} ({@code V1__latch.sql}), with {@code ${prefix}} as the table
 * prefix placeholder (Flyway's and Liquibase's syntax). {@link #migrate} applies them itself
 * when they have not been applied.
 *
 * <p><b>Failure.</b> Any SQL failure (the server down, a timeout, the pool exhausted) is a
 * {@link LatchStoreException} naming the operation and the SQL state, never the data; nothing
 * opens. The store keeps no connection of its own, so it works again as soon as the pool does.
 * It never refuses for size: rows are forgotten by {@link #deleteExpired}.
 *
 * <p>Thread-safe.
 */
public final class JdbcLatchStore implements LatchStore {
    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,30}");
    /** Slots and windows are kept this long past the moment they stop mattering, as the in-memory store does. */
    private static final long TOMBSTONE_MS = Duration.ofHours(1).toMillis();
    private static final long NEVER_MS = CodeRecord.NEVER.toEpochMilli();
    private static final java.math.BigInteger TWO_63 = java.math.BigInteger.ONE.shiftLeft(63);
    /**
     * How long a static key is decided from the cache by default: the longest a revocation on one
     * instance takes to reach the others.
     */
    public static final Duration DEFAULT_KEY_CACHE = Duration.ofSeconds(2);

    private final DataSource dataSource;
    private final String p;
    private final int timeoutSeconds;
    /**
     * Keys as last read from the database, with the caller's time of that read: an entry decides
     * only while the caller's clock is less than the time to live past it. Null when off.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, CachedKey> keyCache;
    private final Duration keyCacheTtl;
    private final long keyCacheTtlMs;

    private record CachedKey(KeyRecord key, long readAtMs) {
    }

    private JdbcLatchStore(Builder b) {
        this.dataSource = b.dataSource;
        this.p = b.prefix;
        this.timeoutSeconds = (int) Math.max(1, b.timeout.toSeconds());
        this.keyCacheTtl = b.keyCacheTtl;
        this.keyCacheTtlMs = b.keyCacheTtl.toMillis();
        // Caffeine's own expiry (system time) only bounds memory; decisions use the caller's clock.
        this.keyCache = b.keyCacheTtl.isZero() ? null : com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                .expireAfterWrite(b.keyCacheTtl.multipliedBy(2)).maximumSize(b.keyCacheSize).build();
    }

    /**
     * @param dataSource the pool to take connections from (HikariCP, the container's, ...)
     * @return a builder
     * @throws IllegalArgumentException when it is null
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Names.required(dataSource, "dataSource"));
    }

    // ------------------------------------------------------------------ migrations

    /**
     * Applies the schema when it is not there yet (its {@code <prefix>schema} table is missing),
     * in one transaction. Does nothing when it is.
     *
     * @param dataSource where
     * @param prefix     the table prefix
     * @throws LatchStoreException when the schema cannot be applied
     */
    public static void migrate(DataSource dataSource, String prefix) {
        Names.required(dataSource, "dataSource");
        checkPrefix(prefix);
        String sql = migration(prefix);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                ps.setString(1, prefix + "schema");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
            }
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute(sql);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw failure("migrate", e);
        }
    }

    /**
     * @param prefix the table prefix
     * @return the migration script with the prefix in place
     */
    static String migration(String prefix) {
        try (InputStream in = JdbcLatchStore.class.getResourceAsStream("migration/V1__latch.sql")) {
            if (in == null) {
                throw new IllegalStateException("latch-jdbc's migration is missing from its jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${prefix}", prefix);
        } catch (IOException e) {
            throw new IllegalStateException("latch-jdbc's migration cannot be read", e);
        }
    }

    private static String checkPrefix(String prefix) {
        Names.required(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a table prefix is 1 to 31 of a-z 0-9 _, starting with a letter or _");
        }
        return prefix;
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface Call<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T run(String operation, Call<T> call) {
        try (Connection c = dataSource.getConnection()) {
            return call.run(c);
        } catch (SQLException e) {
            throw failure(operation, e);
        } catch (RuntimeException e) {
            throw LatchStoreException.of("PostgreSQL " + operation, e);
        }
    }

    private static LatchStoreException failure(String operation, SQLException e) {
        return new LatchStoreException("PostgreSQL " + operation + " failed (SQL state " + e.getSQLState() + ")", e);
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql.replace("${p}", p));
        ps.setQueryTimeout(timeoutSeconds);
        return ps;
    }

    /**
     * Text as its UTF-16 code units, two bytes each: lossless for any Java string (NUL and unpaired
     * surrogates included), which PostgreSQL's text type is not.
     */
    static byte[] units(String s) {
        byte[] b = new byte[s.length() * 2];
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            b[2 * i] = (byte) (ch >>> 8);
            b[2 * i + 1] = (byte) ch;
        }
        return b;
    }

    static String units(byte[] b) {
        char[] cs = new char[b.length / 2];
        for (int i = 0; i < cs.length; i++) {
            cs[i] = (char) (((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF));
        }
        return new String(cs);
    }

    private static void setLong(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    // ------------------------------------------------------------------ codes

    private static final String SLOT_COLUMNS = "code_id, latch_id, subject, policy, kind, digests, used_slots, state, "
            + "issued_at, not_before, expires_at, attempts_left, uses_left, renewals_left, review, conditions, request";

    private static CodeRecord code(ResultSet rs, String prefix) throws SQLException {
        String id = rs.getString(prefix + "code_id");
        if (id == null) {
            return null;
        }
        Array a = rs.getArray(prefix + "digests");
        Object[] raw = (Object[]) a.getArray();
        List<byte[]> digests = new ArrayList<>(raw.length);
        for (Object o : raw) {
            digests.add((byte[]) o);
        }
        return new CodeRecord(id, rs.getString(prefix + "latch_id"), rs.getString(prefix + "subject"),
                rs.getString(prefix + "policy"), CodeFormat.Kind.valueOf(rs.getString(prefix + "kind")), digests,
                rs.getLong(prefix + "used_slots"), CodeInfo.State.valueOf(rs.getString(prefix + "state")),
                instant(rs, prefix + "issued_at"), instant(rs, prefix + "not_before"), instant(rs, prefix + "expires_at"),
                rs.getInt(prefix + "attempts_left"), rs.getInt(prefix + "uses_left"), rs.getInt(prefix + "renewals_left"),
                rs.getBoolean(prefix + "review"), rs.getString(prefix + "conditions"), rs.getBytes(prefix + "request"));
    }

    /** When a slot holding this code stops mattering (its expiry plus the tombstone hour). */
    private static long keepFor(Instant expiresAt) {
        long e = expiresAt.toEpochMilli();
        return e >= NEVER_MS - TOMBSTONE_MS ? NEVER_MS : e + TOMBSTONE_MS;
    }

    @Override
    public IssueResult issue(CodeRecord code, RateLimit limit, Instant now) {
        Names.required(code, "code");
        Names.required(now, "now");
        return run("issue", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT issued, replaced FROM ${p}issue(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    + "?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, code.latchId());
                ps.setString(2, code.subject());
                ps.setString(3, code.codeId());
                ps.setString(4, code.policy());
                ps.setString(5, code.kind().name());
                ps.setArray(6, c.createArrayOf("bytea", code.digests().toArray(new byte[0][])));
                ps.setLong(7, code.usedSlots());
                ps.setString(8, code.state().name());
                setLong(ps, 9, code.issuedAt());
                setLong(ps, 10, code.notBefore());
                setLong(ps, 11, code.expiresAt());
                ps.setInt(12, code.attemptsLeft());
                ps.setInt(13, code.usesLeft());
                ps.setInt(14, code.renewalsLeft());
                ps.setBoolean(15, code.reviewRequired());
                ps.setString(16, code.conditions());
                ps.setBytes(17, code.request());
                ps.setInt(18, limit == null ? 0 : limit.count());
                ps.setLong(19, limit == null ? 0 : limit.window().toMillis());
                ps.setLong(20, now.toEpochMilli());
                ps.setLong(21, keepFor(code.expiresAt()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1) ? new IssueResult(true, rs.getString(2)) : IssueResult.rateLimited();
                }
            }
        });
    }

    @Override
    public OpenResult open(OpenRequest r) {
        Names.required(r, "r");
        LockoutPolicy l = r.lockout();
        StringBuilder kinds = new StringBuilder();
        for (CodeFormat.Kind k : r.kinds()) {
            kinds.append(k.name()).append(',');
        }
        return run("open", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT * FROM ${p}open(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.latchId());
                ps.setString(2, r.subject());
                ps.setBytes(3, r.foldedDigest());
                ps.setBytes(4, r.exactDigest());
                ps.setString(5, kinds.toString());
                ps.setBytes(6, r.request());
                ps.setBoolean(7, r.conditionsCleared());
                ps.setString(8, r.source());
                ps.setLong(9, r.now().toEpochMilli());
                ps.setInt(10, l.threshold());
                ps.setLong(11, l.baseBackoff().toMillis());
                ps.setLong(12, l.maxBackoff().toMillis());
                ps.setLong(13, l.failureMemory().toMillis());
                ps.setBytes(14, r.previousFolded());
                ps.setBytes(15, r.previousExact());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    OpenResult.Outcome outcome = OpenResult.Outcome.valueOf(rs.getString("outcome"));
                    String id = rs.getString("code_id");
                    CodeSummary summary = id == null ? null : CodeSummary.of(id, rs.getString("policy"),
                            rs.getInt("uses_left"), rs.getBoolean("review"), rs.getString("conditions"));
                    String sighting = rs.getString("sighting");
                    return new OpenResult(outcome, outcome == OpenResult.Outcome.NO_CODE ? null : summary,
                            rs.getInt("failures"), instant(rs, "locked_until"), rs.getBoolean("locked_now"),
                            rs.getBoolean("burned_now"), sighting == null ? null : OpenResult.SourceSighting.valueOf(sighting));
                }
            }
        });
    }

    @Override
    public Optional<CodeRecord> find(String codeId) {
        Names.required(codeId, "codeId");
        return run("find", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT " + SLOT_COLUMNS + " FROM ${p}slots WHERE code_id = ?")) {
                ps.setString(1, codeId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(code(rs, "")) : Optional.<CodeRecord>empty();
                }
            }
        });
    }

    @Override
    public boolean revoke(String codeId, Instant now) {
        Names.required(codeId, "codeId");
        Names.required(now, "now");
        return update("revoke", "UPDATE ${p}slots SET state = 'REVOKED' WHERE code_id = ? AND state = 'PENDING'",
                codeId) == 1;
    }

    @Override
    public int revokeLatch(String latchId, Instant now) {
        Names.required(latchId, "latchId");
        Names.required(now, "now");
        return update("revokeLatch", "UPDATE ${p}slots SET state = 'REVOKED' WHERE latch_id = ? AND state = 'PENDING'",
                latchId);
    }

    @Override
    public int revokeSubject(String subject, Instant now) {
        Names.required(subject, "subject");
        Names.required(now, "now");
        return update("revokeSubject", "UPDATE ${p}slots SET state = 'REVOKED' WHERE subject = ? AND state = 'PENDING'",
                subject);
    }

    private int update(String operation, String sql, String arg) {
        return run(operation, c -> {
            try (PreparedStatement ps = prepare(c, sql)) {
                ps.setString(1, arg);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public RenewResult renew(String codeId, Instant newExpiry, Instant now) {
        Names.required(codeId, "codeId");
        Names.required(newExpiry, "newExpiry");
        Names.required(now, "now");
        return run("renew", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT outcome, (r).code_id AS r_code_id, (r).latch_id AS r_latch_id, "
                    + "(r).subject AS r_subject, (r).policy AS r_policy, (r).kind AS r_kind, (r).digests AS r_digests, "
                    + "(r).used_slots AS r_used_slots, (r).state AS r_state, (r).issued_at AS r_issued_at, "
                    + "(r).not_before AS r_not_before, (r).expires_at AS r_expires_at, (r).attempts_left AS r_attempts_left, "
                    + "(r).uses_left AS r_uses_left, (r).renewals_left AS r_renewals_left, (r).review AS r_review, "
                    + "(r).conditions AS r_conditions, (r).request AS r_request FROM ${p}renew(?, ?, ?, ?)")) {
                ps.setString(1, codeId);
                ps.setLong(2, newExpiry.toEpochMilli());
                ps.setLong(3, now.toEpochMilli());
                ps.setLong(4, keepFor(newExpiry));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new RenewResult(RenewResult.Outcome.valueOf(rs.getString("outcome")), code(rs, "r_"));
                }
            }
        });
    }

    @Override
    public CounterResult acceptCounter(CounterRequest r) {
        Names.required(r, "r");
        LockoutPolicy l = r.lockout();
        return run("acceptCounter", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT * FROM ${p}accept_counter(?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.latchId());
                ps.setString(2, r.subject());
                Long[] matches = new Long[r.matches().length];
                for (int i = 0; i < matches.length; i++) {
                    matches[i] = r.matches()[i];
                }
                ps.setArray(3, c.createArrayOf("bigint", matches));
                ps.setBoolean(4, r.wellFormed());
                ps.setLong(5, r.now().toEpochMilli());
                ps.setInt(6, l.threshold());
                ps.setLong(7, l.baseBackoff().toMillis());
                ps.setLong(8, l.maxBackoff().toMillis());
                ps.setLong(9, l.failureMemory().toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new CounterResult(CounterResult.Outcome.valueOf(rs.getString("outcome")), rs.getLong("counter"),
                            rs.getInt("failures"), instant(rs, "locked_until"), rs.getBoolean("locked_now"));
                }
            }
        });
    }

    @Override
    public OptionalLong nextCounter(String latchId, String subject) {
        Names.required(latchId, "latchId");
        Names.required(subject, "subject");
        return run("nextCounter", c -> {
            try (PreparedStatement ps = prepare(c,
                    "SELECT next_counter FROM ${p}slots WHERE latch_id = ? AND subject = ?")) {
                ps.setString(1, latchId);
                ps.setString(2, subject);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return OptionalLong.empty();
                    }
                    java.math.BigDecimal next = rs.getBigDecimal(1);
                    if (next == null) {
                        return OptionalLong.empty();
                    }
                    // 2^63 once 2^63 - 1 was accepted: reported as 2^63 - 1, which acceptCounter refuses as a replay
                    return OptionalLong.of(next.toBigInteger().compareTo(TWO_63) >= 0 ? Long.MAX_VALUE : next.longValueExact());
                }
            }
        });
    }

    // ------------------------------------------------------------------ markers and events

    @Override
    public boolean putOnce(String key, Instant expiresAt, Instant now) {
        Names.required(key, "key");
        Names.required(expiresAt, "expiresAt");
        Names.required(now, "now");
        return run("putOnce", c -> {
            try (PreparedStatement ps = prepare(c, "INSERT INTO ${p}markers AS m (key, value, expires_at) VALUES (?, ''::bytea, ?) "
                    + "ON CONFLICT (key) DO UPDATE SET value = ''::bytea, expires_at = EXCLUDED.expires_at WHERE m.expires_at <= ?")) {
                ps.setBytes(1, units(key));
                ps.setLong(2, expiresAt.toEpochMilli());
                ps.setLong(3, now.toEpochMilli());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void putMarker(String key, String value, Instant expiresAt, Instant now) {
        Names.required(key, "key");
        Names.required(value, "value");
        Names.required(expiresAt, "expiresAt");
        Names.required(now, "now");
        if (value.length() > 4096) {
            throw new IllegalArgumentException("marker values are at most 4096 characters");
        }
        run("putMarker", c -> {
            try (PreparedStatement ps = prepare(c, "INSERT INTO ${p}markers (key, value, expires_at) VALUES (?, ?, ?) "
                    + "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at")) {
                ps.setBytes(1, units(key));
                ps.setBytes(2, units(value));
                ps.setLong(3, expiresAt.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> getMarker(String key, Instant now) {
        Names.required(key, "key");
        Names.required(now, "now");
        return run("getMarker", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT value FROM ${p}markers WHERE key = ? AND expires_at > ?")) {
                ps.setBytes(1, units(key));
                ps.setLong(2, now.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(units(rs.getBytes(1))) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public EventCount countEvent(String key, int threshold, Duration window, Duration cooldown, Instant now) {
        Names.required(key, "key");
        Names.required(window, "window");
        Names.required(cooldown, "cooldown");
        Names.required(now, "now");
        EventCount.checkArguments(key, threshold, window, cooldown);
        return run("countEvent", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT * FROM ${p}count_event(?, ?, ?, ?, ?)")) {
                ps.setBytes(1, units(key));
                ps.setInt(2, threshold);
                ps.setLong(3, window.toMillis());
                ps.setLong(4, cooldown.toMillis());
                ps.setLong(5, now.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new EventCount(rs.getInt("in_window"), rs.getBoolean("fired"), rs.getBoolean("cooling"));
                }
            }
        });
    }

    // ------------------------------------------------------------------ static keys

    private static final String KEY_COLUMNS = "key_id, prefix, subject, scopes, digest, created_at, expires_at, state, "
            + "valid_until, successor_id, last_used_at, last_used_from, conditions, pepper_id, layout";

    private static KeyRecord key(ResultSet rs, String prefix) throws SQLException {
        String id = rs.getString(prefix + "key_id");
        if (id == null) {
            return null;
        }
        Integer layout = intOrNull(rs, prefix + "layout");
        if (layout != null && layout != 1) {
            throw new LatchStoreException("a stored key has a layout this version of latch-jdbc does not read");
        }
        Object[] scopes = (Object[]) rs.getArray(prefix + "scopes").getArray();
        Set<String> set = new LinkedHashSet<>();
        for (Object s : scopes) {
            set.add((String) s);
        }
        return new KeyRecord(id, rs.getString(prefix + "prefix"), rs.getString(prefix + "subject"), set,
                rs.getBytes(prefix + "digest"), instant(rs, prefix + "created_at"), instant(rs, prefix + "expires_at"),
                StaticKeyInfo.State.valueOf(rs.getString(prefix + "state")), instant(rs, prefix + "valid_until"),
                rs.getString(prefix + "successor_id"), instant(rs, prefix + "last_used_at"),
                rs.getString(prefix + "last_used_from"), rs.getString(prefix + "conditions"), rs.getString(prefix + "pepper_id"));
    }

    @Override
    public void putKey(KeyRecord k) {
        Names.required(k, "key");
        int n = run("putKey", c -> {
            try (PreparedStatement ps = prepare(c, "INSERT INTO ${p}keys (" + KEY_COLUMNS + ") VALUES "
                    + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (key_id) DO NOTHING")) {
                ps.setString(1, k.keyId());
                ps.setString(2, k.prefix());
                ps.setString(3, k.subject());
                ps.setArray(4, c.createArrayOf("text", k.scopes().toArray()));
                ps.setBytes(5, k.digest());
                setLong(ps, 6, k.createdAt());
                setLong(ps, 7, k.expiresAt());
                ps.setString(8, k.state().name());
                setLong(ps, 9, k.validUntil());
                ps.setString(10, k.successorId());
                setLong(ps, 11, k.lastUsedAt());
                ps.setString(12, k.lastUsedFrom());
                ps.setString(13, k.conditions());
                ps.setString(14, k.pepperId());
                return ps.executeUpdate();
            }
        });
        if (n != 1) {
            throw new LatchStoreException("a key with that id already exists");
        }
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        Names.required(keyId, "keyId");
        return run("findKey", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT " + KEY_COLUMNS + " FROM ${p}keys WHERE key_id = ?")) {
                ps.setString(1, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(key(rs, "")) : Optional.<KeyRecord>empty();
                }
            }
        });
    }

    private static String keyOut(String column) {
        return "(k)." + column + " AS k_" + column;
    }

    @Override
    public KeyResult useKey(String keyId, byte[] digest, Instant now, String source) {
        Names.required(keyId, "keyId");
        Names.required(digest, "digest");
        Names.required(now, "now");
        CachedKey entry = keyCache == null ? null : keyCache.getIfPresent(keyId);
        long nowMs = now.toEpochMilli();
        KeyRecord cached = entry != null && nowMs >= entry.readAtMs() && nowMs - entry.readAtMs() < keyCacheTtlMs
                ? entry.key() : null;
        if (cached != null) {
            // decided on the key as read at most the cache's time to live ago, as the database decides
            KeyResult.Outcome outcome = cached.decide(digest, now);
            return new KeyResult(outcome, outcome == KeyResult.Outcome.OK ? cached.used(now, source) : cached);
        }
        KeyResult fresh = useKeyInDatabase(keyId, digest, now, source);
        if (keyCache != null && fresh.record() != null) {
            keyCache.put(keyId, new CachedKey(fresh.record(), nowMs));
        }
        return fresh;
    }

    private KeyResult useKeyInDatabase(String keyId, byte[] digest, Instant now, String source) {
        StringBuilder cols = new StringBuilder("outcome");
        for (String col : KEY_COLUMNS.split(", ")) {
            cols.append(", ").append(keyOut(col));
        }
        return run("useKey", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT " + cols + " FROM ${p}use_key(?, ?, ?, ?)")) {
                ps.setString(1, keyId);
                ps.setBytes(2, digest);
                ps.setLong(3, now.toEpochMilli());
                ps.setString(4, source);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String outcome = rs.getString("outcome");
                    if (outcome.equals("LAYOUT")) {
                        throw new LatchStoreException("a stored key has a layout this version of latch-jdbc does not read");
                    }
                    return new KeyResult(KeyResult.Outcome.valueOf(outcome), key(rs, "k_"));
                }
            }
        });
    }

    @Override
    public Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now) {
        Names.required(keyId, "keyId");
        Names.required(validUntil, "validUntil");
        Names.required(successorId, "successorId");
        Names.required(now, "now");
        forget(keyId);
        return run("retireKey", c -> {
            try (PreparedStatement ps = prepare(c, "UPDATE ${p}keys SET state = 'ROTATED', valid_until = ?, successor_id = ? "
                    + "WHERE key_id = ? AND state = 'ACTIVE' RETURNING " + KEY_COLUMNS)) {
                ps.setLong(1, validUntil.toEpochMilli());
                ps.setString(2, successorId);
                ps.setString(3, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(key(rs, "")) : Optional.<KeyRecord>empty();
                }
            }
        });
    }

    @Override
    public boolean revokeKey(String keyId, Instant now) {
        Names.required(keyId, "keyId");
        Names.required(now, "now");
        forget(keyId);
        boolean revoked = update("revokeKey", "UPDATE ${p}keys SET state = 'REVOKED' WHERE key_id = ? AND state <> 'REVOKED'",
                keyId) == 1;
        forget(keyId); // a use racing the revocation may have cached the key as it was
        return revoked;
    }

    @Override
    public boolean rehashKey(String keyId, byte[] oldDigest, byte[] newDigest, String pepperId, Instant now) {
        LatchStore.checkRehash(keyId, oldDigest, newDigest, pepperId, now);
        forget(keyId);
        return run("rehashKey", c -> {
            try (PreparedStatement ps = prepare(c, "UPDATE ${p}keys SET digest = ?, pepper_id = ? "
                    + "WHERE key_id = ? AND sha256(digest) = sha256(?)")) {
                ps.setBytes(1, newDigest);
                ps.setString(2, pepperId);
                ps.setString(3, keyId);
                ps.setBytes(4, oldDigest);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private void forget(String keyId) {
        if (keyCache != null) {
            keyCache.invalidate(keyId);
        }
    }

    // ------------------------------------------------------------------ durable records and scheduled work

    @Override
    public Optional<Versioned> getRecord(String key, Instant now) {
        LatchStore.checkRecordKey(key);
        Names.required(now, "now");
        return run("getRecord", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT value, version FROM ${p}records WHERE key = ? AND expires_at > ?")) {
                ps.setBytes(1, units(key));
                ps.setLong(2, now.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Versioned(units(rs.getBytes(1)), rs.getLong(2)))
                            : Optional.<Versioned>empty();
                }
            }
        });
    }

    @Override
    public boolean compareAndSet(String key, long expectedVersion, String value, Instant expiresAt, Instant now) {
        LatchStore.checkRecord(key, expectedVersion, value, expiresAt, now);
        return run("compareAndSet", c -> {
            String sql = expectedVersion == 0
                    ? "INSERT INTO ${p}records AS r (key, value, version, expires_at) VALUES (?, ?, 1, ?) "
                    + "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = 1, expires_at = EXCLUDED.expires_at "
                    + "WHERE r.expires_at <= ?"
                    : "UPDATE ${p}records SET value = ?, version = version + 1, expires_at = ? "
                    + "WHERE key = ? AND version = ? AND expires_at > ?";
            try (PreparedStatement ps = prepare(c, sql)) {
                if (expectedVersion == 0) {
                    ps.setBytes(1, units(key));
                    ps.setBytes(2, units(value));
                    ps.setLong(3, expiresAt.toEpochMilli());
                    ps.setLong(4, now.toEpochMilli());
                } else {
                    ps.setBytes(1, units(value));
                    ps.setLong(2, expiresAt.toEpochMilli());
                    ps.setBytes(3, units(key));
                    ps.setLong(4, expectedVersion);
                    ps.setLong(5, now.toEpochMilli());
                }
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void schedule(Work work, Instant now) {
        Names.required(work, "work");
        Names.required(now, "now");
        run("schedule", c -> {
            try (PreparedStatement ps = prepare(c, "INSERT INTO ${p}work (id, kind, payload, due_at, available_at) "
                    + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, payload = EXCLUDED.payload, "
                    + "due_at = EXCLUDED.due_at, available_at = EXCLUDED.available_at, attempts = 0, layout = 1")) {
                ps.setBytes(1, units(work.id()));
                ps.setString(2, work.kind());
                ps.setBytes(3, units(work.payload()));
                ps.setLong(4, work.dueAt().toEpochMilli());
                ps.setLong(5, work.dueAt().toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<Claim> claimDue(Instant now, Duration lease, int max) {
        LatchStore.checkClaim(now, lease, max);
        return run("claimDue", c -> {
            try (PreparedStatement ps = prepare(c, "UPDATE ${p}work SET token = token + 1, attempts = attempts + 1, "
                    + "available_at = ? WHERE id IN (SELECT id FROM ${p}work WHERE available_at <= ? "
                    + "ORDER BY available_at, id LIMIT ? FOR UPDATE SKIP LOCKED) "
                    + "RETURNING id, kind, payload, due_at, token, attempts, layout")) {
                ps.setLong(1, now.toEpochMilli() + lease.toMillis());
                ps.setLong(2, now.toEpochMilli());
                ps.setInt(3, max);
                List<Claim> claims = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getInt("layout") != 1) {
                            throw new LatchStoreException("a stored work item has a layout this version of latch-jdbc does not read");
                        }
                        claims.add(new Claim(new Work(units(rs.getBytes("id")), rs.getString("kind"), units(rs.getBytes("payload")),
                                Instant.ofEpochMilli(rs.getLong("due_at"))), rs.getLong("token"), rs.getInt("attempts")));
                    }
                }
                claims.sort(Claim.EARLIEST_DUE);
                return claims;
            }
        });
    }

    @Override
    public boolean complete(String id, long token, Instant now) {
        Names.required(id, "id");
        Names.required(now, "now");
        return run("complete", c -> {
            try (PreparedStatement ps = prepare(c, "DELETE FROM ${p}work WHERE id = ? AND token = ? AND attempts > 0")) {
                ps.setBytes(1, units(id));
                ps.setLong(2, token);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean cancel(String id, Instant now) {
        Names.required(id, "id");
        Names.required(now, "now");
        return run("cancel", c -> {
            try (PreparedStatement ps = prepare(c, "DELETE FROM ${p}work WHERE id = ?")) {
                ps.setBytes(1, units(id));
                return ps.executeUpdate();
            }
        }) == 1;
    }

    // ------------------------------------------------------------------ housekeeping

    /**
     * Deletes rows that no longer matter at {@code now} (slots an hour past their code's expiry and
     * their lock and failure memory, windows, markers, event counts and records past their expiry),
     * in batches of at most {@code batch} rows per table and statement, each its own short
     * transaction: no long lock is taken. Call it from a periodic job.
     *
     * <pre>{@code
     * scheduler.scheduleAtFixedRate(() -> store.deleteExpired(Instant.now(), 1000), 1, 1, TimeUnit.MINUTES);
     * }</pre>
     *
     * @param now   the time (from the same clock as the latches')
     * @param batch most rows per table and statement, 1 to 100,000
     * @return rows deleted
     * @throws LatchStoreException when the database fails
     */
    public long deleteExpired(Instant now, int batch) {
        Names.required(now, "now");
        if (batch < 1 || batch > 100_000) {
            throw new IllegalArgumentException("batch is 1 to 100000");
        }
        long cutoff = now.toEpochMilli() - 60_000; // a minute of slack for callers whose clocks run behind
        long total = 0;
        String[][] tables = {{"slots", "keep_until"}, {"subjects", "keep_until"}, {"markers", "expires_at"},
                {"events", "keep_until"}, {"records", "expires_at"}};
        for (String[] t : tables) {
            String sql = "DELETE FROM ${p}" + t[0] + " WHERE ctid IN (SELECT ctid FROM ${p}" + t[0] + " WHERE " + t[1]
                    + " < ? LIMIT ? FOR UPDATE SKIP LOCKED)";
            while (true) {
                int n = run("deleteExpired", c -> {
                    try (PreparedStatement ps = prepare(c, sql)) {
                        ps.setLong(1, cutoff);
                        ps.setInt(2, batch);
                        return ps.executeUpdate();
                    }
                });
                total += n;
                if (n < batch) {
                    break;
                }
            }
        }
        return total;
    }

    @Override
    public String toString() {
        return "JdbcLatchStore[prefix=" + p + ", timeout=" + timeoutSeconds + "s, keyCache=" + keyCacheTtl + "]";
    }

    /**
     * Builds a {@link JdbcLatchStore}. Not thread-safe.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String prefix = "latch_";
        private Duration timeout = Duration.ofSeconds(5);
        private Duration keyCacheTtl = DEFAULT_KEY_CACHE;
        private int keyCacheSize = 100_000;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * @param prefix the tables' prefix, 1 to 31 of {@code a-z 0-9 _} (default {@code latch_})
         * @return this
         */
        public Builder tablePrefix(String prefix) {
            this.prefix = checkPrefix(prefix);
            return this;
        }

        /**
         * @param timeout how long one statement may run before it fails closed, 1 second to 5
         *                minutes, whole seconds (default 5 seconds; JDBC counts in seconds)
         * @return this
         */
        public Builder queryTimeout(Duration timeout) {
            Names.required(timeout, "timeout");
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("queryTimeout is 1 second to 5 minutes");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * A cache in front of static-key lookups. A key that authenticated (or was refused) is
         * decided from the cache, without a query, for up to {@code ttl} by the callers' clock
         * (the {@code now} each use passes in); a revocation, rotation
         * or rehash on this instance takes effect here at once, and on every other instance within
         * {@code ttl}. While a key is cached its last use is written at most once per {@code ttl}.
         * Unknown keys are never cached: each costs one indexed lookup.
         *
         * @param ttl     how long a key is decided from the cache, zero (off) to 1 minute; default
         *                {@link JdbcLatchStore#DEFAULT_KEY_CACHE}
         * @param maxKeys most keys held, 1 or more
         * @return this
         */
        public Builder keyCache(Duration ttl, int maxKeys) {
            Names.required(ttl, "ttl");
            if (ttl.isNegative() || ttl.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("the key cache's ttl is zero to 1 minute");
            }
            if (maxKeys < 1) {
                throw new IllegalArgumentException("maxKeys is 1 or more");
            }
            this.keyCacheTtl = ttl;
            this.keyCacheSize = maxKeys;
            return this;
        }

        /** @return the store */
        public JdbcLatchStore build() {
            return new JdbcLatchStore(this);
        }
    }
}
