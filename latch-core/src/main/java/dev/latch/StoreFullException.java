package dev.latch;

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
public class StoreFullException extends LatchStoreException {
    private static final long serialVersionUID = 1L;

    /** @param message what is full, without secrets */
    public StoreFullException(String message) {
        super(message);
    }
}
