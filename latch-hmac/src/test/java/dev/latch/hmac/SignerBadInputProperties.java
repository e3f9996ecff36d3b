package dev.latch.hmac;

import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.Grant.Requirement;
import dev.latch.spi.LatchStore;
import dev.latch.testing.HostileText;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Generated hostile text into every text-taking method of HOTP, TOTP and signed tokens: a typed
 * answer (a denial, or IllegalArgumentException), never an opening, no echo of the input in a
 * message or an audit event, and a valid token and code still work afterwards.
 */
class SignerBadInputProperties {
    static final MutableClock CLOCK = MutableClock.monday10am();
    static final RecordingAuditSink AUDIT = new RecordingAuditSink();
    static final Latches LATCHES = Latches.builder().clock(CLOCK)
            .pepper(Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=")).auditSink(AUDIT).build();
    static final OtpSecret SECRET = OtpSecret.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));
    static final SignedTokens TOKENS = SignedTokens.builder(HmacKeySet.of(HmacKey.generate("key-0001",
            HmacAlgorithm.HMAC_SHA256, new SecureRandom()))).clock(CLOCK).store(Latches.inMemoryStore()).auditSink(AUDIT).build();
    static final Hotp HOTP = Hotp.builder().build();
    static final Totp TOTP = Totp.builder().build();
    static final AccessContext CALLER = AccessContext.of("mallory");

    @Provide
    Arbitrary<String> hostile() {
        return HostileText.strings(100000);
    }

    @Property(tries = 100)
    void hostileText_typedAnswerNoEchoAndValidInputStillWorks(@ForAll("hostile") String bad) {
        int events = AUDIT.events().size();
        List<String> wrong = new ArrayList<>();
        HostileText.call("hotp latch", () -> HOTP.verify(LATCHES, bad, SECRET, "123456", CALLER), wrong);
        HostileText.call("hotp code", () -> HOTP.verify(LATCHES, "hotp", SECRET, bad, CALLER), wrong);
        HostileText.call("hotp resync", () -> HOTP.resync(LATCHES, "hotp", SECRET, bad, bad, CALLER), wrong);
        HostileText.call("totp latch", () -> TOTP.verify(LATCHES, bad, SECRET, "123456", CALLER), wrong);
        HostileText.call("totp code", () -> TOTP.verify(LATCHES, "totp", SECRET, bad, CALLER), wrong);
        HostileText.call("totp subject", () -> TOTP.verify(LATCHES, "totp", SECRET, "123456", AccessContext.of(bad)), wrong);
        HostileText.call("totp uri", () -> TOTP.uri(bad, "alice", SECRET), wrong);
        HostileText.call("token", () -> TOKENS.verify(bad, Requirement.of("/blobs/a"), CALLER), wrong);
        HostileText.call("token resource", () -> TOKENS.verify("x", Requirement.of(bad), CALLER), wrong);
        HostileText.call("revokeToken", () -> {
            TOKENS.revokeToken(bad);
            return "done";
        }, wrong);
        HostileText.call("revokePolicy", () -> {
            TOKENS.revokePolicy(bad);
            return "done";
        }, wrong);
        HostileText.call("sign", () -> TOKENS.sign(Grant.builder(bad, "alice").ttl(Duration.ofMinutes(5)).build()), wrong);
        HostileText.checkAudit(AUDIT.events().subList(events, AUDIT.events().size()), wrong);
        assertEquals(List.of(), wrong);
        String token = TOKENS.sign(Grant.builder("/blobs/a", "alice").ttl(Duration.ofMinutes(5)).build());
        assertEquals(true, TOKENS.verify(token, Requirement.of("/blobs/a"), CALLER).isOpen(), "a valid token still verifies");
    }
}
