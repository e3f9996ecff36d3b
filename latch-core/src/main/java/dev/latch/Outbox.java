package dev.latch;

import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * An in-memory {@link DeliveryChannel} for tests and examples: it keeps the most recent
 * deliveries (at most {@value #CAPACITY}, oldest dropped first) so a test can read the code a
 * recipient was sent.
 *
 * <pre>{@code
 * Outbox outbox = new Outbox();
 * Latches latches = Latches.builder().pepper(pepper)
 *         .delivery(DeliveryChain.builder().then(outbox).build()).build();
 * latches.issueAndDeliver(LatchPolicy.HIGH, "login:alice", "alice", "alice", null);
 * String code = outbox.lastCodeFor("alice").orElseThrow();
 * }</pre>
 *
 * <p>Holds clear codes in memory: tests and examples only. Thread-safe.
 */
public final class Outbox implements DeliveryChannel {
    /** Deliveries kept. */
    public static final int CAPACITY = 1000;

    private final String name;
    private final Deque<Delivery> deliveries = new ArrayDeque<>();

    /** An outbox named {@code outbox}. */
    public Outbox() {
        this("outbox");
    }

    /**
     * @param name the channel name in audit events
     */
    public Outbox(String name) {
        AccessContext.checkText("channel name", name);
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void deliver(Delivery delivery) {
        if (deliveries.size() == CAPACITY) {
            deliveries.removeFirst();
        }
        deliveries.addLast(delivery);
    }

    /** @return the deliveries kept, oldest first */
    public synchronized List<Delivery> deliveries() {
        return List.copyOf(new ArrayList<>(deliveries));
    }

    /**
     * @param recipient a recipient
     * @return the code most recently delivered to them
     */
    public synchronized Optional<String> lastCodeFor(String recipient) {
        var it = deliveries.descendingIterator();
        while (it.hasNext()) {
            Delivery d = it.next();
            if (d.kind() == Delivery.Kind.CODE && d.recipient().equals(recipient)) {
                return Optional.of(d.code());
            }
        }
        return Optional.empty();
    }

    /**
     * @param recipient a recipient
     * @return what was delivered to them, oldest first
     */
    public synchronized List<Delivery> deliveriesTo(String recipient) {
        List<Delivery> out = new ArrayList<>();
        for (Delivery d : deliveries) {
            if (d.recipient().equals(recipient)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Forgets every delivery. */
    public synchronized void clear() {
        deliveries.clear();
    }

    @Override
    public synchronized String toString() {
        return "Outbox[" + name + ", " + deliveries.size() + " deliveries]";
    }
}
