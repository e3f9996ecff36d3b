package dev.latch.spi;

/**
 * A way to get a code to a person: email, SMS, chat, a push notification. Channels are tried in
 * order by a {@link dev.latch.DeliveryChain}; throwing (or taking longer than the chain's timeout
 * for the channel) moves on to the next one.
 *
 * <p>Codes sent by email or SMS are not NIST SP 800-63B authenticators on their own (SMS is a
 * "restricted" out-of-band channel and email is not an authenticator at all): use them as
 * approval or step-up codes, not as a second factor that claims AAL2.
 *
 * <pre>{@code
 * DeliveryChannel chat = new DeliveryChannel() {
 *     public String name() { return "chat"; }
 *     public void deliver(Delivery d) throws IOException {
 *         chatClient.directMessage(d.recipient(), "Code for " + d.latchId() + ": " + d.code());
 *     }
 * };
 * }</pre>
 *
 * <p>Implementations must be thread-safe, must not log the code, and should not put it in
 * exception messages (latch records only the exception's type).
 */
public interface DeliveryChannel {
    /** @return a short name for audit events, such as {@code "sms"} */
    String name();

    /**
     * Delivers one message, or throws.
     *
     * @param delivery the message
     * @throws Exception when the message could not be handed over; the chain tries the next channel
     */
    void deliver(Delivery delivery) throws Exception;
}
