package dev.latch.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs every example's main and checks that each told the story it promises. */
class ExamplesTest {

    /** A main that may throw. */
    interface Main {
        void run(String[] args) throws Exception;
    }

    private static String run(Main main) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            main.run(new String[0]);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            System.setOut(original);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        original.print(out);
        return out;
    }

    private static void assertInOrder(String out, String... parts) {
        int from = 0;
        for (String p : parts) {
            int at = out.indexOf(p, from);
            assertTrue(at >= 0, "expected '" + p + "' after position " + from + " in:\n" + out);
            from = at + p.length();
        }
    }

    @Test
    void releaseApproval_deniesOtherReleaseAndTypoThenOpensOnceThenExpires() {
        String out = run(ReleaseApprovalExample::main);
        assertInOrder(out, "Denied[reason=CONTEXT_REJECTED]", "Denied[reason=WRONG_CODE]", "Opened[",
                "gate OPEN", "Denied[reason=USED]", "Denied[reason=EXPIRED]");
    }

    @Test
    void apiKeyLifecycle_rotatesWithOverlapRevokesAndRedeemsRecoveryCodes() {
        String out = run(ApiKeyLifecycleExample::main);
        assertInOrder(out, "lk_live_", "Opened[", "last used", "Denied[reason=MALFORMED]",
                "old key during overlap: Opened[", "new key: Opened[", "old key after overlap: Denied[reason=EXPIRED]",
                "leaked key now: Denied[reason=REVOKED]", "redeem one (typed in lower case): Opened[",
                "redeem it again: Denied[reason=USED]", "an old code: Denied[reason=WRONG_CODE]", "and a new one: Opened[");
    }

    @Test
    void breakGlass_opensOnceWithReviewDueAndExpires() {
        String out = run(BreakGlassExample::main);
        assertInOrder(out, "reviewDue=true", "post-use review is now due", "Denied[reason=USED]",
                "Denied[reason=EXPIRED]", "opened prod-db:admin from 10.0.8.14 [REVIEW_DUE]");
    }

    @Test
    void downloadLink_servesOnlyValidTokensOverLoopback() {
        String out = run(DownloadLinkExample::main);
        assertInOrder(out, "good link: HTTP 200 OPENED", "tampered token: HTTP 403 BAD_SIGNATURE", "other blob: HTTP 403 INSUFFICIENT_SCOPE",
                "old link after rotation: HTTP 200 OPENED", "old key disabled: HTTP 403 UNKNOWN_KEY",
                "link signed with the new key: HTTP 200 OPENED", "link of the revoked policy: HTTP 403 REVOKED",
                "expired link: HTTP 403 EXPIRED");
    }

    @Test
    void authenticatorApp_enrollsVerifiesAndRejectsReplay() {
        String out = run(AuthenticatorAppExample::main);
        assertInOrder(out, "otpauth://totp/Example%20Corp:alice%40example.com?secret=", "Opened[",
                "Denied[reason=REPLAYED]", "Denied[reason=WRONG_CODE]", "Opened[");
    }

    @Test
    void serviceToService_verifiesOverLoopbackAndDeniesReplayAudienceScopeExpiry() {
        String out = run(ServiceToServiceExample::main);
        assertInOrder(out, "first call: HTTP 200 OPENED", "replay: HTTP 401 REPLAYED", "wrong audience: HTTP 401 INSUFFICIENT_SCOPE",
                "wrong scope: HTTP 401 INSUFFICIENT_SCOPE", "expired: HTTP 401 EXPIRED");
    }

    @Test
    void multiInstance_oneTimeAcrossInstancesAndSharedLockout() {
        String out = run(MultiInstanceExample::main);
        assertInOrder(out, "started redis-server", "instance B: Opened[", "instance A: Denied[reason=USED]",
                "instance A: Denied[reason=WRONG_CODE]", "instance B: Denied[reason=WRONG_CODE]",
                "instance B: Denied[reason=LOCKED]");
    }

    @Test
    void tour_runsEveryExample() {
        String out = run(Tour::main);
        assertInOrder(out, "Release approval gate", "API key lifecycle", "Break-glass access", "Time-limited download link",
                "Authenticator app", "Service-to-service", "Tour complete.");
        assertFalse(out.contains("Exception"), out);
    }
}
