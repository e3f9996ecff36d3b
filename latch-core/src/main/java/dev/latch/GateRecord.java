package dev.latch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The stored state of one approval gate: its definition, each approver's seat (code digest,
 * failures, vote) and the decision. Immutable; every change makes a new record, which the gate
 * writes with the store's compare-and-set, so a vote and the decision it reaches are one atomic
 * step on every instance.
 *
 * <p>The stored form starts with its format version ({@code gate/1}); names and ids hold no
 * control characters, so tabs and newlines separate the fields.
 */
final class GateRecord {
    static final int FORMAT = 1;
    private static final HexFormat HEX = HexFormat.of();

    enum Decision { PENDING, OPEN, DENIED }

    /** One approver's seat. Vote: '-' none, 'A' approved, 'O' approved and opened the gate, 'D' denied. */
    record Seat(String approver, String codeId, byte[] digest, int failures, char vote, Instant votedAt) {
        Seat withFailure() {
            return new Seat(approver, codeId, digest, failures + 1, vote, votedAt);
        }

        Seat withVote(char v, Instant at) {
            return new Seat(approver, codeId, digest, failures, v, at);
        }

        Seat undelivered() {
            return new Seat(approver, codeId, null, failures, vote, votedAt);
        }

        boolean voted() {
            return vote != '-';
        }
    }

    final String id;
    final String latchId;
    final String requester;
    final int quorum;
    final Instant expiresAt;
    final byte[] request;
    final int maxAttempts;
    final String policy;
    final CodeFormat.Kind kind;
    final Decision decision;
    final Instant decidedAt;
    final List<Seat> seats;

    GateRecord(String id, String latchId, String requester, int quorum, Instant expiresAt, byte[] request, int maxAttempts,
               String policy, CodeFormat.Kind kind, Decision decision, Instant decidedAt, List<Seat> seats) {
        this.id = id;
        this.latchId = latchId;
        this.requester = requester;
        this.quorum = quorum;
        this.expiresAt = expiresAt;
        this.request = request;
        this.maxAttempts = maxAttempts;
        this.policy = policy;
        this.kind = kind;
        this.decision = decision;
        this.decidedAt = decidedAt;
        this.seats = List.copyOf(seats);
    }

    static String key(String gateId) {
        return "gate:" + gateId;
    }

    int seatOf(String approver) {
        for (int i = 0; i < seats.size(); i++) {
            if (seats.get(i).approver().equals(approver)) {
                return i;
            }
        }
        return -1;
    }

    int approvals() {
        int n = 0;
        for (Seat s : seats) {
            if (s.vote() == 'A' || s.vote() == 'O') {
                n++;
            }
        }
        return n;
    }

    GateRecord with(int seat, Seat changed, Decision d, Instant at) {
        List<Seat> next = new ArrayList<>(seats);
        next.set(seat, changed);
        return new GateRecord(id, latchId, requester, quorum, expiresAt, request, maxAttempts, policy, kind, d, at, next);
    }

    GateRecord decided(Decision d, Instant at) {
        return new GateRecord(id, latchId, requester, quorum, expiresAt, request, maxAttempts, policy, kind, d, at, seats);
    }

    ApprovalGate.Status status(Instant now) {
        if (decision == Decision.OPEN) {
            return ApprovalGate.Status.OPEN;
        }
        if (decision == Decision.DENIED) {
            return ApprovalGate.Status.DENIED;
        }
        return now.isBefore(expiresAt) ? ApprovalGate.Status.PENDING : ApprovalGate.Status.EXPIRED;
    }

    String encode() {
        StringBuilder b = new StringBuilder(256 + seats.size() * 160);
        b.append("gate/").append(FORMAT).append('\n')
                .append(id).append('\t').append(latchId).append('\t').append(requester).append('\t').append(quorum)
                .append('\t').append(expiresAt.toEpochMilli()).append('\t').append(HEX.formatHex(request))
                .append('\t').append(maxAttempts).append('\t').append(policy).append('\t').append(kind.name())
                .append('\t').append(decision.name()).append('\t')
                .append(decidedAt == null ? "" : Long.toString(decidedAt.toEpochMilli()));
        for (Seat s : seats) {
            b.append('\n').append(s.approver()).append('\t').append(s.codeId()).append('\t')
                    .append(s.digest() == null ? "" : HEX.formatHex(s.digest())).append('\t').append(s.failures())
                    .append('\t').append(s.vote()).append('\t')
                    .append(s.votedAt() == null ? "" : Long.toString(s.votedAt().toEpochMilli()));
        }
        return b.toString();
    }

    /**
     * @throws LatchStoreException when the stored form is corrupt or has a format this version does not read
     */
    static GateRecord decode(String s) {
        String[] lines = s.split("\n", -1);
        if (!lines[0].startsWith("gate/")) {
            throw new LatchStoreException("a stored gate is corrupt");
        }
        if (!lines[0].equals("gate/" + FORMAT)) {
            throw new LatchStoreException("a stored gate has a format this version of latch does not read");
        }
        try {
            String[] h = lines[1].split("\t", -1);
            if (h.length != 11) {
                throw new IllegalArgumentException("header");
            }
            List<Seat> seats = new ArrayList<>();
            for (int i = 2; i < lines.length; i++) {
                String[] f = lines[i].split("\t", -1);
                if (f.length != 6 || f[4].length() != 1) {
                    throw new IllegalArgumentException("seat");
                }
                seats.add(new Seat(f[0], f[1], f[2].isEmpty() ? null : HEX.parseHex(f[2]), Integer.parseInt(f[3]),
                        f[4].charAt(0), f[5].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(f[5]))));
            }
            return new GateRecord(h[0], h[1], h[2], Integer.parseInt(h[3]), Instant.ofEpochMilli(Long.parseLong(h[4])),
                    HEX.parseHex(h[5]), Integer.parseInt(h[6]), h[7], CodeFormat.Kind.valueOf(h[8]),
                    Decision.valueOf(h[9]), h[10].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(h[10])), seats);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new LatchStoreException("a stored gate is corrupt");
        }
    }
}
