package dev.latch.redis;

import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.IssuedCode;
import dev.latch.IssuedStaticKey;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.RateLimit;
import dev.latch.StaticKeySpec;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore;
import dev.latch.test.redis.LocalRedis;
import dev.latch.testing.HostileText;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated bad input against every public method of {@link Latches} that takes text, on the
 * in-memory store and on a real Redis side by side: each call gets a typed answer, the same
 * answer on both stores, no message or audit field repeats the input, and what was stored
 * before is unchanged afterwards.
 */
class CrossStoreBadInputProperties {
    static final Pepper PEPPER = Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=");
    static LocalRedis redis;
    static RedisLatchStore redisStore;
    static final MutableClock CLOCK = MutableClock.monday10am();
    static final RecordingAuditSink AUDIT = new RecordingAuditSink();
    static Latches memory;
    static Latches onRedis;
    static Seed seedMemory;
    static Seed seedRedis;

    /** A pending code, a static key and recovery codes, to check that bad input leaves them alone. */
    record Seed(IssuedCode code, IssuedStaticKey key) {
    }

    @BeforeContainer
    static void start() throws Exception {
        redis = LocalRedis.start();
        redisStore = RedisLatchStore.builder(redis.uri()).prefix("bad-input").timeout(Duration.ofSeconds(20)).build();
        memory = latches(Latches.inMemoryStore());
        onRedis = latches(redisStore);
        seedMemory = seed(memory);
        seedRedis = seed(onRedis);
    }

    static Latches latches(LatchStore store) {
        return Latches.builder().store(store).clock(CLOCK).pepper(PEPPER).auditSink(AUDIT)
                .issueRateLimit(RateLimit.of(1000, Duration.ofSeconds(1))).build();
    }

    static Seed seed(Latches l) {
        return new Seed(l.issue(LatchPolicy.LOW, "seed", "alice"),
                l.issueStaticKey(StaticKeySpec.builder("seed-service").build()));
    }

    @AfterContainer
    static void stop() throws Exception {
        redisStore.close();
        redis.close();
    }

    /** Text no public method should accept as a name or an id, mixed with near misses. */
    @Provide
    Arbitrary<String> hostile() {
        return HostileText.strings(200_000);
    }

    /** One public method, with the bad text put where the method's text goes. */
    record Call(String name, Function<Latches, Object> call) {
    }

    static List<Call> calls(String bad) {
        AccessContext other = AccessContext.of("mallory");
        List<Call> c = new ArrayList<>();
        c.add(new Call("open(latch)", l -> l.open(bad, "123456", other)));
        c.add(new Call("open(code)", l -> l.open("seed", bad, other)));
        c.add(new Call("authenticate", l -> l.authenticate(bad, other)));
        c.add(new Call("redeemRecoveryCode", l -> l.redeemRecoveryCode(bad, other)));
        c.add(new Call("answerWithRecoveryCode", l -> l.answerWithRecoveryCode(bad, "ABCDE-FGHJK", other)));
        c.add(new Call("openCounter", l -> l.openCounter(bad, other, new long[]{1}, true)));
        c.add(new Call("nextCounter(latch)", l -> l.nextCounter(bad, "alice")));
        c.add(new Call("nextCounter(subject)", l -> l.nextCounter("hotp", bad)));
        c.add(new Call("issue(latch)", l -> l.issue(LatchPolicy.HIGH, bad, "mallory")));
        c.add(new Call("issue(subject)", l -> l.issue(LatchPolicy.HIGH, "seed-2", bad)));
        c.add(new Call("revoke", l -> l.revoke(bad)));
        c.add(new Call("revokeLatch", l -> l.revokeLatch(bad)));
        c.add(new Call("revokeSubject", l -> l.revokeSubject(bad)));
        c.add(new Call("renew", l -> l.renew(bad)));
        c.add(new Call("find", l -> l.find(bad)));
        c.add(new Call("revokeKey", l -> l.revokeKey(bad)));
        c.add(new Call("keyInfo", l -> l.keyInfo(bad)));
        c.add(new Call("rotate", l -> l.rotate(bad, Duration.ofHours(1))));
        c.add(new Call("review", l -> l.review(bad)));
        c.add(new Call("checkReview", l -> l.checkReview(bad)));
        c.add(new Call("acknowledgeReview(id)", l -> l.acknowledgeReview(bad, "dave", "ok")));
        c.add(new Call("acknowledgeReview(reviewer)", l -> l.acknowledgeReview("c_abc", bad, "ok")));
        c.add(new Call("acknowledgeReview(note)", l -> l.acknowledgeReview("c_abc", "dave", bad)));
        c.add(new Call("gate", l -> l.gate(bad)));
        c.add(new Call("issueRecoveryCodes", l -> l.issueRecoveryCodes(bad, 8)));
        c.add(new Call("issueStaticKey", l -> l.issueStaticKey(StaticKeySpec.builder(bad).build())));
        c.add(new Call("approvalGate", l -> l.approvalGate(bad, dev.latch.RequestDigest.of("r"))));
        return c;
    }

    /** What a call answered, in a form two stores can be compared by. */
    static String answer(Latches l, Call call) {
        try {
            Object r = call.call().apply(l);
            if (r instanceof Verdict) {
                assertFalse(((Verdict) r).isOpen(), call.name() + " opened on bad input");
                return r.toString();
            }
            if (r instanceof dev.latch.Review.Acknowledgement a) {
                assertFalse(a.acknowledged(), call.name() + " acknowledged on bad input");
                return a.outcome().name();
            }
            if (r instanceof Optional || r instanceof Boolean || r instanceof Integer) {
                return String.valueOf(r);
            }
            throw new AssertionError(call.name() + " accepted bad input: " + r);
        } catch (IllegalArgumentException | IllegalStateException e) {
            String m = e.getMessage();
            assertTrue(HostileText.clean(m) && m.length() < 300, call.name() + " repeated the input in its message");
            return e.getClass().getSimpleName();
        }
    }

    @Property(tries = 60)
    void badText_sameTypedAnswerOnEveryStore_noEcho_stateUnchanged(@ForAll("hostile") String bad) {
        var codeBefore = List.of(memory.find(seedMemory.code().codeId()), onRedis.find(seedRedis.code().codeId()));
        var keyBefore = List.of(memory.keyInfo(seedMemory.key().keyId()), onRedis.keyInfo(seedRedis.key().keyId()));
        int events = AUDIT.events().size();
        for (Call call : calls(bad)) {
            assertEquals(answer(memory, call), answer(onRedis, call), call.name() + ": the stores disagree");
        }
        assertEquals(codeBefore, List.of(memory.find(seedMemory.code().codeId()), onRedis.find(seedRedis.code().codeId())),
                "the pending codes are unchanged");
        assertEquals(keyBefore, List.of(memory.keyInfo(seedMemory.key().keyId()), onRedis.keyInfo(seedRedis.key().keyId())),
                "the keys are unchanged");
        for (AuditEvent e : AUDIT.events().subList(events, AUDIT.events().size())) {
            String line = e.describe();
            assertTrue(HostileText.clean(line), "an audit event repeated the input");
        }
    }
}
