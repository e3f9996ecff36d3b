package dev.latch;

import dev.latch.spi.Names;
import dev.latch.spi.Delivery;
import dev.latch.spi.DeliveryChannel;

import java.io.PrintStream;

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
public final class ConsoleChannel implements DeliveryChannel {
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
