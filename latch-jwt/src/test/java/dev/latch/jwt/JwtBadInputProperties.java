package dev.latch.jwt;

import dev.latch.Latches;
import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.spi.LatchStore;
import dev.latch.testing.HostileText;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.latch.jwt.JwtFixtures.AUDIENCE;
import static dev.latch.jwt.JwtFixtures.CALLER;
import static dev.latch.jwt.JwtFixtures.READ;
import static dev.latch.jwt.JwtFixtures.grant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generated hostile text into every text-taking entry of {@link SignedJwts}: the token, the
 * required resource, the caller's subject and the grant's resource and subject. A typed answer
 * (a denial or IllegalArgumentException), no echo in a message or audit event, and a valid token
 * still verifies afterwards.
 */
class JwtBadInputProperties {
    static final RecordingAuditSink AUDIT = new RecordingAuditSink();
    static final MutableClock CLOCK = MutableClock.monday10am();
    static final SignedJwts JWTS = SignedJwts.builder(JwtKeySet.of(JwtFixtures.HS256)).clock(CLOCK).audiences(AUDIENCE)
            .store(Latches.inMemoryStore()).auditSink(AUDIT).build();

    @Provide
    Arbitrary<String> hostile() {
        return HostileText.strings(100000);
    }

    @Property(tries = 100)
    void hostileText_typedAnswerNoEchoAndValidTokensStillVerify(@ForAll("hostile") String bad) {
        int events = AUDIT.events().size();
        List<String> wrong = new ArrayList<>();
        HostileText.call("token", () -> JWTS.verify(bad, READ, CALLER), wrong);
        HostileText.call("token segments", () -> JWTS.verify(bad + "." + bad + "." + bad, READ, CALLER), wrong);
        HostileText.call("resource", () -> JWTS.verify("a.b.c", Requirement.of(bad), CALLER), wrong);
        HostileText.call("caller", () -> JWTS.verify("a.b.c", READ, AccessContext.of(bad)), wrong);
        HostileText.call("grant resource", () -> JWTS.sign(Grant.builder(bad, "svc-a").ttl(Duration.ofMinutes(2)).build()), wrong);
        HostileText.call("grant subject", () -> JWTS.sign(Grant.builder(AUDIENCE, bad).ttl(Duration.ofMinutes(2)).build()), wrong);
        HostileText.checkAudit(AUDIT.events().subList(events, AUDIT.events().size()), wrong);
        assertEquals(List.of(), wrong);
        assertTrue(JWTS.verify(JWTS.sign(grant().build()), READ, CALLER).isOpen(), "a valid token still verifies");
    }
}
