package dev.latch.hmac;

import dev.latch.AccessContext;
import dev.latch.AuditEvent;
import dev.latch.Verdict.DenialReason;
import dev.latch.Latches;
import dev.latch.LockoutPolicy;
import dev.latch.Pepper;
import dev.latch.Verdict;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OtpTest {
    static final Pepper PEPPER = Pepper.fromBase64("c2VjcmV0LXBlcHBlci1mb3ItdGVzdHMtb25seS0xMjM0NTY=");
    final OtpSecret secret = OtpSecret.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));
    final AccessContext alice = AccessContext.of("alice");
    MutableClock clock;
    RecordingAuditSink audit;
    Latches latches;

    @BeforeEach
    void setUp() {
        clock = MutableClock.at(Instant.ofEpochSecond(1_700_000_010L)); // 10 s into a 30 s step
        audit = new RecordingAuditSink();
        latches = Latches.builder().clock(clock).pepper(PEPPER).auditSink(audit)
                .lockout(LockoutPolicy.of(5, Duration.ofMinutes(1), Duration.ofMinutes(10))).build();
    }

    private String at(Totp totp, long stepOffset) {
        return totp.generate(secret, clock.instant().plusSeconds(30 * stepOffset));
    }

    @Test
    void totp_windowAcceptsOneStepEitherSideOnly() {
        Totp totp = Totp.builder().build();
        assertFalse(totp.verify(latches, "totp", secret, at(totp, -2), alice).isOpen());
        assertFalse(totp.verify(latches, "totp", secret, at(totp, 2), alice).isOpen());
        assertTrue(totp.verify(latches, "totp", secret, at(totp, -1), alice).isOpen());
        assertTrue(totp.verify(latches, "totp", secret, at(totp, 1), alice).isOpen());
    }

    @Test
    void otp_groupingFollowsTheRuleOfEveryLatchCode() {
        Totp totp = Totp.builder().build();
        String code = at(totp, 0);
        String[] bad = {" " + code, code + " ", code + "\n", "-" + code,
                code.substring(0, 3) + "  " + code.substring(3), code.substring(0, 3) + "\t" + code.substring(3)};
        for (int i = 0; i < bad.length; i++) {
            // each on its own subject: a malformed code counts as a failure, and six would lock one out
            assertEquals(new Verdict.Denied(DenialReason.MALFORMED),
                    totp.verify(latches, "totp", secret, bad[i], AccessContext.of("user-" + i)), "'" + bad[i] + "'");
        }
        assertTrue(totp.verify(latches, "totp", secret, code.substring(0, 3) + " " + code.substring(3), alice).isOpen());
        clock.advance(Duration.ofSeconds(30));
        assertTrue(totp.verify(latches, "totp", secret, code(at(totp, 0), "-"), alice).isOpen());
        Hotp hotp = Hotp.builder().build();
        assertTrue(hotp.verify(latches, "hotp", secret, code(hotp.generate(secret, 0), " "), alice).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED),
                hotp.verify(latches, "hotp", secret, " " + hotp.generate(secret, 1), alice));
    }

    private static String code(String digits, String separator) {
        return digits.substring(0, 3) + separator + digits.substring(3);
    }

    @Test
    void totp_windowOfTwoAndOfZero() {
        Totp wide = Totp.builder().window(2).build();
        assertTrue(wide.verify(latches, "totp", secret, at(wide, -2), alice).isOpen());
        Totp exact = Totp.builder().window(0).build();
        assertFalse(exact.verify(latches, "totp-0", secret, at(exact, 1), alice).isOpen());
        assertTrue(exact.verify(latches, "totp-0", secret, at(exact, 0), alice).isOpen());
        assertThrows(IllegalArgumentException.class, () -> Totp.builder().window(3));
    }

    @Test
    void totp_replayOfAcceptedOrEarlierStepIsRejected() {
        Totp totp = Totp.builder().build();
        String now = at(totp, 0);
        assertTrue(totp.verify(latches, "totp", secret, now, alice).isOpen());
        assertEquals(new Verdict.Denied(DenialReason.REPLAYED), totp.verify(latches, "totp", secret, now, alice));
        assertEquals(new Verdict.Denied(DenialReason.REPLAYED), totp.verify(latches, "totp", secret, at(totp, -1), alice),
                "an earlier step after a later one was accepted");
        clock.advance(Duration.ofSeconds(30));
        assertTrue(totp.verify(latches, "totp", secret, at(totp, 0), alice).isOpen());
    }

    @Test
    void totp_clockJumpingBackwardsNeverReopensAUsedCode() {
        Totp totp = Totp.builder().build();
        String code = at(totp, 0);
        assertTrue(totp.verify(latches, "totp", secret, code, alice).isOpen());
        clock.advance(Duration.ofMinutes(-10));
        assertFalse(totp.verify(latches, "totp", secret, code, alice).isOpen());
        assertFalse(totp.verify(latches, "totp", secret, at(totp, 0), alice).isOpen(), "steps before the accepted one");
    }

    @Test
    void totp_codesWithLeadingZerosKeepThem() {
        Totp totp = Totp.builder().digits(8).build();
        OtpSecret seed = OtpSecret.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));
        clock.set(Instant.ofEpochSecond(1111111109L));
        assertEquals("07081804", totp.generate(seed, clock.instant()));
        assertTrue(totp.verify(latches, "totp8", seed, "07081804", alice).isOpen());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12345", "1234567", "12345a", "١٢٣٤٥٦", "１２３４５６", " 123456"})
    void totp_malformedInputCountsAsFailure(String input) {
        Totp totp = Totp.builder().build();
        assertEquals(new Verdict.Denied(DenialReason.MALFORMED), totp.verify(latches, "totp", secret, input, alice));
        assertEquals(1, audit.count(AuditEvent.Type.DENIED, "OTP_MALFORMED"));
        assertFalse(totp.verify(latches, "totp", secret, null, alice).isOpen());
    }

    @Test
    void totp_failuresLockAndARightCodeDoesNotOpenWhileLocked() {
        Totp totp = Totp.builder().build();
        String right = at(totp, 0);
        String wrong = right.equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 5; i++) {
            assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE), totp.verify(latches, "totp", secret, wrong, alice));
        }
        assertEquals(new Verdict.Denied(DenialReason.LOCKED), totp.verify(latches, "totp", secret, right, alice));
        assertEquals(1, audit.ofType(AuditEvent.Type.LOCKED_OUT).size());
        clock.advance(Duration.ofMinutes(1));
        assertTrue(totp.verify(latches, "totp", secret, at(totp, 0), alice).isOpen());
    }

    @Test
    void totp_worksPast2038With64BitSteps() {
        Totp totp = Totp.builder().build();
        clock.set(Instant.parse("2106-02-07T06:28:16Z"));
        assertTrue(totp.step(clock.instant()) > Integer.MAX_VALUE / 30);
        assertTrue(totp.verify(latches, "totp", secret, at(totp, 0), alice).isOpen());
    }

    @Test
    void enrollment_hasA160BitSecretAndAnEncodedUri() {
        Totp totp = Totp.builder().algorithm(OtpAlgorithm.SHA256).digits(8).period(Duration.ofSeconds(60)).build();
        OtpEnrollment e = totp.enroll("Example Corp", "alice smith@example.com", new SecureRandom());
        assertTrue(e.secret().base32().length() >= 32, "160 bits is 32 base32 characters");
        URI uri = e.uri();
        assertEquals("otpauth://totp/Example%20Corp:alice%20smith%40example.com?secret=" + e.secret().base32()
                + "&issuer=Example%20Corp&algorithm=SHA256&digits=8&period=60", uri.toString());
        assertEquals("Example Corp:alice smith@example.com", uri.getPath().substring(1));
        assertFalse(e.toString().contains(e.secret().base32()));
        assertEquals(e.secret().base32(), OtpSecret.fromBase32(e.secret().base32().toLowerCase()).base32());
        assertThrows(IllegalArgumentException.class, () -> totp.enroll("Bad:Issuer", "a", new SecureRandom()));
        assertThrows(IllegalArgumentException.class, () -> Totp.builder().period(Duration.ofSeconds(121)));
        assertThrows(IllegalArgumentException.class, () -> Totp.builder().digits(9));
        assertThrows(IllegalArgumentException.class, () -> OtpSecret.of(new byte[15]));
    }

    @Test
    void hotp_counterMovesOnlyOnSuccessWithinLookAhead() {
        Hotp hotp = Hotp.builder().lookAhead(3).build();
        assertFalse(hotp.verify(latches, "hotp", secret, hotp.generate(secret, 4), alice).isOpen(), "beyond look-ahead");
        assertTrue(latches.nextCounter("hotp", "alice").isEmpty(), "a failure does not move the counter");
        assertTrue(hotp.verify(latches, "hotp", secret, hotp.generate(secret, 2), alice).isOpen());
        assertEquals(3, latches.nextCounter("hotp", "alice").getAsLong());
        assertEquals(new Verdict.Denied(DenialReason.WRONG_CODE),
                hotp.verify(latches, "hotp", secret, hotp.generate(secret, 1), alice), "below the counter is outside the window");
        assertTrue(hotp.verify(latches, "hotp", secret, hotp.generate(secret, 3), alice).isOpen());
    }

    @Test
    void hotp_resyncNeedsTwoConsecutiveCodes() {
        Hotp hotp = Hotp.builder().lookAhead(2).resyncWindow(100).build();
        assertFalse(hotp.verify(latches, "hotp", secret, hotp.generate(secret, 50), alice).isOpen());
        assertFalse(hotp.resync(latches, "hotp", secret, hotp.generate(secret, 50), hotp.generate(secret, 52), alice).isOpen(),
                "not consecutive");
        assertTrue(hotp.resync(latches, "hotp", secret, hotp.generate(secret, 50), hotp.generate(secret, 51), alice).isOpen());
        assertEquals(52, latches.nextCounter("hotp", "alice").getAsLong());
        assertTrue(hotp.verify(latches, "hotp", secret, hotp.generate(secret, 52), alice).isOpen());
    }
}
