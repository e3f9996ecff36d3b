package dev.latch;

import dev.latch.DeliveryChain.DeliveryReceipt;

import java.util.List;

/**
 * Every channel of the {@link DeliveryChain} failed. Unless the policy allows backup codes, the
 * code was revoked (it can never open); with backup codes it stays pending and the subject may
 * answer with a recovery code ({@link Latches#answerWithRecoveryCode}).
 *
 * <pre>{@code
 * try {
 *     latches.issueAndDeliver(policy, "login:alice", "alice", "alice", null);
 * } catch (DeliveryFailedException e) {
 *     if (e.backupCodesAllowed()) askForRecoveryCode(); else showTryLater();
 * }
 * }</pre>
 *
 * <p>Thread-safe: immutable after construction.
 */
public final class DeliveryFailedException extends LatchException {
    private static final long serialVersionUID = 1L;

    private final transient DeliveryReceipt receipt;
    private final boolean backupCodesAllowed;

    DeliveryFailedException(DeliveryReceipt receipt, boolean backupCodesAllowed) {
        super("no delivery channel delivered code " + receipt.codeId() + " (" + String.join(", ", receipt.failures())
                + "); " + (backupCodesAllowed ? "it stays pending for a recovery code" : "it was revoked"));
        this.receipt = receipt;
        this.backupCodesAllowed = backupCodesAllowed;
    }

    /** @return which channels failed and how */
    public DeliveryReceipt receipt() {
        return receipt;
    }

    /** @return the failures, as {@code name:failure} */
    public List<String> failures() {
        return receipt.failures();
    }

    /** @return true when the code stays pending and a recovery code may answer it; false when it was revoked */
    public boolean backupCodesAllowed() {
        return backupCodesAllowed;
    }
}
