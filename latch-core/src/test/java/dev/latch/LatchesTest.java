package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.Condition.TimeWindow;

import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore.IssueResult;
import dev.latch.spi.LatchStore.KeyRecord;
import dev.latch.spi.LatchStore.KeyResult;
import dev.latch.spi.LatchStore;
import dev.latch.spi.LatchStore.OpenRequest;
import dev.latch.spi.LatchStore.RenewResult;
import dev.latch.testing.FailingStore;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatchesTest {
    static final Pepper PEPPER = Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=");
    MutableClock clock;
    RecordingAuditSink audit;
    Latches latches;

    @BeforeEach
    void setUp() {
        clock = MutableClock.monday10am();
        audit = new RecordingAuditSink();
        latches = Latches.builder().clock(clock).pepper(PEPPER).auditSink(audit).build();
    }

    static final Verdict MALFORMED = new Verdict.Denied(DenialReason.MALFORMED);

    @Test
    void build_withoutPepper_isRefusedWithClearMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Latches.builder().build());
        assertTrue(e.getMessage().contains("pepper is required"), e.getMessage());
    }

    @Test
    void builder_settingTwice_isIllegalState() {
        Latches.Builder b = Latches.builder().clock(clock);
        assertThrows(IllegalStateException.class, () -> b.clock(clock));
        Latches.Builder p = Latches.builder().pepper(PEPPER);
        assertThrows(IllegalStateException.class, () -> p.pepper(PEPPER));
    }

    @Test
    void forDevelopment_generatesPepperAndWorks() {
        Latches dev = Latches.forDevelopment();
        IssuedCode code = dev.issue(LatchPolicy.LOW, "l", "s");
        assertTrue(dev.open("l", code.code(), AccessContext.of("s")).isOpen());
        assertTrue(dev.toString().contains("pepper=***"));
    }

    @Test
    void differentPeppers_doNotShareCodes() {
        LatchStore shared = Latches.inMemoryStore();
        Latches a = Latches.builder().store(shared).clock(clock).pepper(PEPPER).build();
        byte[] other = new byte[32];
        for (int i = 0; i < other.length; i++) {
            other[i] = (byte) (i * 7);
        }
        Latches b = Latches.builder().store(shared).clock(clock).pepper(Pepper.of(other)).build();
        IssuedCode code = a.issue(LatchPolicy.HIGH, "l", "s");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), b.open("l", code.code(), AccessContext.of("s")));
        assertTrue(a.open("l", code.code(), AccessContext.of("s")).isOpen());
    }

    @ParameterizedTest
    @ValueSource(strings = {"%s %s", "%s-%s"})
    void open_groupedBetweenCharacters_opens(String pattern) {
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "l", "s");
        String typed = String.format(pattern, code.code().substring(0, 3), code.code().substring(3));
        assertTrue(latches.open("l", typed, AccessContext.of("s")).isOpen(), "grouping is ignored");
    }

    @ParameterizedTest
    @ValueSource(strings = {" %s%s", "%s%s ", "-%s%s", "%s%s-", "%s  %s", "%s--%s", "%s\t%s", "%s%s\n", "%s - %s"})
    void open_separatorsThatGroupNothing_areMalformed(String pattern) {
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "l", "s");
        String typed = String.format(pattern.replace("\\t", "\t").replace("\\n", "\n"),
                code.code().substring(0, 3), code.code().substring(3));
        assertEquals(MALFORMED, latches.open("l", typed, AccessContext.of("s")), "'" + typed + "'");
        assertTrue(latches.open("l", code.code(), AccessContext.of("s")).isOpen(), "the code itself still opens");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "12345", "1234567890123456789012345678901234567890",
            "\u0661\u0662\u0663\u0664\u0665\u0666", // Arabic-Indic digits
            "\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16", // full-width digits
            "\u0967\u0968\u0969\u096A\u096B\u096C", // Devanagari digits
            "12345\u0000", "123 45\n6", "12345６", "abc!def", "'; DROP TABLE latch;--", "%31%32%33%34%35%36"})
    void open_malformedInput_isMalformedAndCountsAsAttempt(String input) {
        LatchPolicy onlyOne = LatchPolicy.custom().maxAttempts(1).build();
        IssuedCode code = latches.issue(onlyOne, "l", "s");
        assertEquals(MALFORMED, latches.open("l", input, AccessContext.of("s")));
        assertEquals(CodeInfo.State.BURNED, latches.find(code.codeId()).orElseThrow().state(),
                "a malformed attempt counts against the code");
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), latches.open("l", code.code(), AccessContext.of("s")));
    }

    @Test
    void open_nullAndOversizedInput_isMalformedNeverThrows() {
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "l", "s");
        assertEquals(MALFORMED, latches.open("l", null, AccessContext.of("s")));
        assertEquals(MALFORMED, latches.open(null, code.code(), AccessContext.of("s")));
        assertEquals(MALFORMED, latches.open("", code.code(), AccessContext.of("s")));
        assertEquals(MALFORMED, latches.open("l", code.code(), null));
        assertEquals(MALFORMED, latches.open("x".repeat(257), code.code(), AccessContext.of("s")));
        assertEquals(MALFORMED, latches.open("l", "1".repeat(257), AccessContext.of("s")));
        assertEquals(MALFORMED, latches.open("l", "1".repeat(1_000_000), AccessContext.of("s")));
        assertEquals(MALFORMED, latches.open("l\u0000x", code.code(), AccessContext.of("s")));
        assertEquals(MALFORMED, latches.open("l\uD800", code.code(), AccessContext.of("s")), "unpaired surrogate");
        assertEquals(MALFORMED, latches.open("\uDC00l", code.code(), AccessContext.of("s")), "unpaired surrogate");
        assertTrue(latches.open("l", code.code(), AccessContext.of("s")).isOpen(), "state intact");
    }

    @Test
    void open_numericKeepsLeadingZerosAndIgnoresSpacesAndHyphens() {
        SecureRandomStub zeros = new SecureRandomStub();
        Latches l = Latches.builder().clock(clock).pepper(PEPPER).random(zeros).auditSink(audit).build();
        IssuedCode code = l.issue(LatchPolicy.custom().maxUses(3).build(), "l", "s");
        assertEquals("000000", code.code());
        assertEquals(MALFORMED, l.open("l", "00000", AccessContext.of("s")), "leading zeros are not dropped");
        assertTrue(l.open("l", "000 000", AccessContext.of("s")).isOpen());
        assertTrue(l.open("l", "000-000", AccessContext.of("s")).isOpen());
    }

    @Test
    void open_numericCodeWithLettersOrWrongLength_isNotAccepted() {
        IssuedCode code = latches.issue(LatchPolicy.custom().maxAttempts(10).build(), "l", "s");
        assertEquals(MALFORMED, latches.open("l", "ABCDEFGH", AccessContext.of("s")), "base32 text for a numeric code");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), latches.open("l", code.code() + "0", AccessContext.of("s")));
        assertEquals(MALFORMED, latches.open("l", code.code().substring(1), AccessContext.of("s")));
        assertTrue(latches.open("l", code.code(), AccessContext.of("s")).isOpen());
    }

    @Test
    void open_base32IsCaseInsensitiveAndReadsAmbiguousLetters() {
        LatchPolicy b32 = LatchPolicy.custom().format(CodeFormat.base32(12)).maxUses(10).build();
        IssuedCode code = latches.issue(b32, "l", "s");
        assertEquals(12, code.code().length());
        assertTrue(code.code().chars().allMatch(c -> "0123456789ABCDEFGHJKMNPQRSTVWXYZ".indexOf(c) >= 0));
        assertTrue(latches.open("l", code.code().toLowerCase(), AccessContext.of("s")).isOpen());
        String typed = code.code().replace('1', 'l').replace('0', 'O');
        assertTrue(latches.open("l", typed.substring(0, 4) + "-" + typed.substring(4), AccessContext.of("s")).isOpen());
    }

    @Test
    void open_opaqueIsExactAndCaseSensitive() {
        LatchPolicy opaque = LatchPolicy.custom().format(CodeFormat.opaque(16)).maxAttempts(10).build();
        IssuedCode code = latches.issue(opaque, "l", "s");
        assertEquals(22, code.code().length());
        String flipped = flipCase(code.code());
        if (!flipped.equals(code.code())) {
            assertFalse(latches.open("l", flipped, AccessContext.of("s")).isOpen());
        }
        assertTrue(latches.open("l", code.code(), AccessContext.of("s")).isOpen());
    }

    private static String flipCase(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return b.toString();
    }

    @Test
    void issue_refusesReservedOrInvalidIds() {
        assertThrows(IllegalArgumentException.class, () -> latches.issue(LatchPolicy.HIGH, "~recovery", "s"));
        assertThrows(IllegalArgumentException.class, () -> latches.issue(LatchPolicy.HIGH, "", "s"));
        assertThrows(IllegalArgumentException.class, () -> latches.issue(LatchPolicy.HIGH, "l", "x".repeat(257)));
        assertThrows(IllegalArgumentException.class, () -> latches.issue(LatchPolicy.HIGH, "l\n", "s"));
        assertThrows(IllegalArgumentException.class, () -> latches.issue(null, "l", "s"));
    }

    @Test
    void ids_thatLatchCannotHaveMade_areRefusedBeforeTheStore_andNeverReachTheAuditTrail() {
        IssuedCode code = latches.issue(LatchPolicy.LOW, "l", "s");
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        audit.clear();
        String forged = code.codeId() + "\n2026-11-23 INFO dev.latch.audit OPENED outcome=SUCCESS latch=prod";
        for (String bad : new String[] {forged, "", "c_" + "x".repeat(63), "c_\u0000", "c_ä", "c_x y", "c_x}{", "c_x:y",
                "x".repeat(1_000_000)}) {
            assertFalse(latches.revoke(bad));
            assertTrue(latches.renew(bad).isEmpty());
            assertTrue(latches.find(bad).isEmpty());
            assertFalse(latches.revokeKey(bad));
            assertTrue(latches.keyInfo(bad).isEmpty());
            assertTrue(latches.review(bad).isEmpty());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> latches.rotate(bad, java.time.Duration.ZERO));
            assertFalse(!bad.isEmpty() && e.getMessage().contains(bad), "the message does not echo the id");
        }
        assertEquals(27, audit.events().size(), "revoke, renew and revokeKey audit each refusal");
        for (AuditEvent e : audit.events()) {
            assertEquals("MALFORMED_ID", e.reason());
            assertEquals(AuditEvent.Outcome.FAILURE, e.outcome());
            assertNull(e.codeId(), "the refused id is not in the event");
        }
        // Nothing was revoked on the way: the code and the key still work, by their real ids.
        assertEquals(CodeInfo.State.PENDING, latches.find(code.codeId()).orElseThrow().state());
        assertTrue(latches.keyInfo(key.keyId()).isPresent());
        assertTrue(latches.open("l", code.code(), AccessContext.of("s")).isOpen());
        assertTrue(latches.revokeKey(key.keyId()));
    }

    @Test
    void names_withAnUnpairedSurrogate_areRefused_becauseTheyHaveNoUtf8Form() {
        // Encoded to UTF-8 an unpaired surrogate becomes '?', so "s\uD800" and "s?" would share one
        // code digest (and one Redis key): two subjects, one identity.
        for (String bad : new String[] {"s\uD800", "s\uDC00", "\uDC00\uD800", "a\uD800b", "\uD83D"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccessContext.of(bad));
            assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> latches.issue(LatchPolicy.HIGH, "l", bad));
            assertThrows(IllegalArgumentException.class, () -> latches.issue(LatchPolicy.HIGH, bad, "s"));
            assertThrows(IllegalArgumentException.class, () -> LatchPolicy.custom().name(bad));
        }
        // A pair is one character (U+1F511), and names outside ASCII are fine.
        IssuedCode key = latches.issue(LatchPolicy.HIGH, "tür-\uD83D\uDD11", "zoë-\uD83D\uDD11");
        assertTrue(latches.open("tür-\uD83D\uDD11", key.code(), AccessContext.of("zoë-\uD83D\uDD11")).isOpen());
    }

    @Test
    void conditions_sourceAllowlist_rejectsOutsideAndDoesNotConsume() {
        LatchPolicy policy = LatchPolicy.custom().conditions(Condition.sourceIn("10.0.0.0/8", "2001:db8::/32")).build();
        IssuedCode code = latches.issue(policy, "l", "s");
        AccessContext outside = AccessContext.builder("s").source("192.0.2.1").build();
        AccessContext noSource = AccessContext.of("s");
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), latches.open("l", code.code(), outside));
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), latches.open("l", code.code(), noSource));
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), latches.open("l", wrong(code), outside),
                "a wrong code from outside is still just wrong: no oracle");
        assertTrue(latches.open("l", code.code(), AccessContext.builder("s").source("2001:db8::7").build()).isOpen());
        IssuedCode v4 = latches.issue(policy, "l2", "s");
        assertTrue(latches.open("l2", v4.code(), AccessContext.builder("s").source("10.1.2.3").build()).isOpen());
    }

    @Test
    void conditions_businessHoursInZone() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        LatchPolicy policy = LatchPolicy.custom().ttl(Duration.ofDays(2)).maxUses(5)
                .conditions(Condition.within(TimeWindow.businessHours(berlin))).build();
        IssuedCode code = latches.issue(policy, "l", "s");
        assertTrue(latches.open("l", code.code(), AccessContext.of("s")).isOpen(), "Monday 11:00 in Berlin");
        clock.set(Instant.parse("2026-03-02T16:30:00Z")); // 17:30 in Berlin
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), latches.open("l", code.code(), AccessContext.of("s")));
        clock.set(Instant.parse("2026-03-03T07:59:59Z")); // 08:59:59 Tuesday
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED), latches.open("l", code.code(), AccessContext.of("s")));
        clock.set(Instant.parse("2026-03-03T08:00:00Z"));
        assertTrue(latches.open("l", code.code(), AccessContext.of("s")).isOpen());
    }

    @Test
    void conditions_requiredAttributes() {
        LatchPolicy policy = LatchPolicy.custom().conditions(Condition.attribute("team", "ops", "sre")).build();
        IssuedCode code = latches.issue(policy, "l", "s");
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED),
                latches.open("l", code.code(), AccessContext.builder("s").attribute("team", "dev").build()));
        assertTrue(latches.open("l", code.code(), AccessContext.builder("s").attribute("team", "sre").build()).isOpen());
    }

    @Test
    void requestBinding_opensOnlyForTheSameRequest() {
        RequestDigest r42 = RequestDigest.of("deploy prod release-42");
        RequestDigest r43 = RequestDigest.of("deploy prod release-43");
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "deploy:prod", "alice", r42);
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED),
                latches.open("deploy:prod", code.code(), AccessContext.builder("alice").request(r43).build()));
        assertEquals(new Verdict.Denied(DenialReason.CONTEXT_REJECTED),
                latches.open("deploy:prod", code.code(), AccessContext.of("alice")));
        assertTrue(latches.open("deploy:prod", code.code(), AccessContext.builder("alice").request(r42).build()).isOpen());
    }

    @Test
    void emergency_opensOnceWithReviewDue() {
        IssuedCode code = latches.issue(LatchPolicy.EMERGENCY, "prod-access", "oncall");
        assertEquals(8, code.code().length());
        assertEquals(clock.instant().plus(Duration.ofMinutes(10)), code.expiresAt());
        Verdict.Opened opened = assertInstanceOf(Verdict.Opened.class,
                latches.open("prod-access", code.code(), AccessContext.of("oncall")));
        assertTrue(opened.reviewDue());
        assertEquals(1, audit.count(AuditEvent.Type.OPENED, "REVIEW_DUE"));
        assertEquals(new Verdict.Denied(DenialReason.USED), latches.open("prod-access", code.code(), AccessContext.of("oncall")));
    }

    @Test
    void alerts_newSourceOutOfHoursAndFailureThreshold() {
        Latches l = Latches.builder().clock(clock).pepper(PEPPER).auditSink(audit)
                .businessHours(TimeWindow.businessHours(ZoneId.of("UTC")))
                .lockout(LockoutPolicy.of(2, Duration.ofMinutes(1), Duration.ofMinutes(5))).build();
        LatchPolicy multi = LatchPolicy.custom().maxUses(5).ttl(Duration.ofDays(1)).build();
        IssuedCode code = l.issue(multi, "l", "s");
        l.open("l", code.code(), AccessContext.builder("s").source("192.0.2.1").build());
        l.open("l", code.code(), AccessContext.builder("s").source("192.0.2.1").build());
        assertEquals(0, audit.ofType(AuditEvent.Type.ALERT).size(), "first and known sources raise nothing");
        l.open("l", code.code(), AccessContext.builder("s").source("198.51.100.9").build());
        assertEquals(1, audit.count(AuditEvent.Type.ALERT, "NEW_SOURCE"));
        clock.set(Instant.parse("2026-03-02T20:00:00Z")); // Monday evening, after hours
        l.open("l", code.code(), AccessContext.of("s"));
        assertEquals(1, audit.count(AuditEvent.Type.ALERT, "OUTSIDE_BUSINESS_HOURS"));
        l.open("l", wrong(code), AccessContext.of("s"));
        l.open("l", wrong(code), AccessContext.of("s"));
        assertEquals(1, audit.count(AuditEvent.Type.ALERT, "FAILURE_THRESHOLD"));
        assertEquals(1, audit.ofType(AuditEvent.Type.LOCKED_OUT).size());
    }

    @Test
    void audit_unknownLatchAndWrongCodeLookAlikeToCallerButNotInAudit() {
        IssuedCode code = latches.issue(LatchPolicy.HIGH, "l", "s");
        Verdict unknown = latches.open("nope", code.code(), AccessContext.of("s"));
        Verdict wrong = latches.open("l", wrong(code), AccessContext.of("s"));
        assertEquals(unknown, wrong);
        assertEquals(1, audit.count(AuditEvent.Type.DENIED, "UNKNOWN_CODE"));
        assertEquals(1, audit.count(AuditEvent.Type.DENIED, "WRONG_CODE"));
    }

    @Test
    void audit_everyOperationEmitsAnEvent() {
        IssuedCode code = latches.issue(LatchPolicy.LOW, "l", "s");
        latches.renew(code.codeId());
        latches.open("l", code.code(), AccessContext.of("s"));
        latches.open("l", code.code(), AccessContext.of("s"));
        IssuedCode other = latches.issue(LatchPolicy.LOW, "l2", "s");
        latches.revoke(other.codeId());
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("svc").build());
        latches.authenticate(key.key(), AccessContext.of("svc"));
        latches.rotate(key.keyId(), Duration.ofMinutes(5));
        for (AuditEvent.Type t : new AuditEvent.Type[]{AuditEvent.Type.ISSUED, AuditEvent.Type.RENEWED,
                AuditEvent.Type.OPENED, AuditEvent.Type.DENIED, AuditEvent.Type.REVOKED, AuditEvent.Type.ROTATED}) {
            assertFalse(audit.ofType(t).isEmpty(), "no " + t + " event");
        }
        for (AuditEvent e : audit.events()) {
            assertEquals(clock.instant(), e.time());
        }
    }

    @Test
    void audit_throwingSinkNeverChangesTheVerdict() {
        RecordingAuditSink after = new RecordingAuditSink();
        Latches l = Latches.builder().clock(clock).pepper(PEPPER)
                .auditSink(e -> {
                    throw new IllegalStateException("sink down");
                }, after).build();
        IssuedCode code = l.issue(LatchPolicy.HIGH, "l", "s");
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), l.open("l", wrong(code), AccessContext.of("s")));
        assertTrue(l.open("l", code.code(), AccessContext.of("s")).isOpen());
        assertEquals(3, after.events().size(), "later sinks still get every event");
    }

    @Test
    void failingStore_throwsTypedExceptionAuditsAndNeverOpens() {
        FailingStore failing = new FailingStore(Latches.inMemoryStore());
        Latches l = Latches.builder().clock(clock).pepper(PEPPER).auditSink(audit).store(failing).build();
        IssuedCode code = l.issue(LatchPolicy.HIGH, "l", "s");
        IssuedStaticKey key = l.issueStaticKey(StaticKeySpec.builder("svc").build());
        failing.fail = true;
        LatchStoreException e = assertThrows(LatchStoreException.class, () -> l.open("l", code.code(), AccessContext.of("s")));
        assertFalse(e.getMessage().contains(code.code()));
        assertThrows(LatchStoreException.class, () -> l.issue(LatchPolicy.HIGH, "l2", "s"));
        LatchStoreException k = assertThrows(LatchStoreException.class, () -> l.authenticate(key.key(), AccessContext.of("s")));
        assertFalse(k.getMessage().contains(key.key().substring(key.key().length() - 30)));
        assertEquals(MALFORMED, l.authenticate("lk_AAAAAAAAAAAA_" + "A".repeat(30), AccessContext.of("s")),
                "a key with a bad checksum never reaches the store");
        assertEquals(3, audit.ofType(AuditEvent.Type.STORE_FAILURE).size());
        failing.fail = false;
        assertTrue(l.open("l", code.code(), AccessContext.of("s")).isOpen(), "the failed open consumed nothing");
        assertTrue(l.authenticate(key.key(), AccessContext.of("s")).isOpen());
    }

    static String wrong(IssuedCode code) {
        char[] c = code.code().toCharArray();
        c[0] = c[0] == '9' ? '0' : (char) (c[0] + 1);
        return new String(c);
    }

    /** A SecureRandom that always draws zero. */
    static final class SecureRandomStub extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;

        @Override
        public int nextInt(int bound) {
            return 0;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

}
