package dev.latch;

/**
 * A {@link dev.latch.spi.CodeSigner} could not sign or could not run a check at all (no primary
 * key, key material unusable, remote key set unreachable with nothing cached). Never thrown for
 * a bad token: that is a {@link Verdict.Denied}. Nothing opens when it is thrown.
 *
 * <pre>{@code
 * catch (SignerException e) { return Response.status(503).build(); }
 * }</pre>
 *
 * <p>Thread-safe: immutable after construction.
 */
public class SignerException extends LatchException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, without secrets */
    public SignerException(String message) {
        super(message);
    }

    /**
     * @param message what failed, without secrets
     * @param cause   the underlying failure
     */
    public SignerException(String message, Throwable cause) {
        super(message, cause);
    }
}
