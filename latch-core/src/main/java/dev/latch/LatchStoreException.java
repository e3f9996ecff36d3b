package dev.latch;

/**
 * The store failed (down, timed out, refused, full). The operation did not open anything, and
 * an audit event of type {@link AuditEvent.Type#STORE_FAILURE} was emitted.
 *
 * <pre>{@code
 * catch (LatchStoreException e) { return Response.status(503).build(); }
 * }</pre>
 *
 * <p>Thread-safe: immutable after construction.
 */
public class LatchStoreException extends LatchException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, without secrets */
    public LatchStoreException(String message) {
        super(message);
    }

    /**
     * @param message what failed, without secrets
     * @param cause   the underlying failure
     */
    public LatchStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The typed failure for a store call that threw: the exception itself when it already is a
     * {@code LatchStoreException}, otherwise one that wraps it. The message names the operation
     * and the exception's class, never anything it carried.
     *
     * @param operation what was being done, such as {@code "open"}
     * @param cause     what the store threw
     * @return the exception to throw
     */
    public static LatchStoreException of(String operation, RuntimeException cause) {
        return cause instanceof LatchStoreException ? (LatchStoreException) cause
                : new LatchStoreException("latch store failed during " + operation + " (" + cause.getClass().getName() + ")",
                cause);
    }

    /**
     * The store holds as many entries as it is allowed and refuses new ones. The in-memory store
     * never evicts live security state (pending codes, lockouts, consumed markers, keys) to make
     * room, because eviction would reset a lockout or let a consumed code open again.
     *
     * <pre>{@code
     * LatchStore store = Latches.inMemoryStore(100_000);   // refuses the 100,001st live entry
     * }</pre>
     *
     * <p>Thread-safe: immutable after construction.
     */
    public static class StoreFullException extends LatchStoreException {
        private static final long serialVersionUID = 1L;

        /** @param message what is full, without secrets */
        public StoreFullException(String message) {
            super(message);
        }
    }
}
