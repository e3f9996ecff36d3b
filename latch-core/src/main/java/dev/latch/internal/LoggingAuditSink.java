package dev.latch.internal;

import dev.latch.Latches;
import dev.latch.AuditEvent;
import dev.latch.spi.AuditSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default audit sink: SLF4J logger {@code dev.latch.audit}. Stateless and thread-safe. */
public final class LoggingAuditSink implements AuditSink {
    /** The one instance. */
    public static final LoggingAuditSink INSTANCE = new LoggingAuditSink();
    private static final Logger LOG = LoggerFactory.getLogger("dev.latch.audit");

    private LoggingAuditSink() {
    }

    @Override
    public void accept(AuditEvent e) {
        boolean warn = e.outcome() != AuditEvent.Outcome.SUCCESS || e.type() == AuditEvent.Type.LOCKED_OUT;
        if (warn) {
            if (LOG.isWarnEnabled()) {
                LOG.warn("{}", e.describe());
            }
        } else if (LOG.isInfoEnabled()) {
            LOG.info("{}", e.describe());
        }
    }

    @Override
    public String toString() {
        return "Latches.loggingSink()";
    }
}
