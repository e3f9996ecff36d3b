package dev.latch.spi;

import dev.latch.CodeFormat;
import dev.latch.LockoutPolicy;

import java.time.Instant;
import java.util.Set;

/**
 * One presentation of a code, as the core hands it to {@link LatchStore#open(OpenRequest)}.
 * The core never sends the clear code: it sends the keyed digests of the canonical forms the
 * input can have (case-folded Crockford/numeric and exact base64url), and the set of kinds the
 * input is well-formed for. An empty set means the input was malformed and only counts as a
 * failure.
 *
 * <pre>{@code
 * OpenResult result = store.open(request);
 * }</pre>
 *
 * @param latchId           the latch
 * @param subject           who presents the code
 * @param foldedDigest      digest of the case-folded form (numeric and base32 codes), or null
 * @param exactDigest       digest of the exact form (opaque codes), or null
 * @param kinds             kinds the input is well-formed for; empty when malformed
 * @param request           SHA-256 of the request the caller presents the code for, or null
 * @param source            the canonical source address, or null
 * @param conditionsCleared true when the core has checked the record's conditions
 * @param now               the injected clock's time
 * @param lockout           the lockout rules to apply on failure
 *
 * <p>{@code toString} leaves out the digests. Thread-safe: immutable.
 */
public record OpenRequest(String latchId, String subject, byte[] foldedDigest, byte[] exactDigest,
                          Set<CodeFormat.Kind> kinds, byte[] request, String source, boolean conditionsCleared,
                          Instant now, LockoutPolicy lockout) {
    /** Validates. */
    public OpenRequest {
        Names.required(latchId, "latchId");
        Names.required(subject, "subject");
        Names.required(now, "now");
        Names.required(lockout, "lockout");
        kinds = Set.copyOf(kinds);
    }

    /**
     * @param kind the kind of the stored code
     * @return the digest to compare with it, or null when the input is not of that kind
     */
    public byte[] digestFor(CodeFormat.Kind kind) {
        if (!kinds.contains(kind)) {
            return null;
        }
        return kind == CodeFormat.Kind.OPAQUE ? exactDigest : foldedDigest;
    }

    /**
     * @return a copy marked as having passed the record's conditions
     */
    public OpenRequest withConditionsCleared() {
        return new OpenRequest(latchId, subject, foldedDigest, exactDigest, kinds, request, source, true, now, lockout);
    }

    @Override
    public String toString() {
        return "OpenRequest[latch=" + latchId + ", subject=" + subject + ", kinds=" + kinds + ", source=" + source
                + ", now=" + now + "]";
    }
}
