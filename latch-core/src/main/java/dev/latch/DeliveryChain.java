package dev.latch;

import dev.latch.spi.Names;
import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
}
