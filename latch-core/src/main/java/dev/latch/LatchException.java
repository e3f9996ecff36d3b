package dev.latch;

/**
 * Base of latch's unchecked exceptions. They are for infrastructure failures and misuse, never
 * for a wrong code (that is a {@link Verdict.Denied}), and no message ever holds a code, a
 * digest or a key.
 *
 * <pre>{@code
 * try {
 *     verdict = latches.open(latchId, code, ctx);
 * } catch (LatchException e) {
 *     // store or signer down: the latch stays closed (fail closed)
 * }
 * }</pre>
 *
 * <p>Thread-safe: immutable after construction.
 */
public class LatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, without secrets
     */
    public LatchException(String message) {
        super(message);
    }

    /**
     * @param message what failed, without secrets
     * @param cause   the underlying failure
     */
    public LatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
