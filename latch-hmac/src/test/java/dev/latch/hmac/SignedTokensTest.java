package dev.latch.hmac;

import dev.latch.Latches;
import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.Verdict.DenialReason;
import dev.latch.Grant;
import dev.latch.LatchStoreException;
import dev.latch.Grant.Requirement;
import dev.latch.SignerException;
import dev.latch.Verdict;
import dev.latch.spi.LatchStore;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignedTokensTest {
    static final SecureRandom RANDOM = new SecureRandom();
    MutableClock clock;
    RecordingAuditSink audit;
    HmacKeySet keys;
    LatchStore store;
    SignedTokens tokens;

    @BeforeEach
    void setUp() {
        clock = MutableClock.monday10am();
        audit = new RecordingAuditSink();
        keys = HmacKeySet.of(HmacKey.generate("k1", HmacAlgorithm.HMAC_SHA256, RANDOM));
        store = Latches.inMemoryStore();
        tokens = SignedTokens.builder(keys).clock(clock).store(store).auditSink(audit).build();
    }

    static Grant.Builder grant() {
        return Grant.builder("/reports/q3.pdf", "partner-42").permissions("r").ttl(Duration.ofMinutes(30));
    }

    static AccessContext from(String source) {
        return AccessContext.builder("partner-42").source(source).build();
    }

    static final Requirement READ = Requirement.of("/reports/q3.pdf", "r");
    static final AccessContext ANY = AccessContext.of("partner-42");

    @Test
    void signAndVerify_opensWithGrantDetails() {
        String token = tokens.sign(grant().permissions("w").build());
        assertTrue(token.matches("[A-Za-z0-9._~/:@%,*-]+"), "goes into a URL query as is: " + token);
        assertTrue(token.startsWith("lt1~k1~/reports/q3.pdf~partner-42~r,w~"), token);
        Verdict.Opened opened = assertInstanceOf(Verdict.Opened.class, tokens.verify(token, READ, ANY));
        assertEquals("/reports/q3.pdf", opened.latchId());
        assertEquals("partner-42", opened.subject());
        assertEquals(java.util.Set.of("r", "w"), opened.scopes());
        assertEquals(1, audit.ofType(AuditEvent.Type.ISSUED).size());
        assertEquals(1, audit.ofType(AuditEvent.Type.OPENED).size());
    }

    @Test
    void permissions_readNeverGrantsWrite() {
        String token = tokens.sign(grant().build());
        assertEquals(new Verdict.Denied(DenialReason.INSUFFICIENT_SCOPE),
                tokens.verify(token, Requirement.of("/reports/q3.pdf", "w"), ANY));
        assertEquals(new Verdict.Denied(DenialReason.INSUFFICIENT_SCOPE),
                tokens.verify(token, Requirement.of("/reports/q3.pdf", "r", "w"), ANY));
        assertTrue(tokens.verify(token, Requirement.of("/reports/q3.pdf"), ANY).isOpen());
    }

    @Test
    void resources_matchExactly() {
        String token = tokens.sign(Grant.builder("/a", "s").permissions("r").ttl(Duration.ofMinutes(5)).build());
        for (String other : new String[]{"/ab", "/a/", "/a/b", "/A", "/a/../b", "/a/./", "a", "/a "}) {
            assertEquals(new Verdict.Denied(DenialReason.INSUFFICIENT_SCOPE), tokens.verify(token, Requirement.of(other, "r"), ANY), other);
        }
        assertTrue(tokens.verify(token, Requirement.of("/a", "r"), ANY).isOpen());
        assertThrows(IllegalArgumentException.class,
                () -> tokens.sign(Grant.builder("/a/../b", "s").ttl(Duration.ofMinutes(5)).build()));
    }

    @Test
    void sourceRange_ipv4Ipv6AndDashRanges() {
        String v4 = tokens.sign(grant().sourceRange("203.0.113.0/24").build());
        assertTrue(tokens.verify(v4, READ, from("203.0.113.200")).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), tokens.verify(v4, READ, from("203.0.114.1")));
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), tokens.verify(v4, READ, ANY), "no source");
        String v6 = tokens.sign(grant().sourceRange("2001:db8::/32").build());
        assertTrue(tokens.verify(v6, READ, from("2001:db8::1")).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), tokens.verify(v6, READ, from("203.0.113.1")));
        String dash = tokens.sign(grant().sourceRange("192.0.2.10-192.0.2.20").build());
        assertTrue(tokens.verify(dash, READ, from("192.0.2.15")).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), tokens.verify(dash, READ, from("192.0.2.21")));
    }

    @Test
    void time_startAndExpiryWithBoundedSkew() {
        String later = tokens.sign(grant().notBefore(clock.instant().plusSeconds(600)).build());
        assertEquals(new Verdict.Denied(DenialReason.NOT_YET_VALID), tokens.verify(later, READ, ANY));
        clock.advance(Duration.ofSeconds(570));
        assertTrue(tokens.verify(later, READ, ANY).isOpen(), "within 30 s of skew");
        String token = tokens.sign(grant().build());
        clock.advance(Duration.ofMinutes(30).plusSeconds(29));
        assertTrue(tokens.verify(token, READ, ANY).isOpen());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), tokens.verify(token, READ, ANY));
    }

    @Test
    void maxTtl_isEnforcedAtSign() {
        assertThrows(IllegalArgumentException.class, () -> tokens.sign(grant().ttl(Duration.ofDays(8)).build()));
        SignedTokens shortLived = SignedTokens.builder(keys).clock(clock).maxTtl(Duration.ofHours(1)).build();
        assertThrows(IllegalArgumentException.class, () -> shortLived.sign(grant().ttl(Duration.ofHours(2)).build()));
        assertThrows(IllegalArgumentException.class,
                () -> tokens.sign(grant().expiresAt(clock.instant().minusSeconds(1)).build()));
        assertThrows(IllegalArgumentException.class, () -> SignedTokens.builder(keys).skew(Duration.ofMinutes(6)));
    }

    @Test
    void maxTtl_lowerOnTheVerifierRejectsLongerTokens() {
        String day = tokens.sign(grant().ttl(Duration.ofDays(1)).build());
        SignedTokens strict = SignedTokens.builder(keys).clock(clock).maxTtl(Duration.ofHours(1)).build();
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), strict.verify(day, READ, ANY));
    }

    @Test
    void badInput_isMalformedNeverThrows() {
        String token = tokens.sign(grant().build());
        String[] bad = {null, "", ".", "a.", ".a", "a.b.c", token + ".", token + "=", token.replace('.', ','),
                "x".repeat(4097), token.substring(0, token.lastIndexOf('.')) + ".", "é" + token, token + " ",
                "!!!!." + token.substring(token.lastIndexOf('.') + 1), token.replace('~', '&'), token + "~",
                "lt2" + token.substring(3), token.substring(0, token.lastIndexOf('.') + 1) + "A".repeat(44)};
        for (String b : bad) {
            Verdict v = tokens.verify(b, READ, ANY);
            assertFalse(v.isOpen(), String.valueOf(b));
        }
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), tokens.verify(null, READ, ANY));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), tokens.verify("x".repeat(4097), READ, ANY));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), tokens.verify(token, null, ANY));
    }

    @Test
    void aFailedTag_isBadSignatureOnlyWhenTheTokenIsWellFormed() {
        String token = tokens.sign(grant().build());
        int dot = token.lastIndexOf('.');
        String payload = token.substring(0, dot);
        String tag = token.substring(dot + 1);
        String otherTag = (tag.charAt(0) == 'A' ? "B" : "A") + tag.substring(1);
        // well-formed, wrong tag: a forgery
        assertEquals(new Verdict.Denied(DenialReason.BAD_SIGNATURE), tokens.verify(payload + "." + otherTag, READ, ANY));
        // a character no token holds, in the payload or in the tag: malformed, whatever the tag
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED),
                tokens.verify(payload.replace("partner-42", "partner!42") + "." + tag, READ, ANY));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED),
                tokens.verify(payload + "." + tag.substring(0, 20) + "." + tag.substring(21), READ, ANY));
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED),
                tokens.verify(payload + "." + tag.substring(0, 42) + "\u00e9", READ, ANY));
        // the tag's last character re-spelled in its unused bits (or out of the alphabet): malformed
        char last = tag.charAt(42);
        String alias = payload + "." + tag.substring(0, 42) + (char) (last + 1);
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), tokens.verify(alias, READ, ANY));
    }

    /** Signs a payload text as given, with the set's primary key: a forger who had the key. */
    private String signRaw(String payload) {
        return TokenFormat.token(payload, keys.primary().mac(payload.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void anyChangeToTheText_breaksTheTag() {
        String token = tokens.sign(grant().build());
        String payload = token.substring(0, token.lastIndexOf('.'));
        String tag = token.substring(token.lastIndexOf('.') + 1);
        String[] f = payload.split("~", -1);
        String swapped = String.join("~", f[0], f[1], f[3], f[2], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]);
        String longer = payload.replace("~" + f[6] + "~", "~" + (Long.parseLong(f[6]) + 3600) + "~");
        for (String p : new String[]{swapped, longer, payload + "~", payload.replace("~r~", "~w~")}) {
            assertFalse(tokens.verify(p + "." + tag, READ, ANY).isOpen(), p);
        }
        char last = tag.charAt(tag.length() - 1);
        String alias = payload + "." + tag.substring(0, tag.length() - 1) + (char) (last ^ 1);
        assertFalse(tokens.verify(alias, READ, ANY).isOpen(), "a tag re-spelled in its unused base64 bits");
    }

    @Test
    void validlySignedButNonCanonicalFields_areMalformed() {
        String token = tokens.sign(grant().build());
        String payload = token.substring(0, token.lastIndexOf('.'));
        String[] f = payload.split("~", -1);
        String[][] variants = {
                {"leading zero", f[6], "0" + f[6]},
                {"encoded raw character", f[2], f[2].replace("/", "%2F")},
                {"lower-case hex", f[3], "partner%2d42"},
                {"raw character that must be encoded", f[3], "partner*42"},
                {"duplicate permission", f[4], "r,r"},
                {"empty permission", f[4], "r,"},
                {"bad flag", f[11], "2"}};
        for (String[] v : variants) {
            String[] g = f.clone();
            for (int i = 0; i < g.length; i++) {
                if (g[i].equals(v[1])) {
                    g[i] = v[2];
                    break;
                }
            }
            String forged = signRaw(String.join("~", g));
            assertEquals(new Verdict.Denied(DenialReason.MALFORMED), tokens.verify(forged, READ, ANY), v[0]);
        }
        assertTrue(tokens.verify(signRaw(payload), READ, ANY).isOpen(), "the canonical text verifies");
    }

    @Test
    void resourcesAndSubjectsOutsideTheRawSet_arePercentEncodedCanonically() {
        String token = tokens.sign(Grant.builder("/files/Q3 report (final).pdf", "müller@example.com").permissions("r", "orders:*")
                .ttl(Duration.ofMinutes(5)).build());
        assertTrue(token.contains("~/files/Q3%20report%20%28final%29.pdf~m%C3%BCller@example.com~r,orders:*~"), token);
        Verdict.Opened o = assertInstanceOf(Verdict.Opened.class,
                tokens.verify(token, Requirement.of("/files/Q3 report (final).pdf", "orders:*"), ANY));
        assertEquals("müller@example.com", o.subject());
    }

    @Test
    void revokeToken_andStoredPolicies() {
        String one = tokens.sign(grant().build());
        String two = tokens.sign(grant().policyId("partner-42-q3").build());
        String three = tokens.sign(grant().policyId("partner-42-q3").build());
        String id = ((Verdict.Opened) tokens.verify(one, READ, ANY)).codeId();
        tokens.revokeToken(id);
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), tokens.verify(one, READ, ANY));
        assertTrue(tokens.verify(two, READ, ANY).isOpen());
        tokens.shortenPolicy("partner-42-q3", clock.instant().plusSeconds(60));
        assertTrue(tokens.verify(two, READ, ANY).isOpen());
        clock.advance(Duration.ofSeconds(60));
        assertEquals(new Verdict.Denied(DenialReason.EXPIRED), tokens.verify(three, READ, ANY));
        tokens.revokePolicy("partner-42-q3");
        assertEquals(new Verdict.Denied(DenialReason.REVOKED), tokens.verify(two, READ, ANY));
    }

    @Test
    void singleUse_opensOnceAlsoUnder32Threads() throws Exception {
        String token = tokens.sign(grant().singleUse(true).build());
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            CyclicBarrier barrier = new CyclicBarrier(32);
            List<Future<Verdict>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                results.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return tokens.verify(token, READ, ANY);
                }));
            }
            int opened = 0;
            for (Future<Verdict> f : results) {
                Verdict v = f.get(30, TimeUnit.SECONDS);
                opened += v.isOpen() ? 1 : 0;
                if (!v.isOpen()) {
                    assertEquals(new Verdict.Denied(DenialReason.REPLAYED), v);
                }
            }
            assertEquals(1, opened);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void statefulFeaturesWithoutStore_areRefusedOrFailClosed() {
        SignedTokens stateless = SignedTokens.builder(keys).clock(clock).auditSink(audit).build();
        assertThrows(IllegalStateException.class, () -> stateless.sign(grant().singleUse(true).build()));
        assertThrows(IllegalStateException.class, () -> stateless.revokeToken("abcdefgh"));
        String single = tokens.sign(grant().singleUse(true).build());
        assertThrows(SignerException.class, () -> stateless.verify(single, READ, ANY));
        assertTrue(stateless.verify(tokens.sign(grant().build()), READ, ANY).isOpen());
    }

    @Test
    void failingStore_failsClosedWithTypedExceptionAndAuditEvent() {
        LatchStore broken = dev.latch.testing.FailingStore.broken();
        SignedTokens withBroken = SignedTokens.builder(keys).clock(clock).store(broken).auditSink(audit).build();
        String token = withBroken.sign(grant().build());
        assertThrows(LatchStoreException.class, () -> withBroken.verify(token, READ, ANY));
        assertEquals(1, audit.ofType(AuditEvent.Type.STORE_FAILURE).size());
    }

    @Test
    void audit_neverHoldsTheToken() {
        String token = tokens.sign(grant().build());
        tokens.verify(token, READ, ANY);
        tokens.verify(token.substring(1), READ, ANY);
        String sig = token.substring(token.lastIndexOf('.') + 1);
        for (AuditEvent e : audit.events()) {
            assertFalse(e.toString().contains(sig));
            assertFalse(e.toString().contains(token.substring(0, 20)));
        }
        assertFalse(tokens.toString().contains(sig));
    }
}
