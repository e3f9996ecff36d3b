package dev.latch;

import dev.latch.DeliveryChain.DeliveryReceipt;

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
 * <p>Requests are records in the store, like their gates: another instance finds one with
 * {@link #find(String)} and releases it there; {@link Request#release()} releases once across all
 * instances.
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
        AccessContext.checkText("latchId", latchId);
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
        Request request = new Request(id, latchId, requester, digest, gate);
        Instant now = latches.clock().instant();
        Instant keep = (gate == null ? now.plus(policy.ttl()) : gate.expiresAt()).plus(KEEP);
        String value = request.encode();
        if (!latches.call("compareAndSet", latchId, id, requester,
                () -> latches.store().compareAndSet(key(id), 0, value, keep, now))) {
            throw new LatchStoreException("a new break-glass request id was already taken");
        }
        return request;
    }

    /** How long a request is kept past its gate's (or, without approvers, the code's) expiry. */
    private static final java.time.Duration KEEP = java.time.Duration.ofDays(1);

    private static String key(String requestId) {
        return "break-glass:" + requestId;
    }

    /**
     * Finds a request by id, on any instance that shares the store, to release it there once its
     * gate opened.
     *
     * <pre>{@code
     * glass.find(requestId).ifPresent(BreakGlass.Request::release);
     * }</pre>
     *
     * <p>An id latch did not make, null included, finds nothing and is audited as
     * {@code MALFORMED_ID} (without the id); an unknown id is audited as
     * {@code NO_BREAK_GLASS_REQUEST}.
     *
     * @param requestId a request id ({@link Request#id()})
     * @return the request while the store keeps it (a day past its expiry)
     * @throws LatchStoreException when the store fails
     */
    public Optional<Request> find(String requestId) {
        Instant now = latches.clock().instant();
        if (!Latches.validId(requestId)) {
            latches.audit(AuditEvent.Type.APPROVAL, now, null, null, null, null, AuditEvent.Outcome.FAILURE,
                    "MALFORMED_ID");
            return Optional.empty();
        }
        Optional<dev.latch.spi.LatchStore.Versioned> v = latches.call("getRecord", null, requestId, null,
                () -> latches.store().getRecord(key(requestId), now));
        if (v.isEmpty()) {
            latches.audit(AuditEvent.Type.APPROVAL, now, null, requestId, null, null, AuditEvent.Outcome.FAILURE,
                    "NO_BREAK_GLASS_REQUEST");
            return Optional.empty();
        }
        String[] f = v.get().value().split("\n", -1);
        if (f.length != 6 || !f[0].startsWith("break-glass/")) {
            throw new LatchStoreException("a stored break-glass request is corrupt");
        }
        if (!f[0].equals("break-glass/1")) {
            throw new LatchStoreException("a stored break-glass request has a format this version of latch does not read");
        }
        ApprovalGate gate = null;
        if (!f[5].isEmpty()) {
            gate = latches.gate(f[5]).orElse(null);
            if (gate == null) {
                return Optional.empty(); // its gate was forgotten: nothing can release it any more
            }
        }
        RequestDigest digest;
        try {
            digest = RequestDigest.ofDigest(java.util.HexFormat.of().parseHex(f[4]));
        } catch (IllegalArgumentException e) {
            throw new LatchStoreException("a stored break-glass request is corrupt");
        }
        return Optional.of(new Request(f[1], f[2], f[3], digest, gate));
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

        /** The stored form, with its format version first; ids and names hold no control characters. */
        String encode() {
            return String.join("\n", "break-glass/1", id, latchId, requester,
                    java.util.HexFormat.of().formatHex(digest.bytes()), gate == null ? "" : gate.id());
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
