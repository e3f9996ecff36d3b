package dev.latch.jdbc;

import dev.latch.AccessContext;
import dev.latch.Verdict.DenialReason;
import dev.latch.IssuedStaticKey;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.StaticKeySpec;
import dev.latch.Verdict;
import dev.latch.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The static-key cache of latch-jdbc on a real PostgreSQL: a revocation on another instance takes
 * effect within the cache's time to live by the callers' clock (moved by hand here, never waited
 * for), at once on the instance that revoked, and at once everywhere with the cache off.
 */
class JdbcKeyCacheTest {
    static final Pepper PEPPER = Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=");
    static LocalPostgres pg;

    @BeforeAll
    static void start() {
        pg = LocalPostgres.start();
        JdbcLatchStore.migrate(pg.dataSource(), "kc_");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private final MutableClock clock = MutableClock.monday10am();

    private Latches latches(JdbcLatchStore store) {
        return Latches.builder().store(store).clock(clock).pepper(PEPPER).auditSink(e -> { }).build();
    }

    @Test
    void revocationElsewhere_takesEffectWithinTheTtl_andAtOnceWhereItWasRevoked() {
        JdbcLatchStore cachedA = JdbcLatchStore.builder(pg.dataSource()).tablePrefix("kc_")
                .keyCache(Duration.ofSeconds(2), 1000).build();
        JdbcLatchStore plainB = JdbcLatchStore.builder(pg.dataSource()).tablePrefix("kc_")
                .keyCache(Duration.ZERO, 1).build();
        Latches a = latches(cachedA);
        Latches b = latches(plainB);
        IssuedStaticKey key = a.issueStaticKey(StaticKeySpec.builder("svc").build());
        AccessContext svc = AccessContext.of("svc");
        assertTrue(a.authenticate(key.key(), svc).isOpen(), "read from the database, then cached");
        String wrong = key.key().substring(0, key.key().length() - 8) + "AAAAAAAA";
        assertTrue(!a.authenticate(wrong, svc).isOpen(), "the cache compares the digest too");
        assertTrue(b.revokeKey(key.keyId()));
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), b.authenticate(key.key(), svc), "no cache on B: at once");
        assertTrue(a.authenticate(key.key(), svc).isOpen(), "A decides from its cache until the ttl has passed");
        clock.advance(Duration.ofSeconds(2)); // by the callers' clock, as every time in a store
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), a.authenticate(key.key(), svc), "within the ttl");

        IssuedStaticKey other = a.issueStaticKey(StaticKeySpec.builder("svc").build());
        assertTrue(a.authenticate(other.key(), svc).isOpen());
        assertTrue(a.revokeKey(other.keyId()));
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), a.authenticate(other.key(), svc),
                "the instance that revoked forgets its cached copy at once");
    }
}
