package dev.latch;

import dev.latch.spi.Names;
import java.time.Instant;

/**
 * The answer to one approver's decision on an {@link ApprovalGate}.
 *
 * <pre>{@code
 * Approval a = gate.approve("alice", code, RequestDigest.of(releaseManifest));
 * if (a.status() == ApprovalGate.Status.OPEN) deploy();
 * }</pre>
 *
 * @param outcome   what happened to this decision
 * @param approver  who decided (as given)
 * @param time      when, from the clock
 * @param approvals distinct approvals recorded on the gate after it
 * @param quorum    approvals needed
 * @param status    the gate's status after it
 *
 * <p>Thread-safe: immutable.
 */
public record Approval(Outcome outcome, String approver, Instant time, int approvals, int quorum,
                       ApprovalGate.Status status) {
    /**
     * What happened. For example {@code if (approval.outcome() == Approval.Outcome.OPENED) deploy();}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Outcome {
        /** The approval was recorded; the quorum is not reached yet. */
        APPROVED,
        /** The approval was recorded and reached the quorum: the gate is open. */
        OPENED,
        /** The approver denied with a valid code: the gate is closed. */
        DENIED,
        /** The name is not one of the gate's approvers. */
        NOT_AN_APPROVER,
        /** The requester tried to approve their own request. */
        SELF_APPROVAL,
        /** This approver already decided (their code is used). */
        ALREADY_DECIDED,
        /** The gate was already opened or denied. */
        GATE_DECIDED,
        /** The gate (and its codes) expired. */
        EXPIRED,
        /** The code was issued for a different request (digest). */
        REQUEST_MISMATCH,
        /** The code is wrong (counted as a failed attempt). */
        WRONG_CODE,
        /** Too many wrong codes: locked for this approver. */
        LOCKED,
        /** Null, empty, oversized or wrong-charset input. */
        MALFORMED
    }

    /** Validates. */
    public Approval {
        Names.required(outcome, "outcome");
        Names.required(time, "time");
        Names.required(status, "status");
    }

    /** @return true when the decision was recorded ({@link Outcome#APPROVED}, {@link Outcome#OPENED} or {@link Outcome#DENIED}) */
    public boolean recorded() {
        return outcome == Outcome.APPROVED || outcome == Outcome.OPENED || outcome == Outcome.DENIED;
    }
}
