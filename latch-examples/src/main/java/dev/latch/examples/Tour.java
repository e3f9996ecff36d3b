package dev.latch.examples;

/**
 * Runs every example in order: the README's first command. Each example is also a
 * {@code main} of its own, to run from an IDE.
 */
public final class Tour {
    private Tour() {
    }

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        System.out.println("latch examples tour: every step prints what happened.");
        System.out.println("Codes appear below only where a delivery channel would send them.");
        ReleaseApprovalExample.main(args);
        ApiKeyLifecycleExample.main(args);
        BreakGlassExample.main(args);
        FailedLoginChallengeExample.main(args);
        DownloadLinkExample.main(args);
        AuthenticatorAppExample.main(args);
        ServiceToServiceExample.main(args);
        MultiInstanceExample.main(args);
        PostgresKeysExample.main(args);
        SpringServiceExample.main(args);
        System.out.println();
        System.out.println("Tour complete.");
    }
}
