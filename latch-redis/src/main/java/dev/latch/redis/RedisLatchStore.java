package dev.latch.redis;

import dev.latch.CodeFormat;
import dev.latch.CodeInfo;
import dev.latch.LatchStoreException;
import dev.latch.LockoutPolicy;
import dev.latch.RateLimit;
import dev.latch.StaticKeyInfo;
import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore.CodeSummary;
import dev.latch.spi.LatchStore.CounterRequest;
import dev.latch.spi.LatchStore.CounterResult;
import dev.latch.spi.LatchStore.EventCount;
import dev.latch.spi.LatchStore.IssueResult;
import dev.latch.spi.LatchStore.KeyRecord;
import dev.latch.spi.LatchStore.KeyResult;
import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;
import dev.latch.spi.LatchStore.OpenRequest;
import dev.latch.spi.LatchStore.OpenResult;
import dev.latch.spi.LatchStore.RenewResult;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link LatchStore} on Redis, for services that run on many instances: a one-time code opens
 * once across all of them, attempts and lockouts are counted together, and a revocation applies
 * everywhere.
 *
 * <p>Every security decision is one Lua script run with EVALSHA: an open finds the code, checks
 * lock and expiry, compares the digest without a timing signal (the presented digest is hashed
 * again and compared with the stored digests' hashes, kept in the slot) and counts the failure
 * or consumes the use, in one round trip. Scripts are loaded when the store starts and reloaded
 * on NOSCRIPT.
 * Redis expires state itself ({@code PEXPIRE}, relative to the caller's clock, so instances
 * whose clocks differ agree on what is live). Keys carry a prefix and a hash tag: a code's slot
 * and its subject's other keys share the subject's, so each script runs on one Cluster slot.
 *
 * <p><b>Topologies.</b> {@link #builder(URI)} connects to one server, {@link #cluster(List)} to a
 * Redis Cluster (redirects followed), {@link #sentinel(String, List)} to the primary that
 * Sentinel names (found again after a failover).
 *
 * <pre>{@code
 * try (RedisLatchStore store = RedisLatchStore.builder(URI.create("redis://redis.internal:6379"))
 *         .credentials("latch", passwordChars).tls(true).timeout(Duration.ofMillis(500)).build()) {
 *     Latches latches = Latches.builder().store(store).pepper(pepper).build();
 * }
 * }</pre>
 *
 * <p><b>Failure.</b> Redis down, a timeout or a script error gives a {@link LatchStoreException}
 * (and the core's audit event); nothing opens. A timeout after a command was sent counts as a
 * failure: if the consume did happen, a retry sees {@code USED}, never a second success. The
 * connection reconnects by itself. <b>Replication:</b> Redis replicates asynchronously, so a
 * consume acknowledged by a primary that then fails over can be lost and the code open once
 * more; {@link Builder#waitForReplica} makes chosen policies wait for one replica
 * ({@code WAIT 1}) and fail closed when none acknowledges. Configure Redis with
 * {@code maxmemory-policy noeviction}: evicting latch keys would reset lockouts.
 *
 * <p>Needs Redis 6.0 or newer ({@code SET ... KEEPTTL}). Each latch and subject has one slot, a
 * string packed with Lua's {@code struct}: an open reads it with one {@code GET} and usually
 * rewrites only its 7-byte head, the code's state and uses left ({@code SETRANGE}).
 *
 * <p>Thread-safe: one Lettuce connection, which is thread-safe, shared by all callers.
 */
public final class RedisLatchStore implements LatchStore, AutoCloseable {
    private static final String[] SCRIPTS = {"issue", "index", "open", "find", "revoke", "revoke_slot", "renew", "counter",
            "next_counter", "put_once", "put_key", "use_key", "retire_key", "revoke_key", "count_event",
            "cas", "schedule", "claim_due", "complete", "cancel", "rehash_key"};
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    /** Set for a Cluster: slots are routed by Lettuce, and a replica wait goes to the slot's primary. */
    private final StatefulRedisClusterConnection<String, String> clusterConnection;
    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> async;
    private final String prefix;
    private final Map<String, String> sources = new HashMap<>();
    private final Map<String, String> shas = new ConcurrentHashMap<>();
    private final Set<String> waitPolicies;
    private final Duration waitTimeout;
    private final long timeoutMillis;
    private final String description;
    /** Immutable once made; a stale read only costs formatting the numbers again. */
    private volatile LockoutArgs lockoutArgs = new LockoutArgs(LockoutPolicy.DEFAULT);
    private volatile SlotKeys slotKeys = new SlotKeys(null, null);
    private final java.util.concurrent.atomic.LongAdder commandsSent = new java.util.concurrent.atomic.LongAdder();

    private RedisLatchStore(Builder b) {
        List<RedisURI> uris = new ArrayList<>();
        for (URI u : b.uris) {
            RedisURI.Builder uri = b.sentinelMaster == null
                    ? RedisURI.builder(RedisURI.create(u.toString()))
                    : RedisURI.Builder.sentinel(u.getHost(), u.getPort() < 0 ? 26379 : u.getPort(), b.sentinelMaster);
            uri.withTimeout(b.timeout);
            if (b.user != null) {
                uri.withAuthentication(b.user, b.password);
            }
            if (b.tls) {
                uri.withSsl(true);
            }
            uris.add(uri.build());
        }
        if (b.sentinelMaster != null) {
            // one URI naming every Sentinel: Lettuce asks them in turn for the primary, at connect
            // and at every reconnect, so a failover is followed
            RedisURI first = uris.get(0);
            for (RedisURI more : uris.subList(1, uris.size())) {
                first.getSentinels().addAll(more.getSentinels());
            }
            uris = List.of(first);
        }
        // Every blocking command is sent through the sync API, which waits at most the URI's
        // timeout and then cancels the command. Lettuce's own command expiry would time each
        // command a second time: a timer entry made and cancelled per command, on every open.
        TimeoutOptions noCommandTimer = TimeoutOptions.builder().timeoutCommands(false).build();
        StatefulRedisClusterConnection<String, String> clustered = null;
        StatefulConnection<String, String> connected;
        if (b.cluster) {
            RedisClusterClient c = RedisClusterClient.create(uris);
            c.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(noCommandTimer)
                    .maxRedirects(5)
                    // MOVED/ASK are followed at once; the slot map is also refreshed on them and
                    // every 30 s, so that moved slots stop costing a redirect
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .build())
                    .build());
            this.client = c;
            try {
                clustered = c.connect(Utf8Codec.INSTANCE);
            } catch (RedisException e) {
                c.shutdown();
                throw new LatchStoreException("cannot connect to the Redis Cluster at " + hosts(b.uris)
                        + " (" + e.getClass().getSimpleName() + ")", e);
            }
            connected = clustered;
            this.redis = clustered.sync();
            this.async = clustered.async();
        } else {
            RedisClient c = RedisClient.create();
            c.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(noCommandTimer)
                    .build());
            this.client = c;
            StatefulRedisConnection<String, String> single;
            try {
                single = c.connect(Utf8Codec.INSTANCE, uris.get(0));
            } catch (RedisException e) {
                c.shutdown();
                throw new LatchStoreException("cannot connect to Redis at " + hosts(b.uris)
                        + (b.sentinelMaster == null ? "" : " (Sentinel)") + " (" + e.getClass().getSimpleName() + ")", e);
            }
            connected = single;
            this.redis = single.sync();
            this.async = single.async();
        }
        this.connection = connected;
        this.clusterConnection = clustered;
        this.prefix = b.prefix;
        this.waitPolicies = Set.copyOf(b.waitPolicies);
        this.waitTimeout = b.waitTimeout;
        this.timeoutMillis = b.timeout.toMillis();
        List<String[]> common = helpers(resource("common"));
        for (String name : SCRIPTS) {
            String body = resource(name);
            sources.put(name, assemble(common, body));
        }
        try {
            call("load scripts", () -> {
                loadScripts();
                return null;
            });
        } catch (LatchStoreException e) {
            close();
            throw e;
        }
        this.description = "RedisLatchStore[" + (b.cluster ? "cluster " : b.sentinelMaster != null ? "sentinel " : "")
                + hosts(b.uris) + ", prefix=" + prefix + "]";
    }

    private static String hosts(List<URI> uris) {
        StringBuilder out = new StringBuilder();
        for (URI u : uris) {
            out.append(out.length() == 0 ? "" : ",").append(u.getHost()).append(':').append(u.getPort());
        }
        return out.toString();
    }

    /**
     * @param uri {@code redis://host:port} or {@code rediss://host:port} (TLS)
     * @return a builder
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public static Builder builder(URI uri) {
        return new Builder(List.of(Names.required(uri, "uri")), false, null);
    }

    /**
     * A store on a Redis Cluster. Every script's keys share one hash tag (the subject's, or the
     * key's or record's own), so each script runs on one slot; Lettuce's cluster client learns
     * the slot map from the seeds, follows {@code MOVED} and {@code ASK} redirects and refreshes
     * the map when it sees one.
     *
     * <pre>{@code
     * RedisLatchStore store = RedisLatchStore.cluster(List.of(
     *         URI.create("redis://redis-0.internal:6379"), URI.create("redis://redis-1.internal:6379"))).build();
     * }</pre>
     *
     * @param seeds one or more nodes of the cluster, {@code redis://} or {@code rediss://}
     * @return a builder
     * @throws IllegalArgumentException when the list is null, empty, longer than 64 or holds a bad URI
     */
    public static Builder cluster(List<URI> seeds) {
        return new Builder(seeds, true, null);
    }

    /**
     * A store on a primary that Redis Sentinel watches: the Sentinels are asked for the primary
     * at connect and again at every reconnect, so after a failover the store reaches the new
     * primary by itself. Calls made while there is no primary fail closed with a
     * {@link LatchStoreException}; {@link Builder#waitForReplica} keeps a consume acknowledged by
     * a replica before an open of those policies returns.
     *
     * <pre>{@code
     * RedisLatchStore store = RedisLatchStore.sentinel("latch", List.of(
     *         URI.create("redis://sentinel-0.internal:26379"), URI.create("redis://sentinel-1.internal:26379")))
     *         .waitForReplica(Duration.ofMillis(200), "HIGH", "EMERGENCY").build();
     * }</pre>
     *
     * @param masterName the name the Sentinels monitor the primary under
     * @param sentinels  one or more Sentinels, {@code redis://host:port} (port 26379 when left out)
     * @return a builder
     * @throws IllegalArgumentException when an argument is null, empty or malformed
     */
    public static Builder sentinel(String masterName, List<URI> sentinels) {
        if (Names.required(masterName, "masterName").isEmpty() || masterName.length() > 256
                || !masterName.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("masterName must be 1 to 256 printable ASCII characters");
        }
        return new Builder(sentinels, false, masterName);
    }

    private static String resource(String name) {
        try (InputStream in = RedisLatchStore.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read script " + name, e);
        }
    }

    /**
     * Splits common.lua into its top-level definitions, each {name, text}: a definition starts at
     * a {@code local} line, or at the comment lines just above one.
     */
    static List<String[]> helpers(String common) {
        List<String[]> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        String name = null;
        boolean afterComment = false;
        for (String line : common.split("\n")) {
            boolean comment = line.startsWith("--");
            if ((comment || line.startsWith("local ")) && !afterComment && name != null) {
                out.add(new String[]{name, text.toString()});
                text.setLength(0);
                name = null;
            }
            if (name == null && line.startsWith("local ")) {
                String rest = line.substring(line.startsWith("local function ") ? 15 : 6);
                name = rest.split("[^A-Za-z0-9_]", 2)[0];
            }
            afterComment = comment;
            text.append(line).append('\n');
        }
        if (name != null) {
            out.add(new String[]{name, text.toString()});
        }
        return out;
    }

    /**
     * Lines in a script body around a rare path's code: the helpers used only between them are
     * defined at the first.
     */
    static final Pattern RARE = Pattern.compile("(?ms)^[ \\t]*--@helpers[ \\t]*\\n(.*?)^[ \\t]*--@end[ \\t]*\\n");

    /**
     * A script as sent: the body with the common.lua helpers it uses, and the helpers they use, in
     * common.lua's order. A Lua script runs its whole text on every call, so each helper defined
     * is a closure made per call. Unused ones are left out, and those used only between a
     * {@code --@helpers} line and an {@code --@end} line (the code of a rare path, inside one
     * block) are defined at the first, so that they are made only when that code runs.
     */
    static String assemble(List<String[]> helpers, String body) {
        Matcher m = RARE.matcher(body);
        if (!m.find()) {
            return prelude(helpers, body) + body;
        }
        String above = body.substring(0, m.start());
        String rare = m.group(1);
        String below = body.substring(m.end());
        boolean[] top = needed(helpers, above + below, new boolean[helpers.size()]);
        return definitions(helpers, top) + above + definitions(helpers, needed(helpers, rare, top)) + rare + below;
    }

    /** The helpers a text uses, and the helpers they use, in common.lua's order. */
    static String prelude(List<String[]> helpers, String text) {
        return definitions(helpers, needed(helpers, text, new boolean[helpers.size()]));
    }

    /** Lua comments, which name helpers without using them. */
    private static final Pattern COMMENT = Pattern.compile("--[^\\n]*");

    /** Which helpers a text needs, transitively, other than those already defined. */
    private static boolean[] needed(List<String[]> helpers, String text, boolean[] defined) {
        boolean[] used = new boolean[helpers.size()];
        StringBuilder needed = new StringBuilder(COMMENT.matcher(text).replaceAll(""));
        for (boolean grew = true; grew; ) {
            grew = false;
            for (int i = 0; i < helpers.size(); i++) {
                if (!used[i] && !defined[i]
                        && Pattern.compile("\\b" + helpers.get(i)[0] + "\\b").matcher(needed).find()) {
                    used[i] = true;
                    needed.append(COMMENT.matcher(helpers.get(i)[1]).replaceAll(""));
                    grew = true;
                }
            }
        }
        return used;
    }

    private static String definitions(List<String[]> helpers, boolean[] which) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < helpers.size(); i++) {
            if (which[i]) {
                out.append(helpers.get(i)[1]);
            }
        }
        return out.toString();
    }

    /** Loads every script; on a Cluster, Lettuce sends SCRIPT LOAD to every primary. */
    private void loadScripts() {
        for (Map.Entry<String, String> e : sources.entrySet()) {
            shas.put(e.getKey(), send().scriptLoad(e.getValue()));
        }
    }

    /**
     * Every command goes through here, so {@link #commandsSent()} counts what was sent. (A Lettuce
     * {@code CommandListener} would count the same, at the price of an event object and a wrapped
     * command per call.) The sync API applies the URI's timeout to each command.
     */
    private RedisClusterCommands<String, String> send() {
        commandsSent.increment();
        return redis;
    }

    private <T> T call(String operation, Supplier<T> op) {
        try {
            return op.get();
        } catch (RuntimeException e) {
            throw LatchStoreException.of("Redis " + operation, e);
        }
    }

    /** Where asynchronous results complete: off Lettuce's event loop, so that continuations may block. */
    private static final Executor CALLBACKS = ForkJoinPool.commonPool();

    /**
     * A script call that does not wait: sent now on the shared connection (so calls made back to
     * back are pipelined). A script the server lost (restart, SCRIPT FLUSH) is loaded again and the
     * call repeated once, off the event loop; any other failure is a {@link LatchStoreException}.
     */
    private <T> CompletionStage<T> evalAsync(String script, ScriptOutputType type, String[] keys, String... args) {
        CompletableFuture<T> out = new CompletableFuture<>();
        CompletionStage<T> first;
        try {
            commandsSent.increment();
            first = async.evalsha(shas.get(script), type, keys, args);
        } catch (RuntimeException e) {
            out.completeExceptionally(LatchStoreException.of("Redis " + script, e));
            return out;
        }
        first.whenComplete((v, e) -> {
            if (e == null) {
                out.complete(v);
                return;
            }
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                CALLBACKS.execute(() -> {
                    try {
                        out.complete(eval(script, type, keys, args));
                    } catch (RuntimeException x) {
                        out.completeExceptionally(x);
                    }
                });
            } else {
                out.completeExceptionally(LatchStoreException.of("Redis " + script,
                        cause instanceof RuntimeException r ? r : new RedisException(cause)));
            }
        });
        return out;
    }

    /**
     * A script call that waits for its reply, at most the timeout (then the command is cancelled
     * and the call fails closed). Sent on the asynchronous API and awaited here, as Lettuce's
     * sync API does, without the sync API's reflective proxy and its per-call arrays.
     */
    private <T> T eval(String script, ScriptOutputType type, String[] keys, String... args) {
        try {
            try {
                return evalOnce(script, type, keys, args);
            } catch (RedisNoScriptException e) {
                loadScripts(); // Redis restarted or SCRIPT FLUSH: load again and retry once
                return evalOnce(script, type, keys, args);
            }
        } catch (RuntimeException e) {
            throw LatchStoreException.of("Redis " + script, e);
        }
    }

    private <T> T evalOnce(String script, ScriptOutputType type, String[] keys, String[] args) {
        commandsSent.increment();
        RedisFuture<T> reply = async.evalsha(shas.get(script), type, keys, args);
        return LettuceFutures.awaitOrCancel(reply, timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ keys

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code <prefix>:{S:<subject>}:c4:<latch>}: a slot carries its subject's hash tag, so an
     * open, an issue (with the subject's rate window and member set) and an OTP acceptance each
     * touch one Cluster slot.
     */
    String slotKey(String latchId, String subject) {
        SlotKeys k = slotKeys;
        if (!latchId.equals(k.latchId)) {
            // "c4" names the slot layout (common.lua's SLOT) and the key layout: a change renames
            // it, so that no slot is ever read with a layout other than the one it was written with.
            k = new SlotKeys(latchId, "}:c4:" + b64(latchId));
            slotKeys = k;
        }
        return prefix + ":{S:" + b64(subject) + k.suffix;
    }

    /**
     * The slot keys' end for the latch used last: every open needs it, and a service opens
     * codes of a few latches. (Another latch replaces it; opens of several latches, interleaved,
     * each compute theirs, as without it.)
     */
    private record SlotKeys(String latchId, String suffix) {
    }

    /** The subject's member set, from one of its slot keys (which carry the subject's hash tag). */
    private static String subjectMembers(String slot) {
        return slot.substring(0, slot.indexOf('}') + 1) + ":members";
    }

    private String latchSet(String latchId) {
        return prefix + ":{L:" + b64(latchId) + "}:members";
    }

    private String subjectKey(String subject, String what) {
        return prefix + ":{S:" + b64(subject) + "}:" + what;
    }

    private String codeIndex(String codeId) {
        return prefix + ":code:" + codeId;
    }

    private String keyKey(String keyId) {
        return prefix + ":key:" + keyId;
    }

    private String markerKey(String key) {
        return prefix + ":m:" + key;
    }

    // ------------------------------------------------------------------ records

    private static String ms(Instant t) {
        return Long.toString(t.toEpochMilli());
    }

    /** The code as issue.lua reads it: kinds and states by their (distinct) first letters. */
    private static List<String> codeFields(CodeRecord c) {
        StringBuilder dig = new StringBuilder();
        StringBuilder used = new StringBuilder();
        for (int i = 0; i < c.digests().size(); i++) {
            dig.append(HEX.formatHex(c.digests().get(i)));
            used.append((c.usedSlots() & (1L << i)) != 0 ? '1' : '0');
        }
        return List.of(c.codeId(), c.latchId(), c.subject(), c.policy() == null ? "" : c.policy(),
                String.valueOf(c.kind().name().charAt(0)), dig.toString(), used.toString(),
                String.valueOf(c.state().name().charAt(0)), ms(c.issuedAt()), ms(c.notBefore()), ms(c.expiresAt()),
                Integer.toString(c.attemptsLeft()), Integer.toString(c.usesLeft()), Integer.toString(c.renewalsLeft()),
                c.reviewRequired() ? "1" : "0", c.conditions(), c.request() == null ? "" : HEX.formatHex(c.request()));
    }

    /** @return the used-slot bits of a {@code used} field, one '0' or '1' per digest */
    private static long usedSlots(String used) {
        long bits = 0;
        for (int i = 0; i < used.length() && i < 64; i++) {
            if (used.charAt(i) == '1') {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    private static Map<String, String> map(List<Object> flat, int from) {
        Map<String, String> m = new HashMap<>();
        for (int i = from; i + 1 < flat.size(); i += 2) {
            m.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return m;
    }

    private static CodeRecord code(Map<String, String> m) {
        if (m.get("cid") == null || m.get("cid").isEmpty()) {
            return null;
        }
        String dig = m.get("dig");
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i + 64 <= dig.length(); i += 64) {
            digests.add(HEX.parseHex(dig, i, i + 64));
        }
        String req = m.get("req");
        return new CodeRecord(m.get("cid"), m.get("latch"), m.get("subj"), m.get("pol"),
                CodeFormat.Kind.valueOf(m.get("kind")), digests, usedSlots(m.get("used")),
                CodeInfo.State.valueOf(m.get("st")), instant(m.get("iss")), instant(m.get("nbf")), instant(m.get("exp")),
                Integer.parseInt(m.get("att")), Integer.parseInt(m.get("uses")), Integer.parseInt(m.get("ren")),
                "1".equals(m.get("rev")), m.getOrDefault("cond", ""), req == null || req.isEmpty() ? null : HEX.parseHex(req));
    }

    private static Instant instant(String v) {
        return v == null || v.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(v));
    }

    private static String[] args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                for (Object o : l) {
                    out.add(String.valueOf(o));
                }
            } else {
                out.add(p == null ? "" : String.valueOf(p));
            }
        }
        return out.toArray(new String[0]);
    }

    // ------------------------------------------------------------------ dynamic codes

    @Override
    public IssueResult issue(CodeRecord code, RateLimit limit, Instant now) {
        Call c = issueCall(code, limit, now);
        return issueResult(await("issue", sendIssue(code, c, now)));
    }

    /**
     * {@inheritDoc} Sent at once on the shared connection, so issues started back to back are
     * pipelined; completes on the common pool (so that what follows may block).
     */
    @Override
    public CompletionStage<IssueResult> issueAsync(CodeRecord code, RateLimit limit, Instant now) {
        Call c;
        try {
            c = issueCall(code, limit, now);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sendIssue(code, c, now).thenApplyAsync(RedisLatchStore::issueResult, CALLBACKS);
    }

    /** A script call's keys and arguments. */
    private record Call(String[] keys, String[] args) {
    }

    private Call issueCall(CodeRecord code, RateLimit limit, Instant now) {
        Names.required(code, "code");
        Names.required(now, "now");
        String slot = slotKey(code.latchId(), code.subject());
        String[] keys = {slot, subjectKey(code.subject(), "rate"), subjectKey(code.subject(), "members")};
        return new Call(keys, args(now.toEpochMilli(), limit == null ? 0 : limit.count(),
                limit == null ? 0 : limit.window().toMillis(), codeFields(code)));
    }

    /** Kept this long after a code expires, as the slot keeps it (common.lua's TOMBSTONE). */
    private static final long TOMBSTONE_MS = 3_600_000;
    /** common.lua's NEVER: a code that never expires. */
    private static final long NEVER_MS = 253_402_300_799_000L;

    /** How long a code's index and member-set entries must last: as long as the code can matter; -1 for good. */
    private static long codeTtl(Instant expiresAt, Instant now) {
        long exp = expiresAt.toEpochMilli();
        return exp >= NEVER_MS ? -1 : Math.max(0, exp + TOMBSTONE_MS - now.toEpochMilli()) + 60_000;
    }

    /**
     * Sends the issue with the code's index and its latch's member set, which live on other
     * slots (index first, so that no slot holds a code its index does not lead to; an index
     * whose issue did not happen names a slot without that code, which every lookup checks),
     * pipelined: one round trip on one server, one per node touched on a Cluster.
     */
    private CompletionStage<List<Object>> sendIssue(CodeRecord code, Call c, Instant now) {
        String ttl = Long.toString(codeTtl(code.expiresAt(), now));
        String slot = c.keys()[0];
        CompletionStage<Long> index = evalAsync("index", ScriptOutputType.INTEGER,
                new String[]{codeIndex(code.codeId())}, "S", ttl, slot);
        CompletionStage<Long> member = evalAsync("index", ScriptOutputType.INTEGER,
                new String[]{latchSet(code.latchId())}, "A", ttl, slot);
        CompletionStage<List<Object>> issued = evalAsync("issue", ScriptOutputType.MULTI, c.keys(), c.args());
        return index.thenCombine(member, (a, b) -> a).thenCombine(issued, (a, r) -> r);
    }

    /** Waits for a stage as the sync API waits for a command: at most the timeout, then fails closed. */
    private <T> T await(String operation, CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LatchStoreException l) {
                throw l;
            }
            throw LatchStoreException.of("Redis " + operation,
                    cause instanceof RuntimeException r ? r : new RedisException(cause));
        } catch (java.util.concurrent.TimeoutException e) {
            stage.toCompletableFuture().cancel(false);
            throw LatchStoreException.of("Redis " + operation, new io.lettuce.core.RedisCommandTimeoutException(
                    "no reply within " + timeoutMillis + " ms"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LatchStoreException.of("Redis " + operation, new RedisException("interrupted"));
        }
    }

    private static IssueResult issueResult(List<Object> r) {
        if ("RATE_LIMITED".equals(r.get(0))) {
            return IssueResult.rateLimited();
        }
        String replaced = String.valueOf(r.get(1));
        return new IssueResult(true, replaced.isEmpty() ? null : replaced);
    }

    @Override
    public OpenResult open(OpenRequest req) {
        Call c = openCall(req);
        return replicated(openResult(eval("open", ScriptOutputType.VALUE, c.keys(), c.args())), c.keys()[0]);
    }

    /**
     * {@inheritDoc} Completes on the common pool, after the replica acknowledgement when the
     * code's policy asks for one, so that what follows may block.
     */
    @Override
    public CompletionStage<OpenResult> openAsync(OpenRequest req) {
        Call c;
        try {
            c = openCall(req);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return this.<String>evalAsync("open", ScriptOutputType.VALUE, c.keys(), c.args())
                .thenApplyAsync(r -> replicated(openResult(r), c.keys()[0]), CALLBACKS);
    }

    private OpenResult replicated(OpenResult result, String slot) {
        if (result.outcome() == OpenResult.Outcome.OPENED && result.code() != null
                && waitPolicies.contains(result.code().policy())) {
            waitForReplica(slot);
        }
        return result;
    }

    private Call openCall(OpenRequest req) {
        Names.required(req, "req");
        // The subject's sources are a key of their own, declared only when there is a source to
        // record: each declared key is one more string for the server to make per call.
        String[] keys = req.source() == null ? new String[]{slotKey(req.latchId(), req.subject())}
                : new String[]{slotKey(req.latchId(), req.subject()), subjectKey(req.subject(), "sources")};
        LockoutArgs lockout = lockoutArgs;
        if (lockout.policy != req.lockout()) {
            lockout = new LockoutArgs(req.lockout());
            lockoutArgs = lockout;
        }
        // The optional arguments go last and are left off when empty: Redis makes a string of
        // every argument on every call, and an open usually has none of them.
        boolean rotating = req.previousFolded() != null || req.previousExact() != null;
        int n = rotating ? 8 : req.source() != null ? 6 : req.conditionsCleared() ? 5 : req.request() != null ? 4
                : req.exactDigest() != null ? 3 : 2;
        String[] args = new String[n];
        // <now>|<kinds>|<lockout>, as open.lua reads it: now as 13 hex digits of the time plus
        // 2^51, so that the script reads it at a fixed place; kinds by their first letters (N, B, O).
        StringBuilder meta = new StringBuilder(48);
        appendNow(meta, req.now().toEpochMilli()).append('|');
        for (CodeFormat.Kind k : req.kinds()) {
            meta.append(k.name().charAt(0));
        }
        args[0] = meta.append('|').append(lockout.numbers).toString();
        args[1] = req.foldedDigest() == null ? "" : digestCheck(req.foldedDigest());
        if (n > 2) {
            args[2] = req.exactDigest() == null ? "" : digestCheck(req.exactDigest());
        }
        if (n > 3) {
            args[3] = req.request() == null ? "" : HEX.formatHex(req.request());
        }
        if (n > 4) {
            args[4] = req.conditionsCleared() ? "1" : "0";
        }
        if (n > 5) {
            args[5] = req.source() == null ? "" : req.source();
        }
        if (n > 6) {
            args[6] = req.previousFolded() == null ? "" : digestCheck(req.previousFolded());
            args[7] = req.previousExact() == null ? "" : digestCheck(req.previousExact());
        }
        return new Call(keys, args);
    }

    /**
     * An open.lua reply as the core reads it: the common case's ({@link #fastOpened}) or the
     * general form, outcome|failures|locked until|locked now|burned now|sighting|uses|review|tail.
     *
     * @throws LatchStoreException for a reply of neither form
     */
    static OpenResult openResult(String r) {
        try {
            return r.startsWith("+") ? fastOpened(r) : generalResult(r);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) { // a number or name that is not one
            throw malformedReply();
        }
    }

    private static LatchStoreException malformedReply() {
        return new LatchStoreException("Redis open: malformed reply");
    }

    private static OpenResult generalResult(String r) {
        // Read with indexOf: String.split's list and copies were a measurable part of an open's
        // time on the calling thread.
        int[] bar = new int[8];
        for (int i = 0, from = 0; i < 8; i++) {
            bar[i] = r.indexOf('|', from);
            if (bar[i] < 0) {
                throw malformedReply();
            }
            from = bar[i] + 1;
        }
        OpenResult.Outcome outcome = OpenResult.Outcome.valueOf(r.substring(0, bar[0]));
        int failures = Integer.parseInt(r, bar[0] + 1, bar[1], 10);
        Instant lockedUntil = bar[2] == bar[1] + 1 ? null
                : Instant.ofEpochMilli(Long.parseLong(r, bar[1] + 1, bar[2], 10));
        boolean lockedNow = r.charAt(bar[2] + 1) == '1';
        boolean burnedNow = r.charAt(bar[3] + 1) == '1';
        OpenResult.SourceSighting sighting = bar[5] == bar[4] + 1 ? null
                : OpenResult.SourceSighting.valueOf(r.substring(bar[4] + 1, bar[5]));
        CodeSummary code = summary(r, bar[7] + 1, Integer.parseInt(r, bar[5] + 1, bar[6], 10),
                r.charAt(bar[6] + 1) == '1');
        return new OpenResult(outcome, code, failures, lockedUntil, lockedNow, burnedNow, sighting);
    }

    /**
     * The code a reply describes, from its tail ({@code <bytes of id>:<bytes of policy>:<id><policy><conditions>}
     * at {@code from}), or null when the tail says the slot holds no code.
     */
    private static CodeSummary summary(String r, int from, int usesLeft, boolean reviewDue) {
        int colon = r.indexOf(':', from);
        int colon2 = r.indexOf(':', colon + 1);
        if (colon < 0 || colon2 < 0) {
            throw malformedReply();
        }
        int idBytes = Integer.parseInt(r, from, colon, 10);
        int policyBytes = Integer.parseInt(r, colon + 1, colon2, 10);
        if (idBytes < 0 || policyBytes < 0) {
            throw malformedReply();
        }
        int idEnd = afterUtf8Bytes(r, colon2 + 1, idBytes);
        int policyEnd = afterUtf8Bytes(r, idEnd, policyBytes);
        return idEnd == colon2 + 1 ? null
                : CodeSummary.of(r.substring(colon2 + 1, idEnd), r.substring(idEnd, policyEnd), usesLeft, reviewDue,
                        r.substring(policyEnd));
    }

    /** 2^51: open.lua's time argument is the time in milliseconds plus this, in 13 hex digits. */
    static final long NOW_OFFSET = 1L << 51;

    /**
     * Appends a time as open.lua reads it: 13 hex digits of {@code ms + 2^51}, which covers
     * about 71,000 years either side of 1970.
     *
     * @throws LatchStoreException for a time outside that range: the open fails closed
     */
    static StringBuilder appendNow(StringBuilder out, long ms) {
        if (ms <= -NOW_OFFSET || ms >= NOW_OFFSET) {
            throw new LatchStoreException("Redis open: the clock's time is out of range");
        }
        String hex = Long.toHexString(ms + NOW_OFFSET);
        for (int i = hex.length(); i < 13; i++) {
            out.append('0');
        }
        return out.append(hex);
    }

    /**
     * The reply of open.lua's common case: '+', the head it wrote (a gate letter, then the uses
     * left as six base-64 digits, each stored as '0' + digit), then {@code <rev>|<tail>}.
     */
    private static OpenResult fastOpened(String r) {
        if (r.length() < 10 || r.charAt(9) != '|' || (r.charAt(8) != '0' && r.charAt(8) != '1')) {
            throw malformedReply();
        }
        long uses = 0;
        for (int i = 2; i < 8; i++) {
            int d = r.charAt(i) - '0';
            if (d < 0 || d > 63) {
                throw malformedReply();
            }
            uses = uses * 64 + d;
        }
        if (uses > Integer.MAX_VALUE) {
            throw malformedReply();
        }
        CodeSummary code = summary(r, 10, (int) uses, r.charAt(8) == '1');
        if (code == null) {
            throw malformedReply();
        }
        return new OpenResult(OpenResult.Outcome.OPENED, code, 0, null, false, false, null);
    }

    private static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing; every Java platform must have it", e);
        }
    }

    /**
     * What open.lua compares with a stored digest: the SHA-1, in hex, of the digest's hex, as the
     * slot keeps it for each stored digest ({@code dh}). Comparing hashes of both sides means the
     * time a comparison takes says nothing about how many characters of the digests agree. The
     * client hashes the presented side: SHA-1 in Java takes a fraction of the microsecond that
     * {@code redis.sha1hex} took on the Redis thread, which every open shares.
     */
    static String digestCheck(byte[] digest) {
        DigestCheck d = DIGEST_CHECK.get();
        if (digest.length * 2 > d.hexIn.length) {
            d = new DigestCheck(digest.length * 2);
        }
        // Lower-case hex as ASCII bytes, by table (HexFormat's general path took as long as the SHA-1).
        int n = hex(digest, d.hexIn);
        d.sha1.update(d.hexIn, 0, n);
        try {
            d.sha1.digest(d.hash, 0, 20);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-1 wrote no 20-byte digest", e);
        } finally {
            Arrays.fill(d.hexIn, 0, n, (byte) 0);
        }
        return new String(d.hexOut, 0, hex(d.hash, d.hexOut), StandardCharsets.ISO_8859_1);
    }

    /** Per thread: a SHA-1 and its buffers, so that a digest check makes only its result string. */
    private static final ThreadLocal<DigestCheck> DIGEST_CHECK = ThreadLocal.withInitial(() -> new DigestCheck(64));

    private static final class DigestCheck {
        final MessageDigest sha1 = newSha1();
        final byte[] hexIn;
        final byte[] hash = new byte[20];
        final byte[] hexOut = new byte[40];

        DigestCheck(int hexLength) {
            hexIn = new byte[hexLength];
        }
    }

    /** Writes lower-case hex of {@code bytes} into {@code out}; returns the length written. */
    private static int hex(byte[] bytes, byte[] out) {
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX_DIGITS[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX_DIGITS[bytes[i] & 0xf];
        }
        return bytes.length * 2;
    }

    /**
     * A lockout policy's numbers as the open script's lockout argument. Services use one or a few
     * policies, so the last one seen is kept (one field, no map to grow) rather than formatting
     * four numbers on every open.
     */
    private static final class LockoutArgs {
        final LockoutPolicy policy;
        /** threshold:base:max:memory, durations in milliseconds, as open.lua reads them. */
        final String numbers;

        LockoutArgs(LockoutPolicy p) {
            policy = p;
            numbers = p.threshold() + ":" + p.baseBackoff().toMillis() + ":" + p.maxBackoff().toMillis() + ":"
                    + p.failureMemory().toMillis();
        }
    }

    /** @return the index in s after the characters that take {@code bytes} bytes in UTF-8 from {@code from} */
    static int afterUtf8Bytes(String s, int from, int bytes) {
        int i = from;
        while (bytes > 0) {
            int cp = s.codePointAt(i);
            bytes -= cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        return i;
    }

    /**
     * {@code WAIT 1} on the connection that sent the write: Redis counts the replicas that have
     * that client's writes, so a WAIT on any other connection would prove nothing. On a Cluster
     * that is Lettuce's write connection to the slot's primary. The WAIT holds that connection
     * (and the calls queued behind it) until a replica answers or the timeout passes.
     */
    private void waitForReplica(String slot) {
        Long acked = call("WAIT", () -> {
            RedisClusterCommands<String, String> target = send();
            if (clusterConnection != null) {
                RedisClusterNode primary = clusterConnection.getPartitions().getMasterBySlot(SlotHash.getSlot(slot));
                if (primary == null) {
                    throw new RedisException("no primary is known for the code's slot");
                }
                target = clusterConnection.getConnection(primary.getUri().getHost(), primary.getUri().getPort(),
                        ConnectionIntent.WRITE).sync();
            }
            return target.waitForReplication(1, waitTimeout.toMillis());
        });
        if (acked == null || acked < 1) {
            throw new LatchStoreException("the consume was not acknowledged by a replica within " + waitTimeout
                    + "; it may be lost on failover, so this open fails closed");
        }
    }

    @Override
    public Optional<CodeRecord> find(String codeId) {
        Names.required(codeId, "codeId");
        String slot = slotOf(codeId);
        if (slot == null) {
            return Optional.empty();
        }
        List<Object> r = eval("find", ScriptOutputType.MULTI, new String[]{slot}, codeId);
        return r.isEmpty() ? Optional.empty() : Optional.ofNullable(code(map(r, 0)));
    }

    @Override
    public boolean revoke(String codeId, Instant now) {
        Names.required(codeId, "codeId");
        Names.required(now, "now");
        String slot = slotOf(codeId);
        if (slot == null) {
            return false;
        }
        Long n = eval("revoke", ScriptOutputType.INTEGER, new String[]{slot}, codeId);
        return n != null && n == 1;
    }

    @Override
    public int revokeLatch(String latchId, Instant now) {
        Names.required(latchId, "latchId");
        Names.required(now, "now");
        return revokeSet(latchSet(latchId));
    }

    @Override
    public int revokeSubject(String subject, Instant now) {
        Names.required(subject, "subject");
        Names.required(now, "now");
        return revokeSet(subjectKey(subject, "members"));
    }

    /**
     * The slot a code's index names, or null. The index may be stale (the slot then holds a later
     * code or none), so every script given this slot checks the code id.
     */
    private String slotOf(String codeId) {
        String slot = call("GET", () -> send().get(codeIndex(codeId)));
        if (slot != null && !slot.startsWith(prefix + ":{S:")) {
            throw malformedReply();
        }
        return slot;
    }

    /**
     * Revokes the pending codes of a member set's slots, one script per slot (pipelined, 256 at
     * a time), since on a Cluster the slots of a latch's subjects live on different nodes. Each
     * slot's revocation is atomic; the set's as a whole is not, so an open that races with it
     * may still open a code not yet reached, as an open just before it would have. Slots that
     * are gone are removed from the set.
     */
    private int revokeSet(String set) {
        Set<String> members = call("SMEMBERS", () -> send().smembers(set));
        List<String> slots = new ArrayList<>(members);
        int revoked = 0;
        List<String> gone = new ArrayList<>();
        for (int from = 0; from < slots.size(); from += 256) {
            List<String> batch = slots.subList(from, Math.min(slots.size(), from + 256));
            List<CompletableFuture<Long>> sent = new ArrayList<>(batch.size());
            for (String slot : batch) {
                if (!slot.startsWith(prefix + ":{S:")) {
                    throw malformedReply();
                }
                sent.add(this.<Long>evalAsync("revoke_slot", ScriptOutputType.INTEGER, new String[]{slot})
                        .toCompletableFuture());
            }
            for (int i = 0; i < sent.size(); i++) {
                long r = await("revoke", sent.get(i));
                if (r == 1) {
                    revoked++;
                } else if (r == -1) {
                    gone.add(batch.get(i));
                }
            }
        }
        if (!gone.isEmpty()) {
            call("SREM", () -> send().srem(set, gone.toArray(new String[0])));
        }
        return revoked;
    }

    @Override
    public RenewResult renew(String codeId, Instant newExpiry, Instant now) {
        Names.required(codeId, "codeId");
        Names.required(newExpiry, "newExpiry");
        Names.required(now, "now");
        String slot = slotOf(codeId);
        if (slot == null) {
            return new RenewResult(RenewResult.Outcome.NOT_FOUND, null);
        }
        List<Object> r = eval("renew", ScriptOutputType.MULTI, new String[]{slot, subjectMembers(slot)}, codeId,
                ms(newExpiry), ms(now));
        RenewResult.Outcome outcome = RenewResult.Outcome.valueOf(String.valueOf(r.get(0)));
        CodeRecord renewed = r.size() > 1 ? code(map(r, 1)) : null;
        if (outcome == RenewResult.Outcome.RENEWED && renewed != null) {
            // the index and the latch's member set must last as long as the code now does
            String ttl = Long.toString(codeTtl(renewed.expiresAt(), now));
            CompletionStage<Long> index = evalAsync("index", ScriptOutputType.INTEGER, new String[]{codeIndex(codeId)},
                    "K", ttl);
            CompletionStage<Long> member = evalAsync("index", ScriptOutputType.INTEGER,
                    new String[]{latchSet(renewed.latchId())}, "K", ttl);
            await("renew", index.thenCombine(member, (a, b) -> a));
        }
        return new RenewResult(outcome, renewed);
    }

    // ------------------------------------------------------------------ counters and markers

    @Override
    public CounterResult acceptCounter(CounterRequest req) {
        Names.required(req, "req");
        List<String> a = new ArrayList<>(List.of(ms(req.now()), Integer.toString(req.lockout().threshold()),
                Long.toString(req.lockout().baseBackoff().toMillis()), Long.toString(req.lockout().maxBackoff().toMillis()),
                Long.toString(req.lockout().failureMemory().toMillis()), req.wellFormed() ? "1" : "0"));
        for (long m : req.matches()) {
            a.add(Long.toString(m));
            a.add(Long.toUnsignedString(m + 1));
        }
        List<Object> r = eval("counter", ScriptOutputType.MULTI, new String[]{slotKey(req.latchId(), req.subject())},
                a.toArray(new String[0]));
        CounterResult.Outcome outcome = CounterResult.Outcome.valueOf(String.valueOf(r.get(0)));
        String counter = String.valueOf(r.get(1));
        return new CounterResult(outcome, counter.isEmpty() ? -1 : Long.parseLong(counter),
                Integer.parseInt(String.valueOf(r.get(2))), instant(String.valueOf(r.get(3))), "1".equals(String.valueOf(r.get(4))));
    }

    @Override
    public OptionalLong nextCounter(String latchId, String subject) {
        Names.required(latchId, "latchId");
        Names.required(subject, "subject");
        String v = eval("next_counter", ScriptOutputType.VALUE, new String[]{slotKey(latchId, subject)});
        if (v == null || v.isEmpty() || v.equals("-1")) {
            return OptionalLong.empty();
        }
        long next;
        try {
            next = Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw malformedReply();
        }
        // 2^63 once the counter 2^63 - 1 was accepted: reported as 2^63 - 1, which acceptCounter refuses as a replay
        return OptionalLong.of(next < 0 ? Long.MAX_VALUE : next);
    }

    private static long ttl(Instant expiresAt, Instant now) {
        return Math.max(1, expiresAt.toEpochMilli() - now.toEpochMilli()) + 60_000;
    }

    @Override
    public boolean putOnce(String key, Instant expiresAt, Instant now) {
        Names.required(key, "key");
        Names.required(expiresAt, "expiresAt");
        Names.required(now, "now");
        Long r = eval("put_once", ScriptOutputType.INTEGER, new String[]{markerKey(key)}, ms(now), ms(expiresAt),
                Long.toString(ttl(expiresAt, now)));
        return r != null && r == 1;
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
        call("SET", () -> send().set(markerKey(key), ms(expiresAt) + "|" + value, SetArgs.Builder.px(ttl(expiresAt, now))));
    }

    @Override
    public Optional<String> getMarker(String key, Instant now) {
        Names.required(key, "key");
        Names.required(now, "now");
        String v = call("GET", () -> send().get(markerKey(key)));
        if (v == null) {
            return Optional.empty();
        }
        int bar = v.indexOf('|');
        return now.toEpochMilli() < Long.parseLong(v.substring(0, bar)) ? Optional.of(v.substring(bar + 1)) : Optional.empty();
    }

    @Override
    public EventCount countEvent(String key, int threshold, Duration window, Duration cooldown, Instant now) {
        Names.required(key, "key");
        Names.required(window, "window");
        Names.required(cooldown, "cooldown");
        Names.required(now, "now");
        EventCount.checkArguments(key, threshold, window, cooldown);
        String base = prefix + ":{E:" + b64(key) + "}";
        List<Object> r = eval("count_event", ScriptOutputType.MULTI, new String[]{base + ":t", base + ":cd"}, ms(now),
                Integer.toString(threshold), Long.toString(window.toMillis()), Long.toString(cooldown.toMillis()));
        return new EventCount(((Number) r.get(0)).intValue(), ((Number) r.get(1)).intValue() == 1,
                ((Number) r.get(2)).intValue() == 1);
    }

    // ------------------------------------------------------------------ durable records and scheduled work

    private String recordKey(String key) {
        return prefix + ":r:" + b64(key);
    }

    @Override
    public Optional<Versioned> getRecord(String key, Instant now) {
        LatchStore.checkRecordKey(key);
        Names.required(now, "now");
        String v = call("GET", () -> send().get(recordKey(key)));
        if (v == null) {
            return Optional.empty();
        }
        int b1 = v.indexOf('|');
        int b2 = b1 < 0 ? -1 : v.indexOf('|', b1 + 1);
        int b3 = b2 < 0 ? -1 : v.indexOf('|', b2 + 1);
        if (b3 < 0 || !v.startsWith("r1|")) {
            // written by a later layout (or not by latch): never guess at a security record
            throw new LatchStoreException("a stored record has a layout this version of latch-redis does not read");
        }
        try {
            long version = Long.parseLong(v, b1 + 1, b2, 10);
            long expires = Long.parseLong(v, b2 + 1, b3, 10);
            return now.toEpochMilli() < expires ? Optional.of(new Versioned(v.substring(b3 + 1), version))
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            throw malformedReply();
        }
    }

    @Override
    public boolean compareAndSet(String key, long expectedVersion, String value, Instant expiresAt, Instant now) {
        LatchStore.checkRecord(key, expectedVersion, value, expiresAt, now);
        Long r = eval("cas", ScriptOutputType.INTEGER, new String[]{recordKey(key)}, ms(now),
                Long.toString(expectedVersion), ms(expiresAt), Long.toString(ttl(expiresAt, now)), value);
        return r != null && r == 1;
    }

    /** Every work key shares one hash tag, so the claim script's keys share a Cluster slot. */
    private String workQueue() {
        return prefix + ":{W}:q";
    }

    private String workItemPrefix() {
        return prefix + ":{W}:i:";
    }

    @Override
    public void schedule(Work work, Instant now) {
        Names.required(work, "work");
        Names.required(now, "now");
        String member = b64(work.id());
        eval("schedule", ScriptOutputType.INTEGER, new String[]{workQueue(), workItemPrefix() + member}, member,
                work.id(), work.kind(), work.payload(), ms(work.dueAt()));
    }

    @Override
    public List<Claim> claimDue(Instant now, Duration lease, int max) {
        LatchStore.checkClaim(now, lease, max);
        List<Object> r = eval("claim_due", ScriptOutputType.MULTI, new String[]{workQueue()}, ms(now),
                Long.toString(lease.toMillis()), Integer.toString(max), workItemPrefix());
        List<Claim> claims = new ArrayList<>(r.size());
        for (Object o : r) {
            List<?> f = (List<?>) o;
            if (!"1".equals(f.get(0))) {
                throw new LatchStoreException("a stored work item has a layout this version of latch-redis does not read");
            }
            try {
                Work w = new Work((String) f.get(1), (String) f.get(2), (String) f.get(3),
                        Instant.ofEpochMilli(Long.parseLong((String) f.get(4))));
                claims.add(new Claim(w, ((Number) f.get(5)).longValue(), ((Number) f.get(6)).intValue()));
            } catch (IllegalArgumentException | ClassCastException e) {
                throw malformedReply();
            }
        }
        claims.sort(Claim.EARLIEST_DUE);
        return claims;
    }

    @Override
    public boolean complete(String id, long token, Instant now) {
        Names.required(id, "id");
        Names.required(now, "now");
        String member = b64(id);
        Long r = eval("complete", ScriptOutputType.INTEGER, new String[]{workQueue(), workItemPrefix() + member},
                member, Long.toString(token));
        return r != null && r == 1;
    }

    @Override
    public boolean cancel(String id, Instant now) {
        Names.required(id, "id");
        Names.required(now, "now");
        String member = b64(id);
        Long r = eval("cancel", ScriptOutputType.INTEGER, new String[]{workQueue(), workItemPrefix() + member}, member);
        return r != null && r == 1;
    }

    // ------------------------------------------------------------------ static keys

    private static List<String> keyFields(KeyRecord k) {
        return List.of("id", k.keyId(), "prefix", k.prefix(), "subj", k.subject(), "scopes", String.join(" ", k.scopes()),
                "dig", HEX.formatHex(k.digest()), "created", ms(k.createdAt()),
                "exp", k.expiresAt() == null ? "" : ms(k.expiresAt()), "st", k.state().name(),
                "vu", k.validUntil() == null ? "" : ms(k.validUntil()), "succ", k.successorId() == null ? "" : k.successorId(),
                "lu", k.lastUsedAt() == null ? "" : ms(k.lastUsedAt()), "lfrom", k.lastUsedFrom() == null ? "" : k.lastUsedFrom(),
                "cond", k.conditions(), "pep", k.pepperId(), "v", KEY_LAYOUT);
    }

    /** The key hash's layout, in its {@code v} field; a hash without one was written before it and reads as this. */
    private static final String KEY_LAYOUT = "1";

    private static KeyRecord key(Map<String, String> m) {
        if (m.get("id") == null) {
            return null;
        }
        String layout = m.get("v");
        if (layout != null && !layout.equals(KEY_LAYOUT)) {
            throw new LatchStoreException("a stored key has a layout this version of latch-redis does not read");
        }
        String scopes = m.getOrDefault("scopes", "");
        Set<String> set = scopes.isEmpty() ? Set.of() : new LinkedHashSet<>(List.of(scopes.split(" ")));
        String succ = m.get("succ");
        String from = m.get("lfrom");
        return new KeyRecord(m.get("id"), m.get("prefix"), m.get("subj"), set, HEX.parseHex(m.get("dig")),
                instant(m.get("created")), instant(m.get("exp")), StaticKeyInfo.State.valueOf(m.get("st")), instant(m.get("vu")),
                succ == null || succ.isEmpty() ? null : succ, instant(m.get("lu")), from == null || from.isEmpty() ? null : from,
                m.getOrDefault("cond", ""), m.get("pep"));
    }

    @Override
    public void putKey(KeyRecord key) {
        Names.required(key, "key");
        Long r = eval("put_key", ScriptOutputType.INTEGER, new String[]{keyKey(key.keyId())}, args(keyFields(key)));
        if (r == null || r != 1) {
            throw new LatchStoreException("a key with that id already exists");
        }
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        Names.required(keyId, "keyId");
        if (keyId == null) {
            return Optional.empty();
        }
        Map<String, String> m = call("HGETALL", () -> send().hgetall(keyKey(keyId)));
        return Optional.ofNullable(m == null || m.isEmpty() ? null : key(m));
    }

    @Override
    public KeyResult useKey(String keyId, byte[] digest, Instant now, String source) {
        Names.required(keyId, "keyId");
        Names.required(digest, "digest");
        Names.required(now, "now");
        List<Object> r = eval("use_key", ScriptOutputType.MULTI, new String[]{keyKey(keyId)}, HEX.formatHex(digest), ms(now),
                source == null ? "" : source);
        if ("LAYOUT".equals(r.get(0))) {
            throw new LatchStoreException("a stored key has a layout this version of latch-redis does not read");
        }
        KeyResult.Outcome outcome = KeyResult.Outcome.valueOf(String.valueOf(r.get(0)));
        return new KeyResult(outcome, r.size() > 1 ? key(map(r, 1)) : null);
    }

    @Override
    public boolean rehashKey(String keyId, byte[] oldDigest, byte[] newDigest, String pepperId, Instant now) {
        LatchStore.checkRehash(keyId, oldDigest, newDigest, pepperId, now);
        Long r = eval("rehash_key", ScriptOutputType.INTEGER, new String[]{keyKey(keyId)}, HEX.formatHex(oldDigest),
                HEX.formatHex(newDigest), pepperId);
        return r != null && r == 1;
    }

    @Override
    public Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now) {
        Names.required(keyId, "keyId");
        Names.required(validUntil, "validUntil");
        Names.required(successorId, "successorId");
        Names.required(now, "now");
        List<Object> r = eval("retire_key", ScriptOutputType.MULTI, new String[]{keyKey(keyId)}, ms(validUntil), successorId);
        return r.isEmpty() ? Optional.empty() : Optional.ofNullable(key(map(r, 0)));
    }

    @Override
    public boolean revokeKey(String keyId, Instant now) {
        Names.required(keyId, "keyId");
        Names.required(now, "now");
        Long r = eval("revoke_key", ScriptOutputType.INTEGER, new String[]{keyKey(keyId)});
        return r != null && r == 1;
    }

    /** @return commands this store has sent to Redis (each is one round trip), for monitoring and tests */
    public long commandsSent() {
        return commandsSent.sum();
    }

    /** Closes the connection and the client. */
    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @Override
    public String toString() {
        return description;
    }

    /** Builds a {@link RedisLatchStore}. Not thread-safe. */
    public static final class Builder {
        private final List<URI> uris;
        private final boolean cluster;
        private final String sentinelMaster;
        private String prefix = "latch";
        private Duration timeout = Duration.ofSeconds(1);
        private String user;
        private char[] password;
        private boolean tls;
        private Set<String> waitPolicies = Set.of();
        private Duration waitTimeout = Duration.ofMillis(500);

        private Builder(List<URI> uris, boolean cluster, String sentinelMaster) {
            Names.required(uris, cluster ? "seeds" : "sentinels");
            if (uris.isEmpty() || uris.size() > 64) {
                throw new IllegalArgumentException("give 1 to 64 URIs");
            }
            for (URI uri : uris) {
                Names.required(uri, "uri");
                if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
                    throw new IllegalArgumentException("the Redis URI must start with redis:// or rediss://");
                }
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("the Redis URI must name a host");
                }
            }
            this.uris = List.copyOf(uris);
            this.cluster = cluster;
            this.sentinelMaster = sentinelMaster;
            this.tls = uris.stream().anyMatch(u -> "rediss".equals(u.getScheme()));
        }

        /**
         * @param prefix key prefix, 1 to 64 characters of letters, digits, '-', '_' and '.'
         * @return this
         */
        public Builder prefix(String prefix) {
            if (prefix == null || !prefix.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("prefix must be 1 to 64 characters of [A-Za-z0-9._-]");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * @param timeout command and connect timeout, 10 ms to 60 s; default 1 s
         * @return this
         */
        public Builder timeout(Duration timeout) {
            if (Names.required(timeout, "timeout").compareTo(Duration.ofMillis(10)) < 0
                    || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("timeout must be 10 ms to 60 s");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param user     the ACL user
         * @param password the password; copied
         * @return this
         */
        public Builder credentials(String user, char[] password) {
            if (Names.required(user, "user").isEmpty() || user.length() > 256) {
                throw new IllegalArgumentException("user must have 1 to 256 characters");
            }
            this.user = user;
            this.password = Names.required(password, "password").clone();
            return this;
        }

        /**
         * @param tls whether to use TLS (also implied by {@code rediss://})
         * @return this
         */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /**
         * After opening a code of one of these policies, wait for one replica to acknowledge
         * ({@code WAIT 1}); when none does within the timeout, the open fails closed (the code
         * is consumed on the primary either way, so a retry is {@code USED}). On a Cluster the
         * {@code WAIT} goes to the primary that ran the open, on the connection that sent it.
         *
         * @param timeout  how long to wait
         * @param policies policy names, such as "HIGH" and "EMERGENCY"
         * @return this
         */
        public Builder waitForReplica(Duration timeout, String... policies) {
            if (Names.required(timeout, "timeout").compareTo(Duration.ofMillis(1)) < 0
                    || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("the replica wait must be 1 ms to 60 s");
            }
            Names.required(policies, "policies");
            for (String p : policies) {
                if (!Names.isName(p)) {
                    throw new IllegalArgumentException("each policy must be a policy name");
                }
            }
            this.waitTimeout = timeout;
            this.waitPolicies = Set.of(policies);
            return this;
        }

        /**
         * @return the connected store
         * @throws LatchStoreException when Redis cannot be reached
         * @throws IllegalArgumentException when the replica wait is not shorter than the command timeout
         */
        public RedisLatchStore build() {
            if (!waitPolicies.isEmpty() && waitTimeout.compareTo(timeout) >= 0) {
                throw new IllegalArgumentException("the replica wait (" + waitTimeout.toMillis()
                        + " ms) must be shorter than the command timeout (" + timeout.toMillis() + " ms)");
            }
            return new RedisLatchStore(this);
        }
    }
}
