/**
 * What users plug into latch: {@link dev.latch.spi.LatchStore} (state),
 * {@link dev.latch.spi.AuditSink} (audit events) and {@link dev.latch.spi.CodeSigner} (stateless
 * signed codes), with the records a store exchanges with the core. The clock is a plain
 * {@link java.time.Clock}.
 *
 * <pre>{@code
 * Latches.builder().store(Latches.inMemoryStore()).auditSink(Latches.loggingSink()).pepper(pepper).build();
 * }</pre>
 */
package dev.latch.spi;

