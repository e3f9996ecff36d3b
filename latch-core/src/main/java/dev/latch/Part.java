package dev.latch;

import dev.latch.Condition.TimeWindow;

import dev.latch.internal.CodeIds;
import dev.latch.internal.StripedSecureRandom;
import dev.latch.spi.AuditSink;
import dev.latch.spi.LatchStore;
import dev.latch.spi.Names;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every part of {@link Latches} shares: the plug-ins and settings it was built with, and the
 * helpers that audit and wrap store calls. {@code Latches} and each part (codes, static keys,
 * recovery codes, deliveries) extend it; the parts copy the references once, so each keeps its
 * hot fields in its own object. Thread-safe: immutable.
 */
abstract class Part {
    final LatchStore store;
    final Clock clock;
    final SecureRandom random;
    final Hasher hasher;
    /** The primary pepper's id: new keys record it. */
    final String pepperId;
    /** Every configured pepper's hasher by id, the primary included: keys verify under any of them. */
    final Map<String, Hasher> peppers;
    /** The first older pepper's hasher while peppers rotate, else null: codes hashed under it still open. */
    final Hasher previousHasher;
    /** The key of code ids' latch-and-subject tags ({@link CodeIds}). */
    final long tagK0;
    final long tagK1;
    final AuditSink audit;
    final int sinkCount;
    final RateLimit issueLimit;
    final LockoutPolicy lockout;
    final TimeWindow businessHours;
    final DeliveryChain delivery;
    /** Failed static keys per source address before the source is refused, or null for no limit. */
    final RateLimit keySourceLimit;

    Part(Latches.Builder b) {
        this.store = b.store == null ? Latches.inMemoryStore() : b.store;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.random = b.random == null ? StripedSecureRandom.shared() : b.random;
        this.tagK0 = random.nextLong();
        this.tagK1 = random.nextLong();
        this.hasher = new Hasher(b.pepper);
        this.pepperId = b.pepper.id();
        Map<String, Hasher> byId = new java.util.HashMap<>();
        byId.put(b.pepper.id(), hasher);
        for (Pepper older : b.olderPeppers) {
            byId.put(older.id(), new Hasher(older));
        }
        this.peppers = Map.copyOf(byId);
        this.previousHasher = b.olderPeppers.isEmpty() ? null : byId.get(b.olderPeppers.get(0).id());
        List<AuditSink> sinks = b.sinks == null ? List.of(Latches.loggingSink()) : b.sinks;
        this.audit = AuditSink.fanOut(sinks);
        this.sinkCount = sinks.size();
        this.issueLimit = b.issueLimit == null ? RateLimit.DEFAULT : b.issueLimit;
        this.lockout = b.lockout == null ? LockoutPolicy.DEFAULT : b.lockout;
        this.businessHours = b.businessHours;
        this.delivery = b.delivery;
        this.keySourceLimit = b.keySourceLimitOff ? null : b.keySourceLimit == null ? Latches.DEFAULT_KEY_SOURCE_LIMIT
                : b.keySourceLimit;
    }

    Part(Part base) {
        this.store = base.store;
        this.clock = base.clock;
        this.random = base.random;
        this.hasher = base.hasher;
        this.pepperId = base.pepperId;
        this.peppers = base.peppers;
        this.previousHasher = base.previousHasher;
        this.tagK0 = base.tagK0;
        this.tagK1 = base.tagK1;
        this.audit = base.audit;
        this.sinkCount = base.sinkCount;
        this.issueLimit = base.issueLimit;
        this.lockout = base.lockout;
        this.businessHours = base.businessHours;
        this.delivery = base.delivery;
        this.keySourceLimit = base.keySourceLimit;
    }

    static boolean validLatchId(String latchId) {
        return dev.latch.spi.Names.isName(latchId);
    }

    static void checkLatchId(String latchId) {
        AccessContext.checkText("latchId", latchId);
        if (latchId.startsWith("~")) {
            throw new IllegalArgumentException("latch ids starting with '~' are reserved");
        }
    }

    /**
     * Whether a string can be an id latch made: 1 to 64 characters of {@code A-Z a-z 0-9 _ -}
     * (code, set, gate, request and key ids are all drawn from these). Ids come back from callers,
     * often from a request, and reach the store's keys and the audit trail: anything else (a
     * newline that would forge an audit log line, a megabyte string) is refused before either.
     */
    static boolean validId(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Audits an operation refused for a malformed id, without the id. */
    void malformedId(AuditEvent.Type type, Instant now) {
        audit(type, now, null, null, null, null, AuditEvent.Outcome.FAILURE, "MALFORMED_ID");
    }

    static String safeText(String s) {
        return s != null && validLatchId(s) ? s : null;
    }

    /** Runs a store call; a failure is audited as STORE_FAILURE and thrown as a LatchStoreException. */
    <T> T call(String operation, String latchId, String codeId, String subject, Supplier<T> op) {
        try {
            return op.get();
        } catch (RuntimeException e) {
            throw storeFailure(operation, latchId, codeId, subject, e);
        }
    }

    /**
     * Audits a failed store call and returns the typed exception to throw. The hot paths (open,
     * issue, authenticate) catch inline and call this, instead of going through {@link #call}
     * with a lambda: one allocation and one megamorphic call fewer per operation.
     */
    LatchStoreException storeFailure(String operation, String latchId, String codeId, String subject,
                                             RuntimeException e) {
        audit(AuditEvent.Type.STORE_FAILURE, clock.instant(), latchId, codeId, subject, null,
                AuditEvent.Outcome.FAILURE, operation + ":" + e.getClass().getSimpleName());
        return LatchStoreException.of(operation, e);
    }

    void audit(AuditEvent.Type type, Instant time, String latchId, String codeId, String subject, String source,
               AuditEvent.Outcome outcome, String reason) {
        audit.accept(new AuditEvent(type, time, latchId, codeId, subject, source, outcome, reason));
    }

    void audit(AuditEvent.Type type, Instant time, String latchId, String codeId, String subject, String source,
               AuditEvent.Outcome outcome, String reason, Map<String, String> details) {
        audit.accept(new AuditEvent(type, time, latchId, codeId, subject, source, outcome, reason, details));
    }

    /** Name/value pairs in the order given. */
    static Map<String, String> details(String... pairs) {
        if (pairs.length == 0) {
            return Map.of();
        }
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
