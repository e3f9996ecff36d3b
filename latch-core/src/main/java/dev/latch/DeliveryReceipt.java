package dev.latch;

import dev.latch.spi.Names;
import dev.latch.spi.Delivery;

import java.time.Instant;
import java.util.List;

/**
 * What a {@link DeliveryChain} did with one message: the channel that delivered it, and the
 * channels that failed before it (name and failure type). Holds no code.
 *
 * <pre>{@code
 * DeliveryReceipt r = latches.issueAndDeliver(LatchPolicy.HIGH, "login:alice", "alice", "alice", null);
 * log.info("challenge {} sent by {} after {}", r.codeId(), r.channel(), r.failures());
 * }</pre>
 *
 * @param codeId    the code
 * @param kind      code or reminder
 * @param channel   the channel that delivered it, or null when none did
 * @param failures  the channels that failed, in order, as {@code name:failure}
 *                  ({@code TIMEOUT}, {@code REJECTED} or an exception's simple class name)
 * @param expiresAt when the code expires
 *
 * <p>Thread-safe: immutable.
 */
public record DeliveryReceipt(String codeId, Delivery.Kind kind, String channel, List<String> failures,
                              Instant expiresAt) {
    /** Validates and copies. */
    public DeliveryReceipt {
        Names.required(codeId, "codeId");
        Names.required(kind, "kind");
        failures = List.copyOf(failures);
        Names.required(expiresAt, "expiresAt");
    }

    /** @return true when a channel delivered the message */
    public boolean delivered() {
        return channel != null;
    }
}
