package dev.latch.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void releaseApproval_twoOfThreeWithRefusalsReminderAndExpiry() {
        String out = run(ReleaseApprovalExample::main);
        assertInOrder(out, "needs 2 of 3", "mallory: NOT_AN_APPROVER", "dave: SELF_APPROVAL", "REQUEST_MISMATCH",
                "APPROVED (1 of 2), gate PENDING", "alice again: ALREADY_DECIDED",
                "reminder: your code for ~gate/", "WRONG_CODE", "OPENED (2 of 2), gate OPEN",
                "gate OPEN: deploying release-42", "Audit trail", "carol answers late: EXPIRED; gate EXPIRED");
        String firstGate = out.substring(0, out.indexOf("Next week release-44"));
        assertFalse(firstGate.contains("[chat to alice] reminder"), "no reminder for a code already used");
        assertTrue(firstGate.contains("[chat to bob] reminder") && firstGate.contains("[chat to carol] reminder"));
        // The second gate's reminders go out at 10:20, visibly before its codes expire at 10:25.
        assertInOrder(out.substring(out.indexOf("Next week release-44")), "expires 2026-03-02T10:25:00Z",
                "later (2026-03-02T10:20:00Z)", "[chat to alice] reminder", "later (2026-03-02T10:25:00Z)",
                "carol answers late: EXPIRED");
    }

    @Test
    void failedLoginChallenge_threeFailuresChallengeThroughTheFallbackChain() {
        String out = run(FailedLoginChallengeExample::main);
        assertInOrder(out, "guess 1: HTTP 401 wrong password (COUNTED)", "guess 2: HTTP 401 wrong password (COUNTED)",
                "DELIVERY_FAILED", "reason=CODE channel=sms failure=IOException", "[email to alice] your code for login:alice",
                "guess 3: HTTP 401 wrong password (CHALLENGED)", "guess 4: HTTP 401 held",
                "HTTP 401 held: enter the code", "HTTP 403 challenge WRONG_CODE", "HTTP 200 welcome alice",
                "HTTP 200 welcome alice");
        assertFalse(out.contains("CHALLENGE_FAILED"));
    }

    @Test
    void apiKeyLifecycle_rotatesWithOverlapRevokesAndRedeemsRecoveryCodes() {
        String out = run(ApiKeyLifecycleExample::main);
        assertInOrder(out, "lk_live_", "Opened[", "last used", "Denied[reason=MALFORMED]", "from 10.20.0.5: Opened[",
                "reason=CONTEXT_REJECTED condition=SOURCE", "from 203.0.113.9: Denied[reason=CONTEXT_REJECTED]",
                "old key during overlap: Opened[", "new key: Opened[", "old key after overlap: Denied[reason=EXPIRED]",
                "leaked key now: Denied[reason=REVOKED]", "redeem one (typed in lower case): Opened[",
                "redeem it again: Denied[reason=USED]", "an old code: Denied[reason=WRONG_CODE]", "and a new one: Opened[");
    }

    @Test
    void postgresKeys_shareTheLifecycleBetweenTwoInstancesOnARealPostgres() {
        String out = run(PostgresKeysExample::main);
        assertInOrder(out, "PostgreSQL is up on loopback port", "key lk_live_", "Opened[", "instance A sees the last use",
                "old key on B during the overlap: Opened[", "new key on B: Opened[",
                "old key on B after the overlap: Denied[reason=EXPIRED]", "revoked: true",
                "the leaked key on A: Denied[reason=REVOKED]", "rows deleted: ");
    }

    @Test
    void springService_keysTokensAndRefusalsOverRealHttp() {
        String out = run(SpringServiceExample::main);
        assertInOrder(out, "PostgreSQL is up on loopback port", "store JdbcLatchStore", "key id ",
                "200 order 7 for reporting (API_KEY)",
                "403 WWW-Authenticate: Bearer realm=\"latch\", error=\"insufficient_scope\"",
                "401 WWW-Authenticate: Bearer realm=\"latch\"",
                "401 WWW-Authenticate: Bearer realm=\"latch\", error=\"invalid_token\" {\"error\":\"invalid_token\"}",
                "200 order 8 for billing (SERVICE_TOKEN)", "again, with the cached token: order 9 for billing",
                "latch.events OPENED/SUCCESS = ", "latch.denials ", "The service stopped");
        assertFalse(out.contains("Exception"), out);
    }

    @Test
    void breakGlass_approvalThenSingleUseThenEscalationThenReview() {
        String out = run(BreakGlassExample::main);
        assertInOrder(out, "release before approval: refused", "OPENED", "[pager to bob] your code for prod-db:admin",
                "reviewDue=true", "post-use review is now due", "Denied[reason=USED]", "refused: SELF_REVIEW",
                "ESCALATION", "REVIEW_OVERDUE", "review is ESCALATED", "ACKNOWLEDGED_LATE: review ACKNOWLEDGED by dave", "ALREADY_ACKNOWLEDGED",
                "Audit trail", "ESCALATION bob prod-db:admin");
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
        assertInOrder(out, "otpauth://totp/Example%20Corp:alice%40example.com?secret=",
                "wrote the enrollment QR code (PNG, ZXing) to ", "Opened[",
                "Denied[reason=REPLAYED]", "Denied[reason=WRONG_CODE]", "Opened[");
    }

    @Test
    void serviceToService_verifiesOverLoopbackAndDeniesReplayAudienceScopeExpiry() {
        String out = run(ServiceToServiceExample::main);
        assertInOrder(out, "first call: HTTP 200 OPENED", "replay: HTTP 401 REPLAYED", "wrong audience: HTTP 401 INSUFFICIENT_SCOPE",
                "wrong scope: HTTP 401 INSUFFICIENT_SCOPE", "expired: HTTP 401 EXPIRED");
    }

    @Test
    void multiInstance_twoProcessesOneTimeAcrossInstancesAndSharedLockout() throws Exception {
        Set<Path> before = tempDirs("latch-redis-");
        String out = run(MultiInstanceExample::main);
        assertInOrder(out, "started redis-server on redis://127.0.0.1:", "instance B in pid",
                "audit(B): OPENED SUCCESS latch=deploy:prod", "instance B: Opened[",
                "instance A: Denied[reason=USED]", "instance B: Denied[reason=USED]",
                "instance A: Denied[reason=WRONG_CODE]", "instance B: Denied[reason=WRONG_CODE]",
                "instance A: Denied[reason=WRONG_CODE]", "instance B: Denied[reason=WRONG_CODE]",
                "audit(A): LOCKED_OUT", "instance B: Denied[reason=LOCKED]", "instance A: Denied[reason=LOCKED]",
                "instance B stopped");
        Set<Path> left = tempDirs("latch-redis-");
        left.removeAll(before);
        assertEquals(Set.of(), left, "the example deletes redis-server's directory");
    }

    /** The temporary directories whose names start with {@code prefix}. */
    static Set<Path> tempDirs(String prefix) throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).collect(Collectors.toSet());
        }
    }

    @Test
    void tour_runsEveryExample() {
        String out = run(Tour::main);
        assertInOrder(out, "Release approval gate", "API key lifecycle", "Break-glass access", "Failed-login challenge", "Time-limited download link",
                "Authenticator app", "Service-to-service", "Two instances, one Redis", "instance B: Denied[reason=LOCKED]",
                "Tour complete.");
        // Field names say what they hold, and absent fields are left out.
        assertFalse(out.contains(" code=c_") || out.contains("=null"), out);
        // Audit reasons may name a failed channel's exception type; a stack trace never appears.
        assertFalse(out.contains("\tat ") || out.contains("Exception:") || out.contains("Exception in"), out);
    }
}
