/**
 * Micrometer meters for latch: {@link dev.latch.micrometer.LatchMetrics} counts what the audit
 * trail records and times every store call, with bounded tags that never carry a code, key,
 * subject, latch id or code id.
 */
package dev.latch.micrometer;
