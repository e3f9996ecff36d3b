package dev.latch;

import dev.latch.spi.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An M-of-N approval gate for one exact request: each named approver receives their own code,
 * bound to the digest of the request payload, and the gate opens once {@code quorum} distinct
 * approvers have entered valid codes. The requester can never approve; any explicit deny with a
 * valid code closes the gate; the gate expires with its codes.
 *
 * <pre>{@code
 * RequestDigest release42 = RequestDigest.of(manifestBytes);
 * ApprovalGate gate = latches.approvalGate("deploy:prod/release-42", release42)
 *         .requester("dave")
 *         .approvers("alice", "bob", "carol")
 *         .quorum(2)
 *         .policy(LatchPolicy.from(LatchPolicy.HIGH).remindBefore(Duration.ofMinutes(5)).build())
 *         .request();                                 // issues and delivers one code per approver
 *
 * gate.approve("alice", aliceCode, release42);        // APPROVED, 1 of 2
 * gate.approve("bob", bobCode, release42);            // OPENED
 * if (gate.isOpen()) deploy();
 * }</pre>
 *
 * <p>Every decision is made in the store: codes open once (also across instances), approvals and
 * the gate's decision are store markers, and the gate is decided once (open or denied, whichever
 * comes first). The gate's definition (approvers, quorum, request digest) lives in this object.
 * Every request, approval, denial and refusal is an {@link AuditEvent.Type#APPROVAL} audit event
 * naming the approver; {@link #trail()} lists the decisions seen by this object.
 *
 * <p>Thread-safe.
 */
public final class ApprovalGate {
    /** Most approvers of one gate. */
    public static final int MAX_APPROVERS = 16;
    private static final Duration RETENTION = Duration.ofDays(1);

    /**
     * Where a gate stands. For example {@code if (gate.status() == ApprovalGate.Status.OPEN) release();}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Status {
        /** Waiting for approvals. */
        PENDING,
        /** The quorum was reached. */
        OPEN,
        /** An approver denied. */
        DENIED,
        /** Expired before the quorum was reached. */
        EXPIRED
    }

    /**
     * One decision in the trail. For example
     * {@code gate.trail().forEach(e -> log.info("{} {} at {}", e.approver(), e.outcome(), e.time()));}
     *
     * <p>Thread-safe: immutable.
     *
     * @param approver who
     * @param outcome  what
     * @param time     when
     */
    public record Entry(String approver, Approval.Outcome outcome, Instant time) {
    }

    private final Latches latches;
    private final String id;
    private final String latchId;
    private final RequestDigest digest;
    private final String requester;
    private final Set<String> approvers;
    private final int quorum;
    private final Instant expiresAt;
    private final Map<String, String> codeIds;
    private final List<Entry> trail = new CopyOnWriteArrayList<>();

    private ApprovalGate(Latches latches, String id, String latchId, RequestDigest digest, String requester,
                         Set<String> approvers, int quorum, Instant expiresAt, Map<String, String> codeIds) {
        this.latches = latches;
        this.id = id;
        this.latchId = latchId;
        this.digest = digest;
        this.requester = requester;
        this.approvers = approvers;
        this.quorum = quorum;
        this.expiresAt = expiresAt;
        this.codeIds = Map.copyOf(codeIds);
    }

    static Builder builder(Latches latches, String latchId, RequestDigest digest) {
        return new Builder(latches, latchId, digest);
    }

    /** @return the gate id */
    public String id() {
        return id;
    }

    /** @return the latch the gate guards */
    public String latchId() {
        return latchId;
    }

    /** @return who asked */
    public String requester() {
        return requester;
    }

    /** @return the approvers */
    public Set<String> approvers() {
        return approvers;
    }

    /** @return approvals needed */
    public int quorum() {
        return quorum;
    }

    /** @return when the gate and its codes expire */
    public Instant expiresAt() {
        return expiresAt;
    }

    /**
     * @param approver an approver
     * @return the non-secret id of the code issued to them
     */
    public Optional<String> codeIdOf(String approver) {
        return Optional.ofNullable(codeIds.get(approver));
    }

    /** @return the decisions this object has seen, in order */
    public List<Entry> trail() {
        return List.copyOf(trail);
    }

    private static String codeLatch(String gateId) {
        return "~gate/" + gateId;
    }

    private static String decisionKey(String gateId) {
        return "~gate:" + gateId;
    }

    private String approvalKey(String approver) {
        return "~gate:" + id + '\u0000' + approver;
    }

    /**
     * Approves with the approver's code, for the request with {@code request}'s digest.
     *
     * @param approver the approver's name
     * @param code     their code
     * @param request  the digest of the request they are approving
     * @return the outcome; never throws for bad input
     * @throws LatchStoreException when the store fails (nothing is recorded as approved)
     */
    public Approval approve(String approver, String code, RequestDigest request) {
        return decide(approver, code, request, true);
    }

    /**
     * Denies with the approver's code: the gate closes for good.
     *
     * @param approver the approver's name
     * @param code     their code
     * @param request  the digest of the request they are denying
     * @return the outcome; never throws for bad input
     */
    public Approval deny(String approver, String code, RequestDigest request) {
        return decide(approver, code, request, false);
    }

    private Approval decide(String approver, String code, RequestDigest request, boolean approve) {
        Instant now = latches.clock().instant();
        if (!dev.latch.spi.Names.isName(approver)) { // never audit a string that could forge a log line
            return refuse(null, Approval.Outcome.MALFORMED, now);
        }
        if (approver.equals(requester)) {
            return refuse(approver, Approval.Outcome.SELF_APPROVAL, now);
        }
        if (!approvers.contains(approver)) {
            return refuse(approver, Approval.Outcome.NOT_AN_APPROVER, now);
        }
        Status before = status(now);
        if (before == Status.OPEN || before == Status.DENIED) {
            return refuse(approver, Approval.Outcome.GATE_DECIDED, now);
        }
        if (before == Status.EXPIRED) {
            return refuse(approver, Approval.Outcome.EXPIRED, now);
        }
        if (request == null) {
            return refuse(approver, Approval.Outcome.MALFORMED, now);
        }
        AccessContext ctx = AccessContext.builder(approver).request(request).build();
        Verdict v = latches.openReserved(codeLatch(id), code, ctx);
        if (v instanceof Verdict.Denied d) {
            Approval.Outcome o;
            switch (d.reason()) {
                case USED:
                    o = Approval.Outcome.ALREADY_DECIDED;
                    break;
                case EXPIRED:
                    o = Approval.Outcome.EXPIRED;
                    break;
                case CONTEXT_REJECTED:
                    o = Approval.Outcome.REQUEST_MISMATCH;
                    break;
                case LOCKED:
                    o = Approval.Outcome.LOCKED;
                    break;
                case MALFORMED:
                    o = Approval.Outcome.MALFORMED;
                    break;
                default:
                    o = Approval.Outcome.WRONG_CODE;
                    break;
            }
            return refuse(approver, o, now);
        }
        String codeId = ((Verdict.Opened) v).codeId();
        Instant keep = expiresAt.plus(RETENTION);
        if (!approve) {
            latches.gateDecide(decisionKey(id), "DENIED", keep);
            trail.add(new Entry(approver, Approval.Outcome.DENIED, now));
            latches.auditApproval(latchId, codeId, approver, true, "DENIED", "GATE", id);
            return new Approval(Approval.Outcome.DENIED, approver, now, approvals(now), quorum, status(now));
        }
        latches.gatePut(approvalKey(approver), "APPROVED", keep);
        int count = approvals(now);
        if (count >= quorum) {
            latches.gateDecide(decisionKey(id), "OPEN", keep);
        }
        Status after = status(now); // read once, after deciding: a racing deny may have decided first
        Approval.Outcome outcome = after == Status.OPEN ? Approval.Outcome.OPENED : Approval.Outcome.APPROVED;
        trail.add(new Entry(approver, outcome, now));
        latches.auditApproval(latchId, codeId, approver, true,
                outcome.name(), "GATE", id, "APPROVALS", count + "/" + quorum);
        return new Approval(outcome, approver, now, count, quorum, after);
    }

    private Approval refuse(String approver, Approval.Outcome outcome, Instant now) {
        trail.add(new Entry(approver, outcome, now));
        latches.auditApproval(latchId, null, approver, false, outcome.name(), "GATE", id);
        return new Approval(outcome, approver, now, approvals(now), quorum, status(now));
    }

    private int approvals(Instant now) {
        int n = 0;
        for (String a : approvers) {
            if (latches.gateGet(approvalKey(a), now).isPresent()) {
                n++;
            }
        }
        return n;
    }

    /** @return the gate's status now */
    public Status status() {
        return status(latches.clock().instant());
    }

    private Status status(Instant now) {
        Optional<String> decision = latches.gateGet(decisionKey(id), now);
        if (decision.isPresent() && decision.get().equals("OPEN")) {
            return Status.OPEN;
        }
        if (decision.isPresent() && decision.get().equals("DENIED")) {
            return Status.DENIED;
        }
        return now.isBefore(expiresAt) ? Status.PENDING : Status.EXPIRED;
    }

    /** @return true once the quorum was reached (and no deny came first) */
    public boolean isOpen() {
        return status() == Status.OPEN;
    }

    @Override
    public String toString() {
        return "ApprovalGate[" + id + ", latch=" + latchId + ", requester=" + requester + ", approvers=" + approvers
                + ", quorum=" + quorum + ", expiresAt=" + expiresAt + "]";
    }

    /**
     * Builds and requests an {@link ApprovalGate}; get one from
     * {@link Latches#approvalGate(String, RequestDigest)}. Not thread-safe.
     */
    public static final class Builder {
        private final Latches latches;
        private final String latchId;
        private final RequestDigest digest;
        private String requester;
        private Set<String> approvers;
        private int quorum;
        private LatchPolicy policy;

        private Builder(Latches latches, String latchId, RequestDigest digest) {
            this.latches = latches;
            this.latchId = latchId;
            this.digest = Names.required(digest, "digest");
        }

        /**
         * @param requester who asks; never an approver
         * @return this
         */
        public Builder requester(String requester) {
            this.requester = AccessContext.checkText("requester", requester);
            return this;
        }

        /**
         * @param names the approvers, 1 to {@value #MAX_APPROVERS} distinct names
         * @return this
         */
        public Builder approvers(String... names) {
            Set<String> set = new LinkedHashSet<>();
            for (String n : names) {
                if (!set.add(AccessContext.checkText("approver", n))) {
                    throw new IllegalArgumentException("approver " + n + " is named twice");
                }
            }
            if (set.isEmpty() || set.size() > MAX_APPROVERS) {
                throw new IllegalArgumentException("a gate has 1 to " + MAX_APPROVERS + " approvers, got " + set.size());
            }
            this.approvers = java.util.Collections.unmodifiableSet(set);
            return this;
        }

        /**
         * @param quorum approvals needed, 1 to the number of approvers
         * @return this
         */
        public Builder quorum(int quorum) {
            this.quorum = quorum;
            return this;
        }

        /**
         * @param policy the policy of the approvers' codes; its ttl is the gate's (default {@link LatchPolicy#HIGH})
         * @return this
         */
        public Builder policy(LatchPolicy policy) {
            this.policy = Names.required(policy, "policy");
            return this;
        }

        /**
         * Issues one code per approver, bound to the request digest, and delivers each through the
         * latches' delivery chain.
         *
         * @return the gate
         * @throws IllegalArgumentException when the requester is an approver, or the quorum is out of range
         * @throws DeliveryFailedException  when fewer approvers than the quorum could be reached
         *                                  (every code of the gate is then revoked)
         * @throws IllegalStateException    when requester or approvers are missing, or no delivery chain is set
         */
        public ApprovalGate request() {
            if (requester == null || approvers == null) {
                throw new IllegalStateException("a gate needs a requester and approvers");
            }
            if (approvers.contains(requester)) {
                throw new IllegalArgumentException("the requester " + requester + " cannot be an approver (self-approval)");
            }
            int q = quorum == 0 ? approvers.size() : quorum;
            if (q < 1 || q > approvers.size()) {
                throw new IllegalArgumentException("quorum must be 1 to " + approvers.size() + ", got " + quorum);
            }
            LatchPolicy p = policy == null ? LatchPolicy.HIGH : policy;
            latches.requireDelivery();
            String id = latches.newId("g_");
            latches.auditApproval(latchId, id, requester, true, "REQUESTED", "GATE", id, "QUORUM",
                    q + "/" + approvers.size());
            Map<String, String> codeIds = new LinkedHashMap<>();
            List<DeliveryFailedException> failed = new ArrayList<>();
            Instant expires = null;
            LatchPolicy noBackup = LatchPolicy.from(p).backupCodes(false).build();
            try {
                for (String approver : approvers) {
                    IssuedCode issued = latches.issueCode(p, codeLatch(id), approver, digest);
                    codeIds.put(approver, issued.codeId());
                    expires = issued.expiresAt();
                    try {
                        latches.deliver(issued, noBackup, approver);
                    } catch (DeliveryFailedException e) {
                        failed.add(e);
                        codeIds.remove(approver);
                    }
                }
            } catch (LatchException e) {
                // an approver at the issue rate limit, or the store: leave no code of this gate behind
                latches.revokeReservedLatch(codeLatch(id));
                throw e;
            }
            if (codeIds.size() < q) {
                latches.revokeReservedLatch(codeLatch(id));
                latches.gateDecide(decisionKey(id), "DENIED", expires.plus(RETENTION));
                throw failed.get(failed.size() - 1);
            }
            return new ApprovalGate(latches, id, latchId, digest, requester, approvers, q, expires, codeIds);
        }
    }
}
