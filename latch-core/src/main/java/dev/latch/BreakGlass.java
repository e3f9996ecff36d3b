package dev.latch;

import dev.latch.spi.Names;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Break-glass access: an emergency code that opens a latch once, for a short time (by default
 * {@link LatchPolicy#EMERGENCY}: 10 minutes, single use), optionally only after a quorum of
 * approvers agreed, and always followed by a post-use review: opening records a pending
 * {@link Review} with a deadline; {@link Latches#acknowledgeReview} closes it; a review still open
 * at its deadline raises an {@link AuditEvent.Type#ESCALATION} alert.
 *
 * <pre>{@code
 * BreakGlass glass = BreakGlass.builder(latches).approvers(1, "alice", "bob").build();
 * BreakGlass.Request req = glass.request("prod-db", "carol", "INC-7: primary is down");
 * req.gate().orElseThrow().approve("alice", aliceCode, req.digest());
 * req.release();                                        // EMERGENCY code delivered to carol
 * Verdict v = latches.open("prod-db", carolsCode, AccessContext.of("carol"));   // reviewDue() == true
 * latches.acknowledgeReview(((Verdict.Opened) v).codeId(), "alice", "restart was justified");
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class BreakGlass {
    private final Latches latches;
    private final LatchPolicy policy;
    private final String[] approvers;
    private final int quorum;
    private final LatchPolicy approvalPolicy;

    private BreakGlass(Builder b) {
        this.latches = b.latches;
        this.policy = b.policy == null ? LatchPolicy.EMERGENCY : b.policy;
        this.approvers = b.approvers;
        this.quorum = b.quorum;
        this.approvalPolicy = b.approvalPolicy == null ? LatchPolicy.EMERGENCY_APPROVAL : b.approvalPolicy;
    }

    /**
     * @param latches latches built with a delivery chain
     * @return a builder
     */
    public static Builder builder(Latches latches) {
        return new Builder(latches);
    }

    /**
     * Asks for emergency access. Without approvers the code can be released at once; with
     * approvers, a gate is requested and each approver gets a code for this exact request.
     *
     * @param latchId   the latch to open
     * @param requester who needs access (receives the code)
     * @param reason    why, for the audit trail: 1 to 256 characters, no control characters, no secrets
     * @return the request
     */
    public Request request(String latchId, String requester, String reason) {
        AccessContext.checkText("requester", requester);
        AccessContext.checkText("reason", reason);
        String id = latches.newId("bg_");
        RequestDigest digest = RequestDigest.of(String.join("\n", "break-glass", id, latchId, requester, reason)
                .getBytes(StandardCharsets.UTF_8));
        latches.auditApproval(latchId, id, requester, true, "BREAK_GLASS_REQUESTED", "REASON", reason);
        ApprovalGate gate = null;
        if (approvers != null) {
            gate = latches.approvalGate(latchId, digest).requester(requester).approvers(approvers).quorum(quorum)
                    .policy(approvalPolicy).request();
        }
        return new Request(id, latchId, requester, digest, gate);
    }

    @Override
    public String toString() {
        return "BreakGlass[policy=" + policy.name() + (approvers == null ? ", no approval"
                : ", quorum " + quorum + " of " + approvers.length) + "]";
    }

    /** One break-glass request. Thread-safe. */
    public final class Request {
        private final String id;
        private final String latchId;
        private final String requester;
        private final RequestDigest digest;
        private final ApprovalGate gate;

        private Request(String id, String latchId, String requester, RequestDigest digest, ApprovalGate gate) {
            this.id = id;
            this.latchId = latchId;
            this.requester = requester;
            this.digest = digest;
            this.gate = gate;
        }

        /** @return the request id */
        public String id() {
            return id;
        }

        /** @return the digest approvers present: it binds their codes to this request */
        public RequestDigest digest() {
            return digest;
        }

        /** @return the approval gate, when approvers are required */
        public Optional<ApprovalGate> gate() {
            return Optional.ofNullable(gate);
        }

        /**
         * Issues the emergency code and delivers it to the requester, once.
         *
         * @return the delivery receipt
         * @throws IllegalStateException   when the gate is not open, or the code was already released
         * @throws DeliveryFailedException when no channel could deliver it (the code is revoked)
         */
        public DeliveryReceipt release() {
            if (gate != null && !gate.isOpen()) {
                throw new IllegalStateException("break-glass request " + id + " is not approved: gate " + gate.status());
            }
            Instant now = latches.clock().instant();
            if (!latches.releaseOnce(id, now.plus(policy.ttl()).plusSeconds(3600))) {
                throw new IllegalStateException("break-glass request " + id + " was already released");
            }
            latches.auditApproval(latchId, id, requester, true, "BREAK_GLASS_RELEASED");
            return latches.issueAndDeliver(policy, latchId, requester, requester, null);
        }

        @Override
        public String toString() {
            return "BreakGlass.Request[" + id + ", latch=" + latchId + ", requester=" + requester
                    + (gate == null ? "" : ", gate=" + gate.id()) + "]";
        }
    }

    /** Builds {@link BreakGlass}. Not thread-safe. */
    public static final class Builder {
        private final Latches latches;
        private LatchPolicy policy;
        private String[] approvers;
        private int quorum;
        private LatchPolicy approvalPolicy;

        private Builder(Latches latches) {
            this.latches = Names.required(latches, "latches");
        }

        /**
         * @param policy the emergency code's policy: single use and review required (default {@link LatchPolicy#EMERGENCY})
         * @return this
         */
        public Builder policy(LatchPolicy policy) {
            Names.required(policy, "policy");
            if (policy.maxUses() != 1 || !policy.reviewRequired()) {
                throw new IllegalArgumentException("a break-glass policy must be single use and require a review");
            }
            this.policy = policy;
            return this;
        }

        /**
         * @param quorum approvals needed before the code is released
         * @param names  the approvers; the requester of a request can never be one of them
         * @return this
         * @throws IllegalArgumentException when the quorum is not 1 to the number of approvers
         */
        public Builder approvers(int quorum, String... names) {
            if (names.length == 0 || names.length > ApprovalGate.MAX_APPROVERS || quorum < 1 || quorum > names.length) {
                throw new IllegalArgumentException("break-glass needs 1 to " + ApprovalGate.MAX_APPROVERS
                        + " approvers and a quorum of 1 to their number, got " + quorum + " of " + names.length);
            }
            this.quorum = quorum;
            this.approvers = names.clone();
            return this;
        }

        /**
         * @param policy the approvers' codes' policy (default: 10 minutes, six digits)
         * @return this
         */
        public Builder approvalPolicy(LatchPolicy policy) {
            this.approvalPolicy = Names.required(policy, "policy");
            return this;
        }

        /**
         * @return break-glass on the latches
         * @throws IllegalStateException when the latches have no delivery chain
         */
        public BreakGlass build() {
            latches.requireDelivery();
            return new BreakGlass(this);
        }
    }
}
