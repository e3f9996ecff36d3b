package dev.latch.jwt;

import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.Grant;
import dev.latch.Requirement;
import dev.latch.Verdict;
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
import java.util.function.Supplier;

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
            .store(LatchStore.inMemory()).auditSink(AUDIT).build();

    @Provide
    Arbitrary<String> hostile() {
        return HostileText.strings(100000);
    }

    static void answer(String name, Supplier<Object> call, List<String> wrong) {
        try {
            Object r = call.get();
            if (r instanceof Verdict && ((Verdict) r).isOpen()) {
                wrong.add(name + " opened");
            }
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            if (!HostileText.clean(m) || m.length() > 300) {
                wrong.add(name + " repeated the input in its message");
            }
        } catch (RuntimeException e) {
            wrong.add(name + " threw " + e.getClass().getName());
        }
    }

    @Property(tries = 100)
    void hostileText_typedAnswerNoEchoAndValidTokensStillVerify(@ForAll("hostile") String bad) {
        int events = AUDIT.events().size();
        List<String> wrong = new ArrayList<>();
        answer("token", () -> JWTS.verify(bad, READ, CALLER), wrong);
        answer("token segments", () -> JWTS.verify(bad + "." + bad + "." + bad, READ, CALLER), wrong);
        answer("resource", () -> JWTS.verify("a.b.c", Requirement.of(bad), CALLER), wrong);
        answer("caller", () -> JWTS.verify("a.b.c", READ, AccessContext.of(bad)), wrong);
        answer("grant resource", () -> JWTS.sign(Grant.builder(bad, "svc-a").ttl(Duration.ofMinutes(2)).build()), wrong);
        answer("grant subject", () -> JWTS.sign(Grant.builder(AUDIENCE, bad).ttl(Duration.ofMinutes(2)).build()), wrong);
        for (AuditEvent e : AUDIT.events().subList(events, AUDIT.events().size())) {
            String line = e.describe();
            if (!HostileText.clean(line)) {
                wrong.add("an audit event repeated the input: " + line.substring(0, Math.min(120, line.length())));
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(JWTS.verify(JWTS.sign(grant().build()), READ, CALLER).isOpen(), "a valid token still verifies");
    }
}
