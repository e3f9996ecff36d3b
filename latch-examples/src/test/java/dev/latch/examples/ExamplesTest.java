package dev.latch.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs every example's main and checks that each told the story it promises. */
class ExamplesTest {

    private static String run(Consumer<String[]> main) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            main.accept(new String[0]);
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
    void tour_runsEveryExample() {
        String out = run(Tour::main);
        assertInOrder(out, "Release approval gate", "API key lifecycle", "Break-glass access", "Tour complete.");
        assertFalse(out.contains("Exception"), out);
    }
}
