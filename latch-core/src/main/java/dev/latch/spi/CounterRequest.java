package dev.latch.spi;

import dev.latch.LockoutPolicy;

import java.time.Instant;
import java.util.Arrays;

/**
 * One presentation of a counter-based one-time password (HOTP or TOTP), as a module hands it to
 * {@link LatchStore#acceptCounter(CounterRequest)}. The module computes the codes for the
 * counters (or time steps) in its window and sends the counters whose code matched; the store
 * decides atomically: lock, replay guard, failure count.
 *
 * <pre>{@code
 * CounterResult r = store.acceptCounter(new CounterRequest(latchId, subject, new long[]{step}, true, now, lockout));
 * }</pre>
 *
 * @param latchId   the latch (the enrolled authenticator)
 * @param subject   who presents the code
 * @param matches   counters whose code matched, ascending; empty when none did
 * @param wellFormed false when the input was not a code at all (counted as a failure)
 * @param now       the injected clock's time
 * @param lockout   the lockout rules to apply on failure
 *
 * <p>Thread-safe: immutable (the array is copied).
 */
public record CounterRequest(String latchId, String subject, long[] matches, boolean wellFormed, Instant now,
                             LockoutPolicy lockout) {
    /** Validates and copies. */
    public CounterRequest {
        Names.required(latchId, "latchId");
        Names.required(subject, "subject");
        Names.required(now, "now");
        Names.required(lockout, "lockout");
        matches = matches.clone();
        Arrays.sort(matches);
        for (long m : matches) {
            if (m < 0) {
                throw new IllegalArgumentException("counters are not negative");
            }
        }
    }

    @Override
    public String toString() {
        return "CounterRequest[latch=" + latchId + ", subject=" + subject + ", matches=" + matches.length
                + ", wellFormed=" + wellFormed + ", now=" + now + "]";
    }
}
