package dev.latch.hmac;

import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;

import dev.latch.spi.Names;


/**
 * Counter-based one-time passwords (<a href="https://www.rfc-editor.org/rfc/rfc4226">RFC 4226</a>)
 * for hardware tokens. Verification looks ahead a bounded number of counters from the next
 * expected one, and the counter moves only on success (atomically, in the latches' store).
 * Resynchronisation after many unused presses needs two consecutive codes.
 *
 * <pre>{@code
 * Hotp hotp = Hotp.builder().build();                              // SHA-1, 6 digits, look-ahead 10
 * Verdict v = hotp.verify(latches, "hotp", secret, typed, AccessContext.of("alice"));
 * Verdict r = hotp.resync(latches, "hotp", secret, first, second, AccessContext.of("alice"));
 * }</pre>
 *
 * <p>Counters are 64-bit: 0 to 2<sup>63</sup> − 1. The look-ahead and resync windows end at
 * 2<sup>63</sup> − 1 rather than wrap, and once that last counter has been accepted every code
 * is refused as {@code REPLAYED}: the token must be enrolled again. Thread-safe: immutable.
 */
public final class Hotp {
    private final OtpEngine engine;
    private final int lookAhead;
    private final int resyncWindow;

    private Hotp(OtpEngine engine, int lookAhead, int resyncWindow) {
        this.engine = engine;
        this.lookAhead = lookAhead;
        this.resyncWindow = resyncWindow;
    }

    /** @return a builder: SHA-1, 6 digits, look-ahead 10, resync window 100 */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param secret  the secret
     * @param counter a counter, 0 or more
     * @return its code
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public String generate(OtpSecret secret, long counter) {
        Names.required(secret, "secret");
        if (counter < 0) {
            throw new IllegalArgumentException("HOTP counters are not negative");
        }
        return engine.format(engine.code(engine.keyed(secret), counter));
    }

    /**
     * <p>Bad input, null included, is {@code Denied(MALFORMED)}; it never throws for it.
     *
     * @param latches the latches (store, clock, lockout, audit)
     * @param latchId the token's latch, such as {@code "hotp"}
     * @param secret  the secret
     * @param code    the code as typed
     * @param context who presents it
     * @return the verdict
     */
    public Verdict verify(Latches latches, String latchId, OtpSecret secret, String code, AccessContext context) {
        Names.required(latches, "latches");
        Names.required(secret, "secret");
        byte[] input = engine.wellFormed(code);
        if (input == null || context == null) {
            return latches.openCounter(latchId, context, new long[0], false);
        }
        long next = latches.nextCounter(latchId, context.subject()).orElse(0L);
        return latches.openCounter(latchId, context, engine.matches(secret, input, next, windowEnd(next, lookAhead)),
                true);
    }

    /**
     * Resynchronises a token whose counter ran ahead of the look-ahead: finds two consecutive
     * codes within the resync window and accepts the second.
     *
     * <p>Bad input, null included, is {@code Denied(MALFORMED)}; it never throws for it.
     *
     * @param latches the latches
     * @param latchId the token's latch
     * @param secret  the secret
     * @param first   a code
     * @param second  the next code from the token
     * @param context who presents them
     * @return the verdict
     */
    public Verdict resync(Latches latches, String latchId, OtpSecret secret, String first, String second,
                          AccessContext context) {
        Names.required(latches, "latches");
        Names.required(secret, "secret");
        byte[] a = engine.wellFormed(first);
        byte[] b = engine.wellFormed(second);
        if (a == null || b == null || context == null) {
            return latches.openCounter(latchId, context, new long[0], false);
        }
        long next = latches.nextCounter(latchId, context.subject()).orElse(0L);
        long[] firsts = engine.matches(secret, a, next, windowEnd(next, resyncWindow));
        long[] pairs = new long[firsts.length];
        int n = 0;
        for (long c : firsts) {
            // the last counter, 2^63 - 1, has no successor to pair with
            if (c < Long.MAX_VALUE && engine.matches(secret, b, c + 1, c + 1).length == 1) {
                pairs[n++] = c + 1;
            }
        }
        return latches.openCounter(latchId, context, java.util.Arrays.copyOf(pairs, n), true);
    }

    /** {@code next + width}, or {@code Long.MAX_VALUE} where that would pass the last counter. */
    static long windowEnd(long next, int width) {
        return next > Long.MAX_VALUE - width ? Long.MAX_VALUE : next + width;
    }

    @Override
    public String toString() {
        return "Hotp[" + engine.algorithm() + ", digits=" + engine.digits() + ", lookAhead=" + lookAhead
                + ", resyncWindow=" + resyncWindow + "]";
    }

    /** Builds a {@link Hotp}. Not thread-safe. */
    public static final class Builder {
        private OtpAlgorithm algorithm = OtpAlgorithm.SHA1;
        private int digits = 6;
        private int lookAhead = 10;
        private int resyncWindow = 100;

        private Builder() {
        }

        /**
         * @param algorithm SHA1 (default), SHA256 or SHA512
         * @return this
         */
        public Builder algorithm(OtpAlgorithm algorithm) {
            this.algorithm = Names.required(algorithm, "algorithm");
            return this;
        }

        /**
         * @param digits 6 (default) to 8
         * @return this
         */
        public Builder digits(int digits) {
            this.digits = OtpEngine.checkDigits(digits);
            return this;
        }

        /**
         * @param counters counters checked past the next expected one, 0 to 50; default 10
         * @return this
         */
        public Builder lookAhead(int counters) {
            if (counters < 0 || counters > 50) {
                throw new IllegalArgumentException("HOTP look-ahead must be 0 to 50, got " + counters);
            }
            this.lookAhead = counters;
            return this;
        }

        /**
         * @param counters how far resynchronisation searches, 1 to 1000; default 100
         * @return this
         */
        public Builder resyncWindow(int counters) {
            if (counters < 1 || counters > 1000) {
                throw new IllegalArgumentException("HOTP resync window must be 1 to 1000, got " + counters);
            }
            this.resyncWindow = counters;
            return this;
        }

        /** @return the HOTP */
        public Hotp build() {
            return new Hotp(new OtpEngine(algorithm, digits), lookAhead, resyncWindow);
        }
    }
}
