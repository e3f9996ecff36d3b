package dev.latch.spi;

import java.time.Instant;

/**
 * One message for a {@link DeliveryChannel}: a code for its recipient, or a reminder that a
 * pending code is about to expire. This is the only object through which a clear code leaves
 * latch; reminders never carry the code (latch does not keep it after issuing).
 *
 * <pre>{@code
 * public void deliver(Delivery d) throws IOException {
 *     String text = d.kind() == Delivery.Kind.CODE
 *             ? "Your code for " + d.latchId() + ": " + d.code() + " (expires " + d.expiresAt() + ")"
 *             : "Reminder: your code for " + d.latchId() + " expires at " + d.expiresAt();
 *     mailer.send(d.recipient(), text);
 * }
 * }</pre>
 *
 * <p>{@code toString} masks the code. Thread-safe: immutable.
 */
public final class Delivery {
    /**
     * What is delivered. For example {@code if (delivery.kind() == Delivery.Kind.REMINDER) sendReminder(delivery);}
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Kind {
        /** A freshly issued code. */
        CODE,
        /** A reminder, without the code, that a pending code expires soon. */
        REMINDER,
        /**
         * A warning, without any key, that a static key is due for rotation at {@link #expiresAt()};
         * {@link #codeId()} is the key id and {@link #latchId()} its prefix.
         */
        KEY_ROTATION_DUE,
        /**
         * A static key latch issued by rotating the one named in {@link #policy()} (as
         * {@code rotation-of:<key id>}); {@link #code()} is the new key, {@link #codeId()} its id,
         * {@link #expiresAt()} when the old key stops working.
         */
        KEY;

        /** @return whether a delivery of this kind carries a secret in {@link Delivery#code()} */
        public boolean carriesSecret() {
            return this == CODE || this == KEY;
        }
    }

    private final Kind kind;
    private final String recipient;
    private final String latchId;
    private final String codeId;
    private final String code;
    private final Instant expiresAt;
    private final String policy;

    /**
     * @param kind      what is delivered
     * @param recipient who receives it (an address the channel understands, such as a user name)
     * @param latchId   the latch the code opens
     * @param codeId    the non-secret code id
     * @param code      the clear code for {@link Kind#CODE}, the new key for {@link Kind#KEY}; null for the other kinds
     * @param expiresAt when the code expires
     * @param policy    the policy name
     */
    public Delivery(Kind kind, String recipient, String latchId, String codeId, String code, Instant expiresAt,
                    String policy) {
        this.kind = Names.required(kind, "kind");
        this.recipient = Names.required(recipient, "recipient");
        this.latchId = Names.required(latchId, "latchId");
        this.codeId = Names.required(codeId, "codeId");
        if (kind.carriesSecret() != (code != null)) {
            throw new IllegalArgumentException("CODE and KEY deliveries carry the secret, the other kinds never do");
        }
        this.code = code;
        this.expiresAt = Names.required(expiresAt, "expiresAt");
        this.policy = Names.required(policy, "policy");
    }

    /** @return what is delivered */
    public Kind kind() {
        return kind;
    }

    /** @return who receives it */
    public String recipient() {
        return recipient;
    }

    /** @return the latch */
    public String latchId() {
        return latchId;
    }

    /** @return the non-secret code id */
    public String codeId() {
        return codeId;
    }

    /** @return the clear code (send it, never log it), or null for a reminder */
    public String code() {
        return code;
    }

    /** @return when the code expires */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** @return the policy name */
    public String policy() {
        return policy;
    }

    @Override
    public String toString() {
        return "Delivery[" + kind + ", to=" + recipient + ", latch=" + latchId + ", id=" + codeId
                + (code == null ? "" : ", code=***") + ", expiresAt=" + expiresAt + "]";
    }
}
