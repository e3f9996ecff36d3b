package dev.latch.spi;

import dev.latch.AuditEvent;

/**
 * Receives every {@link AuditEvent}. A sink that throws is logged at WARN and never changes a
 * verdict. Events never hold a code, a digest or a key.
 *
 * <pre>{@code
 * AuditSink toKafka = event -> producer.send(new ProducerRecord<>("audit", event.toString()));
 * Latches.builder().pepper(pepper).auditSink(Latches.loggingSink(), toKafka).build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe; they are called on the thread of the operation.
 */
@FunctionalInterface
public interface AuditSink {
    /**
     * @param event the event
     */
    void accept(AuditEvent event);

    /**
     * @param sinks the sinks, called in order
     * @return one sink that calls each of them; a sink that throws is logged at WARN (type of
     *         event and of exception only) and the others still run
     */
    static AuditSink fanOut(java.util.List<AuditSink> sinks) {
        java.util.List<AuditSink> copy = java.util.List.copyOf(sinks);
        return event -> {
            for (AuditSink sink : copy) {
                try {
                    sink.accept(event);
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(AuditSink.class).warn("audit sink {} failed on a {} event: {}",
                            sink.getClass().getName(), event.type(), e.getClass().getName());
                }
            }
        };
    }
}
