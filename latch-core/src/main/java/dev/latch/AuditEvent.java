package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.spi.Names;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something latch did: who, when, from where, which latch and code id, the outcome and why.
 * Never a code, a digest or a key.
 *
 * <pre>{@code
 * Latches latches = Latches.builder()
 *         .pepper(pepper)
 *         .auditSink(Latches.loggingSink(), event -> metrics.count(event.type()))
 *         .build();
 * }</pre>
 *
 * @param type     what happened
 * @param time     when, from the injected clock
 * @param latchId  the latch, resource or key prefix concerned (may be null)
 * @param codeId   the non-secret id of the code, key or token (may be null)
 * @param subject  who (may be null)
 * @param source   the source address (may be null)
 * @param outcome  success, failure or alert
 * @param reason   one machine-readable token, such as a {@link DenialReason} name or
 *                 {@code UNKNOWN_CODE}: no spaces and no {@code =}; never secret material (may be null)
 * @param details  further facts as name/value pairs in a fixed order, for example
 *                 {@code CHANNEL=sms}, {@code GATE=g_...}, {@code APPROVALS=1/2}; names are upper-case
 *                 tokens; never secret material (empty when there are none)
 *
 * <p>Printing an event: {@code event.reason()} is one token that a dashboard can group by, and
 * {@code event.details()} carries what varies per event:
 * <pre>{@code
 * AuditSink sink = e -> log.info("{} {} latch={} codeId={} reason={} {}", e.type(), e.outcome(),
 *         e.latchId(), e.codeId(), e.reason(), e.details());
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public record AuditEvent(Type type, Instant time, String latchId, String codeId, String subject, String source,
                         Outcome outcome, String reason, Map<String, String> details) {

    /**
     * What happened. For example {@code if (event.type() == AuditEvent.Type.LOCKED_OUT) page(event);}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Type {
        /** A dynamic code, a recovery code set or a static key was issued. */
        ISSUED,
        /** A code was handed to a delivery channel. */
        DELIVERED,
        /** A delivery channel failed. */
        DELIVERY_FAILED,
        /** A latch opened, or a key authenticated. */
        OPENED,
        /** A code, key or token was refused. */
        DENIED,
        /** A pending code was renewed, or a renewal was refused. */
        RENEWED,
        /** A code, set of codes or key was revoked. */
        REVOKED,
        /** A static key was rotated. */
        ROTATED,
        /** Consecutive failures locked a latch for a subject. */
        LOCKED_OUT,
        /** Issuing was refused by the per-subject rate limit. */
        RATE_LIMITED,
        /** The store or a signer failed; nothing opened. */
        STORE_FAILURE,
        /** Something an operator should look at: failure threshold, new source address, out-of-hours use. */
        ALERT,
        /** A trigger reached its threshold and issued a challenge. */
        TRIGGERED,
        /** An approver approved or denied an approval gate, or the gate was decided. */
        APPROVAL,
        /** A post-use review became due, or was acknowledged. */
        REVIEWED,
        /** A post-use review passed its deadline without acknowledgement (outcome ALERT). */
        ESCALATION
    }

    /**
     * The outcome. For example {@code if (event.outcome() == AuditEvent.Outcome.ALERT) notifyOnCall(event);}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Outcome {
        /** It worked. */
        SUCCESS,
        /** It was refused or failed. */
        FAILURE,
        /** An alert: see the reason. */
        ALERT
    }

    /**
     * Validates, and copies the details in their order.
     *
     * @throws IllegalArgumentException when type, time or outcome is null, the reason is not one
     *                                  token, or a detail name is not an upper-case token or a
     *                                  value is null
     */
    public AuditEvent {
        Names.required(type, "type");
        Names.required(time, "time");
        Names.required(outcome, "outcome");
        // Details made by checked(...) were validated once and a reason is checked once per
        // string, so the constructor stays small enough to inline and an event that no sink
        // keeps can be scalar-replaced on the hot paths.
        details = admit(reason, details);
    }

    private static Map<String, String> admit(String reason, Map<String, String> details) {
        checkReason(reason);
        if (details instanceof Checked) {
            return ((Checked) details).map;
        }
        // Most events have no details. Copying a map is a call of its own, which the compiler
        // leaves out of line where it is rare, so the compiled constructor stays small enough
        // to inline even where every event is checked (signers in other modules).
        return details == null || details.isEmpty() ? Map.of() : checkDetails(details);
    }

    /**
     * Reasons already found to be one token, by identity (strings are immutable, so a string once
     * checked stays valid). The hot paths pass the same few constants, so the character check runs
     * once per string, out of the compiled constructor. Written without a lock: a lost or stale
     * entry only means a string is checked again.
     */
    private static final String[] CHECKED_REASONS = new String[64];

    private static void checkReason(String reason) {
        if (reason == null) {
            return;
        }
        int slot = System.identityHashCode(reason) & (CHECKED_REASONS.length - 1);
        if (CHECKED_REASONS[slot] == reason) {
            return;
        }
        if (!isToken(reason, false)) {
            throw new IllegalArgumentException("an audit reason is one token of at most 80 letters, digits and _.:/- characters");
        }
        CHECKED_REASONS[slot] = reason;
    }

    private static Map<String, String> checkDetails(Map<String, String> details) {
        if (details == null || details.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        details.forEach((k, v) -> {
            if (k == null || !isToken(k, true) || v == null) {
                throw new IllegalArgumentException("an audit detail is an upper-case name with a non-null value");
            }
            copy.put(k, v);
        });
        return Collections.unmodifiableMap(copy);
    }

    /**
     * Details validated once, for events latch emits on every call (the policy of an issued or
     * opened code): the constructor takes their map as it is.
     */
    static final class Checked extends java.util.AbstractMap<String, String> {
        final Map<String, String> map;

        private Checked(Map<String, String> map) {
            this.map = map;
        }

        @Override
        public java.util.Set<Map.Entry<String, String>> entrySet() {
            return map.entrySet();
        }
    }

    /**
     * @param details name/value pairs
     * @return them, validated now, for any number of events
     */
    static Map<String, String> checked(Map<String, String> details) {
        return new Checked(checkDetails(details));
    }

    /**
     * An event with no details.
     *
     * @param type    what happened
     * @param time    when
     * @param latchId the latch (may be null)
     * @param codeId  the code id (may be null)
     * @param subject who (may be null)
     * @param source  the source address (may be null)
     * @param outcome the outcome
     * @param reason  one token (may be null)
     */
    public AuditEvent(Type type, Instant time, String latchId, String codeId, String subject, String source,
                      Outcome outcome, String reason) {
        this(type, time, latchId, codeId, subject, source, outcome, reason, Map.of());
    }

    /**
     * One line for a log or a console: the type and outcome, then each field that is present as
     * {@code name=value} ({@code latch}, {@code codeId}, {@code subject}, {@code source},
     * {@code reason}), then the details with lower-case names. Absent fields are left out; a
     * value with a space, a quote or {@code =} is quoted. The time is not included.
     *
     * <pre>{@code
     * DELIVERED SUCCESS latch=deploy:prod codeId=c_O5M17SejMOKCvK1vK-Nz subject=alice reason=CODE channel=chat
     * }</pre>
     *
     * @return the event on one line
     */
    public String describe() {
        StringBuilder b = new StringBuilder(96).append(type).append(' ').append(outcome);
        field(b, "latch", latchId);
        field(b, "codeId", codeId);
        field(b, "subject", subject);
        field(b, "source", source);
        field(b, "reason", reason);
        details.forEach((k, v) -> field(b, k.toLowerCase(java.util.Locale.ROOT), v));
        return b.toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        b.append(' ').append(name).append('=');
        boolean quote = value.isEmpty();
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ' ' || c == '"' || c == '=' || c == '\\' || Character.isISOControl(c)
                    || dev.latch.spi.Names.isLineOrDirectionControl(c);
        }
        if (!quote) {
            b.append(value);
            return;
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (Character.isISOControl(c) || dev.latch.spi.Names.isLineOrDirectionControl(c)) {
                b.append(' ');
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    private static boolean isToken(String s, boolean name) {
        if (s.isEmpty() || s.length() > 80) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = name ? (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    : (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
