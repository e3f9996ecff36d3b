package dev.latch;

import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;
import dev.latch.spi.Names;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Channels tried in order, each with a timeout: the first that accepts a message delivers it,
 * a channel that throws or times out is recorded ({@code DELIVERY_FAILED}, naming the channel and
 * the exception type, never the code) and the next one is tried. Give it to
 * {@link Latches.Builder#delivery(DeliveryChain)}; {@link Latches#issueAndDeliver} then issues and
 * delivers in one call, and revokes the code when every channel fails.
 *
 * <pre>{@code
 * DeliveryChain chain = DeliveryChain.builder()
 *         .then(smsChannel, Duration.ofSeconds(3))
 *         .then(emailChannel, Duration.ofSeconds(5))
 *         .build();
 * Latches latches = Latches.builder().pepper(pepper).delivery(chain).build();
 * DeliveryReceipt receipt = latches.issueAndDeliver(LatchPolicy.HIGH, "login:alice", "alice", "alice", null);
 * }</pre>
 *
 * <p>Each channel runs on a thread of the chain's executor so that a hung channel can be timed
 * out (and interrupted); by default a pool of at most 32 daemon threads, idle threads ending
 * after a minute. Thread-safe: immutable.
 */
public final class DeliveryChain {
    /** The timeout of a channel added without one. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final List<DeliveryChannel> channels;
    private final List<Duration> timeouts;
    private final ExecutorService executor;

    private DeliveryChain(Builder b) {
        this.channels = List.copyOf(b.channels);
        this.timeouts = List.copyOf(b.timeouts);
        this.executor = b.executor != null ? b.executor : defaultExecutor();
    }

    private DeliveryChain(List<DeliveryChannel> channels, List<Duration> timeouts, ExecutorService executor) {
        this.channels = channels;
        this.timeouts = timeouts;
        this.executor = executor;
    }

    /**
     * @param names channel names (empty: all)
     * @return this chain with only the channels of those names, in order, on the same executor (possibly none)
     */
    DeliveryChain only(java.util.Set<String> names) {
        if (names.isEmpty()) {
            return this;
        }
        List<DeliveryChannel> kept = new ArrayList<>();
        List<Duration> keptTimeouts = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            if (names.contains(safeName(channels.get(i)))) {
                kept.add(channels.get(i));
                keptTimeouts.add(timeouts.get(i));
            }
        }
        return new DeliveryChain(List.copyOf(kept), List.copyOf(keptTimeouts), executor);
    }

    private static ExecutorService defaultExecutor() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, 32, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "latch-delivery");
            t.setDaemon(true);
            return t;
        });
        return pool;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the channel names, in order */
    public List<String> channelNames() {
        List<String> names = new ArrayList<>(channels.size());
        for (DeliveryChannel c : channels) {
            names.add(c.name());
        }
        return names;
    }

    /**
     * Tries the channels in order.
     *
     * @param delivery the message
     * @param events   receives one DELIVERED or DELIVERY_FAILED outcome per channel tried
     * @return which channel delivered it, if any, and which failed and how
     */
    DeliveryReceipt deliver(Delivery delivery, Consumer<Attempt> events) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            DeliveryChannel channel = channels.get(i);
            String name = safeName(channel);
            String failure = attempt(channel, delivery, timeouts.get(i));
            events.accept(new Attempt(name, failure));
            if (failure == null) {
                return new DeliveryReceipt(delivery.codeId(), delivery.kind(), name, failures, delivery.expiresAt());
            }
            failures.add(name + ":" + failure);
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        return new DeliveryReceipt(delivery.codeId(), delivery.kind(), null, failures, delivery.expiresAt());
    }

    /** One channel tried: its name and the failure ({@code TIMEOUT}, an exception type), or null. */
    record Attempt(String channel, String failure) {
    }

    private String attempt(DeliveryChannel channel, Delivery delivery, Duration timeout) {
        Future<?> f;
        try {
            f = executor.submit(() -> {
                channel.deliver(delivery);
                return null;
            });
        } catch (RejectedExecutionException e) {
            return "REJECTED";
        }
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            f.cancel(true);
            return "TIMEOUT";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return cause.getClass().getSimpleName();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            return "INTERRUPTED";
        }
    }

    private static String safeName(DeliveryChannel channel) {
        try {
            String n = channel.name();
            return n == null || n.isEmpty() ? channel.getClass().getSimpleName() : n;
        } catch (RuntimeException e) {
            return channel.getClass().getSimpleName();
        }
    }

    @Override
    public String toString() {
        return "DeliveryChain" + channelNames();
    }

    /** Builds a {@link DeliveryChain}. Not thread-safe. */
    public static final class Builder {
        private final List<DeliveryChannel> channels = new ArrayList<>();
        private final List<Duration> timeouts = new ArrayList<>();
        private ExecutorService executor;

        private Builder() {
        }

        /**
         * @param channel the next channel, with {@link #DEFAULT_TIMEOUT}
         * @return this
         */
        public Builder then(DeliveryChannel channel) {
            return then(channel, DEFAULT_TIMEOUT);
        }

        /**
         * @param channel the next channel
         * @param timeout how long it may take, 1 ms to 5 minutes
         * @return this
         */
        public Builder then(DeliveryChannel channel, Duration timeout) {
            Names.required(channel, "channel");
            Names.required(timeout, "timeout");
            if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("a channel timeout must be 1 ms to 5 minutes, got " + timeout);
            }
            if (channels.size() == 16) {
                throw new IllegalArgumentException("at most 16 channels");
            }
            channels.add(channel);
            timeouts.add(timeout);
            return this;
        }

        /**
         * @param executor runs the channels; the caller shuts it down. Default: a pool of 32 daemon threads
         * @return this
         */
        public Builder executor(ExecutorService executor) {
            if (this.executor != null) {
                throw new IllegalStateException("executor was already set");
            }
            this.executor = Names.required(executor, "executor");
            return this;
        }

        /**
         * @return the chain
         * @throws IllegalStateException without channels
         */
        public DeliveryChain build() {
            if (channels.isEmpty()) {
                throw new IllegalStateException("a delivery chain needs at least one channel");
            }
            return new DeliveryChain(this);
        }
    }

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

    /**
     * <b>Development only:</b> prints codes to a console stream so examples and local runs need no
     * mail or SMS server. Every line starts with {@code [latch DEVELOPMENT delivery]}. It writes to
     * a {@link PrintStream}, never to a logger (codes never go to logs); still, anything on a console
     * may end up in a log collector, so never use it in production.
     *
     * <pre>{@code
     * DeliveryChain chain = DeliveryChain.builder().then(ConsoleChannel.stdout()).build();
     * }</pre>
     *
     * <p>Thread-safe: {@link PrintStream} is.
     */
    public static final class ConsoleChannel implements DeliveryChannel {
        private final PrintStream out;

        private ConsoleChannel(PrintStream out) {
            this.out = out;
        }

        /** @return a channel printing to {@code System.out} */
        public static ConsoleChannel stdout() {
            return new ConsoleChannel(System.out);
        }

        /**
         * @param out where to print
         * @return a channel printing to {@code out}
         */
        public static ConsoleChannel to(PrintStream out) {
            return new ConsoleChannel(Names.required(out, "out"));
        }

        @Override
        public String name() {
            return "console";
        }

        @Override
        public void deliver(Delivery d) {
            if (d.kind() == Delivery.Kind.CODE) {
                out.println("[latch DEVELOPMENT delivery] to " + d.recipient() + ": code " + d.code() + " for "
                        + d.latchId() + ", expires " + d.expiresAt());
            } else if (d.kind() == Delivery.Kind.KEY) {
                out.println("[latch DEVELOPMENT delivery] to " + d.recipient() + ": new key " + d.code() + " (id "
                        + d.codeId() + "); the old one works until " + d.expiresAt());
            } else if (d.kind() == Delivery.Kind.KEY_ROTATION_DUE) {
                out.println("[latch DEVELOPMENT delivery] to " + d.recipient() + ": key " + d.codeId() + " ("
                        + d.latchId() + ") is due for rotation at " + d.expiresAt());
            } else {
                out.println("[latch DEVELOPMENT delivery] to " + d.recipient() + ": reminder, your code for " + d.latchId()
                        + " expires " + d.expiresAt());
            }
        }

        @Override
        public String toString() {
            return "ConsoleChannel[DEVELOPMENT ONLY]";
        }
    }

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
    public static final class Outbox implements DeliveryChannel {
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
}
