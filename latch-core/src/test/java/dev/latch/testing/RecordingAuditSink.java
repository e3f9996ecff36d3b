package dev.latch.testing;

import dev.latch.AuditEvent;
import dev.latch.spi.AuditSink;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Keeps every audit event, for assertions. Thread-safe. */
public final class RecordingAuditSink implements AuditSink {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(AuditEvent event) {
        events.add(event);
    }

    /** @return all events so far */
    public List<AuditEvent> events() {
        return List.copyOf(events);
    }

    /**
     * @param type a type
     * @return the events of that type
     */
    public List<AuditEvent> ofType(AuditEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }

    /**
     * @param type   a type
     * @param reason a reason
     * @return how many events have both
     */
    public long count(AuditEvent.Type type, String reason) {
        return events.stream().filter(e -> e.type() == type && reason.equals(e.reason())).count();
    }

    /**
     * @param type   a type
     * @param reason a reason
     * @param name   a detail's name
     * @param value  that detail's value
     * @return how many events have the type, the reason and the detail
     */
    public long count(AuditEvent.Type type, String reason, String name, String value) {
        return events.stream().filter(e -> e.type() == type && reason.equals(e.reason())
                && value.equals(e.details().get(name))).count();
    }

    /** Forgets everything. */
    public void clear() {
        events.clear();
    }
}
