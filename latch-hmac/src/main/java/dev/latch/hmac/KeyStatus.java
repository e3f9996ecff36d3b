package dev.latch.hmac;

/**
 * The status of a key in an {@link HmacKeySet}, as in Tink's key sets.
 *
 * <pre>{@code
 * HmacKeySet next = keys.disable("2025-12");
 * }</pre>
 *
 * <p>Thread-safe: an enum.
 */
public enum KeyStatus {
    /** Verifies; the primary also signs. */
    ENABLED,
    /** Kept but refused; can be enabled again. */
    DISABLED,
    /** Key material dropped; refused forever. */
    DESTROYED
}
