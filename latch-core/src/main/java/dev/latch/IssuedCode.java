package dev.latch;

import java.time.Instant;

/**
 * A dynamic code as it is issued: the clear code, shown once, and its non-secret id. latch
 * never stores the clear code; deliver it and drop this object.
 *
 * <pre>{@code
 * IssuedCode issued = latches.issue(LatchPolicy.HIGH, "deploy:prod/release-42", "alice");
 * mailer.send("alice", "Your approval code: " + issued.code());
 * log.info("issued {}", issued);     // IssuedCode[id=c_…, latch=…, code=***, …]
 * }</pre>
 *
 * <p>{@code toString} masks the code. Thread-safe: immutable.
 */
public final class IssuedCode {
    private final String codeId;
    private final String latchId;
    private final String subject;
    private final String code;
    private final Instant notBefore;
    private final Instant expiresAt;
    private final String policy;

    IssuedCode(String codeId, String latchId, String subject, String code, Instant notBefore, Instant expiresAt,
               String policy) {
        this.codeId = codeId;
        this.latchId = latchId;
        this.subject = subject;
        this.code = code;
        this.notBefore = notBefore;
        this.expiresAt = expiresAt;
        this.policy = policy;
    }

    /**
     * @return the non-secret code id, for revoke, renew and audit: {@code c_} and 20 base64url
     *         characters, a tag shared by the codes of one latch and subject from this
     *         {@code Latches} (8 characters), then 72 random bits
     */
    public String codeId() {
        return codeId;
    }

    /** @return the latch */
    public String latchId() {
        return latchId;
    }

    /** @return who the code is for */
    public String subject() {
        return subject;
    }

    /** @return the clear code: deliver it, never log it */
    public String code() {
        return code;
    }

    /** @return when the code starts to open */
    public Instant notBefore() {
        return notBefore;
    }

    /** @return when the code expires */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** @return the policy name */
    public String policy() {
        return policy;
    }

    @Override
    public String toString() {
        return "IssuedCode[id=" + codeId + ", latch=" + latchId + ", subject=" + subject + ", code=***, policy="
                + policy + ", expiresAt=" + expiresAt + "]";
    }
}
