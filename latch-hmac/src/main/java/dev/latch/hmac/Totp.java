package dev.latch.hmac;

import dev.latch.AccessContext;
import dev.latch.Latches;
import dev.latch.Verdict;

import dev.latch.spi.Names;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

/**
 * Time-based one-time passwords (<a href="https://www.rfc-editor.org/rfc/rfc6238">RFC 6238</a>)
 * for authenticator apps: enrollment with an {@code otpauth://} URI, code generation, and
 * verification through {@link Latches#openCounter}, which keeps the replay guard (once step t is
 * accepted, no code of step t or earlier opens again) and counts failures towards the lockout.
 *
 * <pre>{@code
 * Totp totp = Totp.builder().build();                                   // SHA-1, 6 digits, 30 s, ±1 step
 * OtpEnrollment e = totp.enroll("Example Corp", "alice@example.com", new SecureRandom());
 * showQrCode(e.uri());  saveEncrypted(e.secret().base32());
 * Verdict v = totp.verify(latches, "totp", secret, typedCode, AccessContext.of("alice"));
 * }</pre>
 *
 * <p>Time steps are 64-bit ({@code floor(epochSeconds / period)}), so codes keep working past
 * 2038. The clock is the {@link Latches}' injected clock. Thread-safe: immutable.
 */
public final class Totp {
    /** The default period. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(30);
    /** The longest period. */
    public static final Duration MAX_PERIOD = Duration.ofSeconds(120);
    /** The widest window, in steps either side. */
    public static final int MAX_WINDOW = 2;

    private final OtpEngine engine;
    private final long periodSeconds;
    private final int window;

    private Totp(OtpEngine engine, long periodSeconds, int window) {
        this.engine = engine;
        this.periodSeconds = periodSeconds;
        this.window = window;
    }

    /** @return a builder: SHA-1, 6 digits, 30 seconds, a window of ±1 step */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param time a moment
     * @return its time step (0 before the epoch)
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public long step(Instant time) {
        Names.required(time, "time");
        return Math.max(0, Math.floorDiv(time.getEpochSecond(), periodSeconds));
    }

    /**
     * @param secret the secret
     * @param time   a moment
     * @return the code for that moment's step
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public String generate(OtpSecret secret, Instant time) {
        Names.required(secret, "secret");
        return engine.format(engine.code(engine.keyed(secret), step(time)));
    }

    /**
     * @param secret the secret
     * @param code   the code as typed
     * @param now    the time of verification
     * @return the steps in the window whose code equals the input (usually none or one)
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public long[] matchingSteps(OtpSecret secret, String code, Instant now) {
        Names.required(secret, "secret");
        Names.required(now, "now");
        return matching(secret, engine.wellFormed(code), now);
    }

    private long[] matching(OtpSecret secret, byte[] input, Instant now) {
        if (input == null) {
            return new long[0];
        }
        long t = step(now);
        return engine.matches(secret, input, Math.max(0, t - window), t + window);
    }

    /**
     * Verifies a code for an enrolled authenticator, atomically with the replay guard and the
     * lockout in the latches' store.
     *
     * <p>Bad input, null included, is {@code Denied(MALFORMED)}; it never throws for it.
     *
     * @param latches the latches (store, clock, lockout, audit)
     * @param latchId the authenticator's latch, such as {@code "totp"}
     * @param secret  the enrolled secret
     * @param code    the code as typed; anything but exactly {@code digits} ASCII digits is malformed
     * @param context who presents it
     * @return the verdict: {@code REPLAYED} for a code of an accepted or earlier step
     */
    public Verdict verify(Latches latches, String latchId, OtpSecret secret, String code, AccessContext context) {
        Names.required(latches, "latches");
        Names.required(secret, "secret");
        byte[] input = engine.wellFormed(code);
        return latches.openCounter(latchId, context, matching(secret, input, latches.clock().instant()), input != null);
    }

    /**
     * Starts an enrollment: a new 160-bit secret and the URI to show as a QR code.
     *
     * @param issuer  the service name shown in the app; no ':'
     * @param account the account name shown in the app; no ':'
     * @param random  the source of the secret
     * @return the enrollment
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public OtpEnrollment enroll(String issuer, String account, SecureRandom random) {
        checkLabel("issuer", issuer);
        checkLabel("account", account);
        OtpSecret secret = OtpSecret.generate(Names.required(random, "random"));
        return new OtpEnrollment(secret, uri(issuer, account, secret));
    }

    /**
     * Builds the {@code otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=…&digits=…&period=…}
     * URI, with label and parameters percent-encoded (RFC 3986; a space is {@code %20}).
     *
     * @param issuer  the service name; no ':'
     * @param account the account name; no ':'
     * @param secret  the secret
     * @return the URI
     * @throws IllegalArgumentException when an argument is null (unless documented as optional),
     *                                  empty or breaks its rule; the message names the argument
     */
    public URI uri(String issuer, String account, OtpSecret secret) {
        checkLabel("issuer", issuer);
        checkLabel("account", account);
        Names.required(secret, "secret");
        String uri = "otpauth://totp/" + encode(issuer) + ":" + encode(account) + "?secret=" + secret.base32()
                + "&issuer=" + encode(issuer) + "&algorithm=" + engine.algorithm().name() + "&digits=" + engine.digits()
                + "&period=" + periodSeconds;
        return URI.create(uri);
    }

    private static void checkLabel(String what, String value) {
        if (value == null || value.isBlank() || value.length() > 128 || value.indexOf(':') >= 0
                || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must be 1 to 128 characters without ':' or control characters");
        }
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters. */
    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "Totp[" + engine.algorithm() + ", digits=" + engine.digits() + ", period=" + periodSeconds + "s, window=±"
                + window + "]";
    }

    /** Builds a {@link Totp}. Not thread-safe. */
    public static final class Builder {
        private OtpAlgorithm algorithm = OtpAlgorithm.SHA1;
        private int digits = 6;
        private Duration period = DEFAULT_PERIOD;
        private int window = 1;

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
         * @param period whole seconds, 1 s to 120 s; default 30 s
         * @return this
         */
        public Builder period(Duration period) {
            Names.required(period, "period");
            if (period.getNano() != 0 || period.getSeconds() < 1 || period.compareTo(MAX_PERIOD) > 0) {
                throw new IllegalArgumentException("TOTP period must be whole seconds from 1s to 120s, got " + period);
            }
            this.period = period;
            return this;
        }

        /**
         * @param steps steps accepted either side of the current one, 0 to 2; default 1
         * @return this
         */
        public Builder window(int steps) {
            if (steps < 0 || steps > MAX_WINDOW) {
                throw new IllegalArgumentException("TOTP window must be 0 to " + MAX_WINDOW + " steps, got " + steps);
            }
            this.window = steps;
            return this;
        }

        /** @return the TOTP */
        public Totp build() {
            return new Totp(new OtpEngine(algorithm, digits), period.getSeconds(), window);
        }
    }
}
