package dev.latch;

import dev.latch.DeliveryChain.DeliveryReceipt;

import dev.latch.spi.LatchStore;
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
 * <p><b>State lives in the store.</b> The gate is one durable record: its definition (approvers,
 * quorum, request digest), each approver's code as a keyed digest with its failed attempts, the
 * votes and the decision. Any instance on the same store finds it with {@link Latches#gate} and
 * can record votes; a restart loses nothing. Every vote is one compare-and-set of that record, so
 * each approver votes once, the vote that reaches the quorum (or the first deny) decides the gate
 * in the same step, and a vote after the decision is {@link Approval.Outcome#GATE_DECIDED}. A
 * process killed mid-vote leaves the vote either fully recorded or not at all (the approver can
 * then vote again with the same code). A wrong code counts against that approver's code, which
 * burns after the policy's {@link LatchPolicy#maxAttempts()}. The record is kept a day past the
 * gate's expiry. Reminders ({@link LatchPolicy#remindBefore()}) are scheduled work in the store
 * and go out once, from whichever instance claims them, only to approvers who have not voted.
 * Every request, vote and refusal is an {@link AuditEvent.Type#APPROVAL} audit event naming the
 * approver; {@link #trail()} lists the votes recorded.
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
    private final String requester;
    private final Set<String> approvers;
    private final int quorum;
    private final Instant expiresAt;
    private final Map<String, String> codeIds;

    private ApprovalGate(Latches latches, GateRecord g) {
        this.latches = latches;
        this.id = g.id;
        this.latchId = g.latchId;
        this.requester = g.requester;
        this.quorum = g.quorum;
        this.expiresAt = g.expiresAt;
        Set<String> names = new LinkedHashSet<>();
        Map<String, String> ids = new LinkedHashMap<>();
        for (GateRecord.Seat seat : g.seats) {
            names.add(seat.approver());
            ids.put(seat.approver(), seat.codeId());
        }
        this.approvers = java.util.Collections.unmodifiableSet(names);
        this.codeIds = java.util.Collections.unmodifiableMap(ids);
    }

    static Builder builder(Latches latches, String latchId, RequestDigest digest) {
        return new Builder(latches, latchId, digest);
    }

    /** Loads a gate by id; empty when the store keeps no gate of that id. */
    static Optional<ApprovalGate> find(Latches latches, String gateId) {
        return load(latches, gateId, latches.clock().instant()).map(v -> new ApprovalGate(latches,
                GateRecord.decode(v.value())));
    }

    private static Optional<LatchStore.Versioned> load(Latches latches, String gateId, Instant now) {
        return latches.call("getRecord", null, gateId, null,
                () -> latches.store().getRecord(GateRecord.key(gateId), now));
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

    /**
     * @return the votes recorded in the store, by any instance, in the order they were cast
     * @throws LatchStoreException when the store fails
     */
    public List<Entry> trail() {
        Optional<GateRecord> g = current(latches.clock().instant());
        if (g.isEmpty()) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        for (GateRecord.Seat s : g.get().seats) {
            if (s.voted()) {
                Approval.Outcome o = s.vote() == 'D' ? Approval.Outcome.DENIED
                        : s.vote() == 'O' ? Approval.Outcome.OPENED : Approval.Outcome.APPROVED;
                out.add(new Entry(s.approver(), o, s.votedAt()));
            }
        }
        out.sort(java.util.Comparator.comparing(Entry::time));
        return List.copyOf(out);
    }

    static String codeLatch(String gateId) {
        return "~gate/" + gateId;
    }

    private Optional<GateRecord> current(Instant now) {
        return load(latches, id, now).map(v -> GateRecord.decode(v.value()));
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
     * @throws LatchStoreException when the store fails (nothing is recorded)
     */
    public Approval deny(String approver, String code, RequestDigest request) {
        return decide(approver, code, request, false);
    }

    /** Most compare-and-set rounds of one decision: each lost round means another vote was recorded. */
    private static final int ROUNDS = 4 * MAX_APPROVERS + 8;

    private Approval decide(String approver, String code, RequestDigest request, boolean approve) {
        Instant now = latches.clock().instant();
        if (!dev.latch.spi.Names.isName(approver)) { // never audit a string that could forge a log line
            return refuse(null, Approval.Outcome.MALFORMED, now, null);
        }
        if (approver.equals(requester)) {
            return refuse(approver, Approval.Outcome.SELF_APPROVAL, now, null);
        }
        if (!approvers.contains(approver)) {
            return refuse(approver, Approval.Outcome.NOT_AN_APPROVER, now, null);
        }
        PresentedCode presented = PresentedCode.parse(code);
        byte[] digest = null;
        for (int round = 0; round < ROUNDS; round++) {
            Optional<LatchStore.Versioned> v = load(latches, id, now);
            if (v.isEmpty()) {
                return refuse(approver, Approval.Outcome.EXPIRED, now, null); // kept a day past expiry, then forgotten
            }
            GateRecord g = GateRecord.decode(v.get().value());
            ApprovalGate.Status before = g.status(now);
            if (before == Status.OPEN || before == Status.DENIED) {
                return refuse(approver, Approval.Outcome.GATE_DECIDED, now, g);
            }
            if (before == Status.EXPIRED) {
                return refuse(approver, Approval.Outcome.EXPIRED, now, g);
            }
            int i = g.seatOf(approver);
            GateRecord.Seat seat = g.seats.get(i);
            if (seat.voted()) {
                return refuse(approver, Approval.Outcome.ALREADY_DECIDED, now, g);
            }
            if (seat.digest() == null || seat.failures() >= g.maxAttempts) {
                return refuse(approver, Approval.Outcome.LOCKED, now, g); // burned, or never delivered
            }
            if (request == null) {
                return refuse(approver, Approval.Outcome.MALFORMED, now, g);
            }
            if (!java.security.MessageDigest.isEqual(request.bytes(), g.request)) {
                return refuse(approver, Approval.Outcome.REQUEST_MISMATCH, now, g);
            }
            boolean right = false;
            if (!presented.malformed() && presented.kinds.contains(g.kind)) {
                String form = g.kind == CodeFormat.Kind.OPAQUE ? presented.exact : presented.folded;
                if (form != null) {
                    if (digest == null) {
                        digest = latches.codeDigest(codeLatch(id), approver, form);
                    }
                    right = java.security.MessageDigest.isEqual(digest, seat.digest());
                }
            }
            Instant keep = g.expiresAt.plus(RETENTION);
            if (!right) {
                GateRecord failed = g.with(i, seat.withFailure(), g.decision, g.decidedAt);
                if (write(g, v.get().version(), failed, keep, now)) {
                    return refuse(approver, presented.malformed() ? Approval.Outcome.MALFORMED : Approval.Outcome.WRONG_CODE,
                            now, failed);
                }
                continue;
            }
            GateRecord next;
            Approval.Outcome outcome;
            if (!approve) {
                next = g.with(i, seat.withVote('D', now), GateRecord.Decision.DENIED, now);
                outcome = Approval.Outcome.DENIED;
            } else if (g.approvals() + 1 >= g.quorum) {
                next = g.with(i, seat.withVote('O', now), GateRecord.Decision.OPEN, now);
                outcome = Approval.Outcome.OPENED;
            } else {
                next = g.with(i, seat.withVote('A', now), GateRecord.Decision.PENDING, null);
                outcome = Approval.Outcome.APPROVED;
            }
            if (!write(g, v.get().version(), next, keep, now)) {
                continue; // another vote came first: decide again on what it left
            }
            latches.auditApproval(latchId, seat.codeId(), approver, true, outcome.name(), "GATE", id,
                    "APPROVALS", next.approvals() + "/" + quorum);
            if (next.decision != GateRecord.Decision.PENDING) {
                latches.auditGateDecided(id, next.decision == GateRecord.Decision.OPEN, now);
            }
            return new Approval(outcome, approver, now, next.approvals(), quorum, next.status(now));
        }
        // unreachable with at most MAX_APPROVERS votes and attempts per approver; fail closed
        throw new LatchStoreException("the gate changed on every attempt to record a decision");
    }

    private boolean write(GateRecord old, long version, GateRecord next, Instant keep, Instant now) {
        return latches.call("compareAndSet", latchId, id, null,
                () -> latches.store().compareAndSet(GateRecord.key(id), version, next.encode(), keep, now));
    }

    private Approval refuse(String approver, Approval.Outcome outcome, Instant now, GateRecord g) {
        latches.auditApproval(latchId, null, approver, false, outcome.name(), "GATE", id);
        GateRecord seen = g != null ? g : current(now).orElse(null);
        return new Approval(outcome, approver, now, seen == null ? 0 : seen.approvals(), quorum,
                seen == null ? (now.isBefore(expiresAt) ? Status.PENDING : Status.EXPIRED) : seen.status(now));
    }

    /** @return the gate's status now, as the store has it */
    public Status status() {
        Instant now = latches.clock().instant();
        return current(now).map(g -> g.status(now)).orElse(now.isBefore(expiresAt) ? Status.PENDING : Status.EXPIRED);
    }

    /** @return true once the quorum was reached (and no deny came first) */
    public boolean isOpen() {
        return status() == Status.OPEN;
    }

    /** Runs a due reminder of one approver's code: only while the gate is pending and they have not voted. */
    static void remindDue(Latches latches, String payload, java.time.Duration late) {
        String[] f = payload.split("\n", -1);
        if (f.length != 3) {
            return;
        }
        Instant now = latches.clock().instant();
        Optional<LatchStore.Versioned> v = load(latches, f[0], now);
        if (v.isEmpty()) {
            return;
        }
        GateRecord g = GateRecord.decode(v.get().value());
        int i = Integer.parseInt(f[1]);
        if (g.status(now) != Status.PENDING || i < 0 || i >= g.seats.size()) {
            return;
        }
        GateRecord.Seat seat = g.seats.get(i);
        if (seat.voted() || seat.digest() == null || seat.failures() >= g.maxAttempts) {
            return;
        }
        latches.remindOf(new dev.latch.spi.Delivery(dev.latch.spi.Delivery.Kind.REMINDER, seat.approver(),
                codeLatch(g.id), seat.codeId(), null, g.expiresAt, g.policy), seat.approver(), late);
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
                    throw new IllegalArgumentException("an approver is named twice");
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
         *                                  (the gate is then recorded as denied)
         * @throws LatchStoreException      when the store fails
         * @throws IllegalStateException    when requester or approvers are missing, or no delivery chain is set
         */
        public ApprovalGate request() {
            if (requester == null || approvers == null) {
                throw new IllegalStateException("a gate needs a requester and approvers");
            }
            if (approvers.contains(requester)) {
                throw new IllegalArgumentException("the requester cannot be an approver (self-approval)");
            }
            int q = quorum == 0 ? approvers.size() : quorum;
            if (q < 1 || q > approvers.size()) {
                throw new IllegalArgumentException("quorum must be 1 to " + approvers.size() + ", got " + quorum);
            }
            LatchPolicy p = policy == null ? LatchPolicy.HIGH : policy;
            latches.requireDelivery();
            String id = latches.newId("g_");
            Instant now = latches.clock().instant();
            Instant expires = now.plus(p.ttl());
            latches.auditApproval(latchId, id, requester, true, "REQUESTED", "GATE", id, "QUORUM",
                    q + "/" + approvers.size());
            List<GateRecord.Seat> seats = new ArrayList<>();
            List<String> codes = new ArrayList<>();
            for (String approver : approvers) {
                String code = latches.newCode(p.format());
                String codeId = latches.newId("c_");
                codes.add(code);
                seats.add(new GateRecord.Seat(approver, codeId, latches.codeDigest(codeLatch(id), approver, code), 0, '-',
                        null));
            }
            GateRecord g = new GateRecord(id, latchId, requester, q, expires, digest.bytes(), p.maxAttempts(), p.name(),
                    p.format().kind(), GateRecord.Decision.PENDING, null, seats);
            Instant keep = expires.plus(RETENTION);
            String key = GateRecord.key(id);
            if (!latches.call("compareAndSet", latchId, id, requester,
                    () -> latches.store().compareAndSet(key, 0, g.encode(), keep, now))) {
                throw new LatchStoreException("a new gate id was already taken");
            }
            List<DeliveryFailedException> failed = new ArrayList<>();
            List<Integer> reached = new ArrayList<>();
            for (int i = 0; i < seats.size(); i++) {
                GateRecord.Seat seat = seats.get(i);
                dev.latch.spi.Delivery message = new dev.latch.spi.Delivery(dev.latch.spi.Delivery.Kind.CODE,
                        seat.approver(), codeLatch(id), seat.codeId(), codes.get(i), expires, p.name());
                DeliveryReceipt receipt = latches.deliverMessage(message, seat.approver());
                if (receipt.delivered()) {
                    reached.add(i);
                } else {
                    failed.add(new DeliveryFailedException(receipt, false));
                }
            }
            if (!failed.isEmpty()) {
                // the codes no channel delivered never open; fewer reached than the quorum denies the gate
                boolean deny = reached.size() < q;
                for (int round = 0; ; round++) {
                    LatchStore.Versioned v = load(latches, id, now)
                            .orElseThrow(() -> new LatchStoreException("a new gate is gone from the store"));
                    GateRecord cur = GateRecord.decode(v.value());
                    GateRecord next = cur;
                    for (int i = 0; i < cur.seats.size(); i++) {
                        if (!reached.contains(i)) {
                            next = next.with(i, next.seats.get(i).undelivered(), next.decision, next.decidedAt);
                        }
                    }
                    if (deny && next.decision == GateRecord.Decision.PENDING) {
                        next = next.decided(GateRecord.Decision.DENIED, now);
                    }
                    GateRecord write = next;
                    if (latches.call("compareAndSet", latchId, id, requester,
                            () -> latches.store().compareAndSet(key, v.version(), write.encode(), keep, now))) {
                        if (deny && cur.decision == GateRecord.Decision.PENDING) {
                            latches.auditGateDecided(id, false, now);
                        }
                        break;
                    }
                    if (round > ROUNDS) {
                        throw new LatchStoreException("the gate changed on every attempt to record its deliveries");
                    }
                }
                if (deny) {
                    throw failed.get(failed.size() - 1);
                }
            }
            if (p.remindBefore() != null) {
                for (int i : reached) {
                    latches.scheduleWork(new LatchStore.Work("gate-remind:" + id + ":" + i, DueWork.GATE_REMINDER,
                            id + "\n" + i + "\n" + p.remindBefore().toSeconds(), expires.minus(p.remindBefore())));
                }
            }
            return new ApprovalGate(latches, g);
        }
    }

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
}
