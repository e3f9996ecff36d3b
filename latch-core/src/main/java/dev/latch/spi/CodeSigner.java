package dev.latch.spi;

import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.Verdict;

/**
 * Issues and checks stateless signed codes: SAS-style HMAC tokens (latch-hmac) and JWTs
 * (latch-jwt). A signer holds its keys and clock; it may use a {@link LatchStore} for
 * server-side control (revocation, single use).
 *
 * <p><b>Contract.</b> {@link #verify} never throws for a bad token: null, oversized, malformed,
 * tampered, unknown key, wrong algorithm, expired, out of scope or replayed tokens all give
 * {@link Verdict.Denied} with a {@link dev.latch.Verdict.DenialReason}. It throws
 * {@link dev.latch.SignerException} or {@link dev.latch.LatchStoreException} only when it
 * cannot check at all, and then nothing opens. A token opens only when its resource equals the
 * requirement's resource exactly and it grants every required permission.
 *
 * <pre>{@code
 * String token = signer.sign(Grant.builder("blob:/q3.pdf", "partner-42").permissions("r")
 *         .ttl(Duration.ofMinutes(30)).build());
 * Verdict v = signer.verify(token, Requirement.of("blob:/q3.pdf", "r"), AccessContext.of("partner-42"));
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 */
public interface CodeSigner {
    /**
     * @param grant what the token grants
     * @return the token, safe to put in a URL query as is
     * @throws dev.latch.SignerException when there is no usable signing key
     */
    String sign(Grant grant);

    /**
     * @param token       the presented token, possibly null or hostile
     * @param requirement the resource and permissions needed
     * @param context     who presents it, and from where
     * @return the verdict; {@link Verdict.Opened#codeId()} is the token id
     */
    Verdict verify(String token, Requirement requirement, AccessContext context);
}
