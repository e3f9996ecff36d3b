package dev.latch.micrometer;

import dev.latch.AuditEvent;
import dev.latch.Verdict.DenialReason;
import dev.latch.spi.AuditSink;
import dev.latch.spi.LatchStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micrometer meters for latch. As an {@link AuditSink} it counts every audit event; its
 * {@link #timed(LatchStore)} wraps a store so that every store call is timed.
 *
 * <pre>{@code
 * LatchMetrics metrics = LatchMetrics.of(meterRegistry);
 * Latches latches = Latches.builder()
 *         .pepper(pepper)
 *         .store(metrics.timed(store))
 *         .auditSink(Latches.loggingSink(), metrics)
 *         .build();
 * }</pre>
 *
 * <p>Meters (names as Micrometer's dot notation; a Prometheus registry shows them as
 * {@code latch_events_total} and so on):
 * <ul>
 *   <li>{@value #EVENTS} (counter): every audit event, tags {@code type} (an {@link AuditEvent.Type}:
 *       {@code ISSUED} counts issues, {@code OPENED} opens) and {@code outcome};</li>
 *   <li>{@value #DENIALS} (counter): denials, tag {@code reason};</li>
 *   <li>{@value #LOCKOUTS} (counter): lockouts;</li>
 *   <li>{@value #STORE} (timer): store calls, tags {@code operation} (the {@link LatchStore}
 *       method, such as {@code open} or {@code issue}) and {@code outcome} ({@code ok} or {@code error}).</li>
 * </ul>
 *
 * <p>Tags are bounded and never carry a code, key, digest, subject, source address, latch id or
 * code id: {@code type}, {@code outcome} and {@code operation} come from fixed sets; {@code reason}
 * is the event's reason token when it is an upper-case token of at most 48 characters (denial
 * reasons such as {@code WRONG_CODE}, or finer ones such as {@code AUDIENCE}), for the first
 * {@value #MAX_REASONS} distinct tokens, and {@code OTHER} after that.
 *
 * <p>Thread-safe.
 */
public final class LatchMetrics implements AuditSink {
    /** The audit event counter. */
    public static final String EVENTS = "latch.events";
    /** The denial counter. */
    public static final String DENIALS = "latch.denials";
    /** The lockout counter. */
    public static final String LOCKOUTS = "latch.lockouts";
    /** The store call timer. */
    public static final String STORE = "latch.store";
    /** The most distinct {@code reason} tag values; later reasons are counted as {@code OTHER}. */
    public static final int MAX_REASONS = 64;
    /** The {@code reason} value of a reason past the bound, or not an upper-case token. */
    public static final String OTHER = "OTHER";

    private final MeterRegistry registry;
    private final Map<AuditEvent.Type, Map<AuditEvent.Outcome, Counter>> events = new EnumMap<>(AuditEvent.Type.class);
    private final Map<String, Counter> denials = new ConcurrentHashMap<>();
    private final Counter lockouts;
    private final Counter otherDenials;

    private LatchMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (AuditEvent.Type type : AuditEvent.Type.values()) {
            Map<AuditEvent.Outcome, Counter> byOutcome = new EnumMap<>(AuditEvent.Outcome.class);
            for (AuditEvent.Outcome outcome : AuditEvent.Outcome.values()) {
                byOutcome.put(outcome, Counter.builder(EVENTS).description("latch audit events")
                        .tags("type", type.name(), "outcome", outcome.name()).register(registry));
            }
            events.put(type, byOutcome);
        }
        for (DenialReason reason : DenialReason.values()) {
            denials.put(reason.name(), denialCounter(reason.name()));
        }
        this.otherDenials = denialCounter(OTHER);
        this.lockouts = Counter.builder(LOCKOUTS).description("latches locked for a subject after failures")
                .register(registry);
    }

    /**
     * @param registry where the meters go
     * @return the metrics, with the counters registered at zero
     * @throws IllegalArgumentException when the registry is null
     */
    public static LatchMetrics of(MeterRegistry registry) {
        if (registry == null) {
            throw new IllegalArgumentException("registry is required, got null");
        }
        return new LatchMetrics(registry);
    }

    /**
     * Wraps a store so that every call is timed under {@value #STORE}. The wrapper adds nothing
     * else: results, exceptions and {@link LatchStore#shared()} are the store's.
     *
     * @param store the store to time
     * @return the timed store
     * @throws IllegalArgumentException when the store is null
     */
    public LatchStore timed(LatchStore store) {
        if (store == null) {
            throw new IllegalArgumentException("store is required, got null");
        }
        return new TimedLatchStore(store, registry);
    }

    @Override
    public void accept(AuditEvent event) {
        if (event == null) {
            return;
        }
        events.get(event.type()).get(event.outcome()).increment();
        if (event.type() == AuditEvent.Type.DENIED) {
            denial(event.reason()).increment();
        } else if (event.type() == AuditEvent.Type.LOCKED_OUT) {
            lockouts.increment();
        }
    }

    private Counter denial(String reason) {
        if (reason == null || !token(reason)) {
            return otherDenials;
        }
        Counter c = denials.get(reason);
        if (c != null) {
            return c;
        }
        synchronized (denials) {
            c = denials.get(reason);
            if (c == null) {
                if (denials.size() >= DenialReason.values().length + MAX_REASONS) {
                    return otherDenials;
                }
                c = denialCounter(reason);
                denials.put(reason, c);
            }
            return c;
        }
    }

    private Counter denialCounter(String reason) {
        return Counter.builder(DENIALS).description("refused codes, keys and tokens").tags(Tags.of("reason", reason))
                .register(registry);
    }

    /** An upper-case token: A-Z first, then A-Z, 0-9 and '_', 48 characters at most. */
    static boolean token(String s) {
        int n = s.length();
        if (n == 0 || n > 48 || s.charAt(0) < 'A' || s.charAt(0) > 'Z') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "LatchMetrics[" + registry.getClass().getSimpleName() + "]";
    }
}
