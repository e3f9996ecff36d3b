package dev.latch.hmac;

import dev.latch.AccessContext;
import dev.latch.Verdict.DenialReason;
import dev.latch.Grant;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.Grant.Requirement;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore;
import dev.latch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The API's rule for null, on latch-hmac's public methods: a verdict method answers a null
 * code, token, requirement or context with MALFORMED, and a null typed code matches no step;
 * a null collaborator (the latches, the secret) and every other null argument is an
 * IllegalArgumentException naming it.
 */
class SignerNullArgumentsTest {
    static final MutableClock CLOCK = MutableClock.monday10am();
    static final Latches LATCHES = Latches.builder().clock(CLOCK)
            .pepper(Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=")).auditSink(e -> { }).build();
    static final OtpSecret SECRET = OtpSecret.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));
    static final Set<Class<?>> COLLABORATORS = Set.of(Latches.class, OtpSecret.class);

    static Object valid(Class<?> type) {
        if (type == String.class) {
            return "policy-01";
        }
        if (type == Latches.class) {
            return LATCHES;
        }
        if (type == OtpSecret.class) {
            return SECRET;
        }
        if (type == AccessContext.class) {
            return AccessContext.of("alice");
        }
        if (type == Instant.class) {
            return CLOCK.instant().plusSeconds(60);
        }
        if (type == SecureRandom.class) {
            return new SecureRandom();
        }
        if (type == Grant.class) {
            return Grant.builder("/blobs/a", "alice").ttl(Duration.ofMinutes(5)).build();
        }
        if (type == Requirement.class) {
            return Requirement.of("/blobs/a");
        }
        if (type == HmacKeySet.class) {
            return HmacKeySet.of(HmacKey.generate("key-0001", HmacAlgorithm.HMAC_SHA256, new SecureRandom()));
        }
        if (type == long.class) {
            return 1L;
        }
        throw new AssertionError("no valid value for " + type);
    }

    static List<String> check(Object target) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Method m : target.getClass().getMethods()) {
            if (m.getDeclaringClass() != target.getClass() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i].isPrimitive()) {
                    continue;
                }
                Object[] args = new Object[types.length];
                for (int j = 0; j < types.length; j++) {
                    args[j] = j == i ? null : valid(types[j]);
                }
                String call = target.getClass().getSimpleName() + "." + m.getName() + " argument " + i + " null";
                boolean verdict = m.getReturnType() == Verdict.class && !COLLABORATORS.contains(types[i]);
                try {
                    Object r = m.invoke(target, args);
                    if (r instanceof long[] && ((long[]) r).length == 0 && types[i] == String.class) {
                        continue; // a typed code that is none, null included, matches nothing
                    }
                    if (!verdict || !new Verdict.Denied(DenialReason.MALFORMED).equals(r)) {
                        wrong.add(call + " returned " + r);
                    }
                } catch (InvocationTargetException e) {
                    Throwable t = e.getCause();
                    if (verdict || t.getClass() != IllegalArgumentException.class) {
                        wrong.add(call + " threw " + t);
                    }
                }
            }
        }
        return wrong;
    }

    @Test
    void signedTokenVerify_nullContext_isMalformedEvenForAValidToken() {
        SignedTokens tokens = SignedTokens.builder((HmacKeySet) valid(HmacKeySet.class)).clock(CLOCK)
                .auditSink(e -> { }).build();
        String token = tokens.sign((Grant) valid(Grant.class));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), tokens.verify(token, Requirement.of("/blobs/a"), null));
        assertEquals(true, tokens.verify(token, Requirement.of("/blobs/a"), AccessContext.of("alice")).isOpen());
    }

    @Test
    void hotpTotpAndSignedTokens_followTheRuleForNull() throws Exception {
        List<String> wrong = new ArrayList<>();
        wrong.addAll(check(Hotp.builder().build()));
        wrong.addAll(check(Totp.builder().build()));
        wrong.addAll(check(SignedTokens.builder((HmacKeySet) valid(HmacKeySet.class)).clock(CLOCK)
                .store(Latches.inMemoryStore()).auditSink(e -> { }).build()));
        assertEquals(List.of(), wrong);
    }
}
