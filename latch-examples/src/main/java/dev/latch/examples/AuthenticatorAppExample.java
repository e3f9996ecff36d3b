package dev.latch.examples;

import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;
import dev.latch.hmac.OtpEnrollment;
import dev.latch.hmac.OtpSecret;
import dev.latch.hmac.Totp;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * Authenticator app: enroll a TOTP secret (the otpauth:// URI an app scans), verify a code
 * within the ±1 step window, reject its replay and a wrong code, and accept the next one.
 */
public final class AuthenticatorAppExample {
    private AuthenticatorAppExample() {
    }

    /** @param args unused */
    public static void main(String[] args) throws java.io.IOException {
        title("Authenticator app (TOTP)");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-03-02T10:00:05Z"));
        Latches latches = Scenario.latches(clock, Scenario.printAudit());
        Totp totp = Totp.builder().build();

        step("alice enrolls; the page shows this URI as a QR code, once");
        OtpEnrollment enrollment = totp.enroll("Example Corp", "alice@example.com", new SecureRandom());
        result(enrollment.uri().toString());
        // The QR code holds the secret: a real page sends it once, with Cache-Control: no-store.
        java.nio.file.Path png = java.nio.file.Files.createTempFile("latch-enrollment-", ".png");
        java.nio.file.Files.write(png, dev.latch.qr.EnrollmentQr.of(enrollment.uri()).png(6));
        png.toFile().deleteOnExit();
        result("wrote the enrollment QR code (PNG, ZXing) to " + png);
        String stored = enrollment.secret().base32(); // the application stores this, encrypted
        result("the application stores the secret (encrypted); latch stores only the replay counter");

        step("Her app shows a code; she types it");
        OtpSecret secret = OtpSecret.fromBase32(stored);
        String code = totp.generate(secret, clock.instant());
        result("app shows " + code);
        result(totp.verify(latches, "totp", secret, code, AccessContext.of("alice")).toString());

        step("An attacker who saw the code over her shoulder replays it");
        result(totp.verify(latches, "totp", secret, code, AccessContext.of("alice")).toString());

        step("A wrong code");
        String wrong = code.equals("000000") ? "111111" : "000000";
        result(totp.verify(latches, "totp", secret, wrong, AccessContext.of("alice")).toString());

        step("She signs in again 30 seconds later with the next code");
        clock.advance(Duration.ofSeconds(30));
        Verdict next = totp.verify(latches, "totp", secret, totp.generate(secret, clock.instant()), AccessContext.of("alice"));
        result(next.toString());
    }
}
