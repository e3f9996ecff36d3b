package dev.latch;

import dev.latch.spi.Names;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 digest of the exact request a code approves. A code issued with a digest opens
 * only when the same digest is presented, so a code for {@code release-42} never approves
 * {@code release-43} or a changed payload.
 *
 * <pre>{@code
 * RequestDigest request = RequestDigest.of("deploy prod release-42 sha=9f1c...");
 * IssuedCode code = latches.issue(LatchPolicy.HIGH, "deploy:prod", "alice", request);
 * latches.open("deploy:prod", typed, AccessContext.builder("alice").request(request).build());
 * }</pre>
 *
 * <p>The digest of a request is not secret; {@code toString} shows its first 8 hex digits.
 * Thread-safe: immutable.
 */
public final class RequestDigest {
    private final byte[] sha256;

    private RequestDigest(byte[] sha256) {
        this.sha256 = sha256;
    }

    /**
     * @param request the exact bytes of the request
     * @return its digest
     */
    public static RequestDigest of(byte[] request) {
        Names.required(request, "request");
        try {
            return new RequestDigest(MessageDigest.getInstance("SHA-256").digest(request));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /**
     * @param request the exact request text, encoded as UTF-8
     * @return its digest
     */
    public static RequestDigest of(String request) {
        return of(Names.required(request, "request").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param sha256 a digest computed elsewhere, 32 bytes
     * @return the digest
     */
    public static RequestDigest ofDigest(byte[] sha256) {
        if (sha256 == null || sha256.length != 32) {
            throw new IllegalArgumentException("a request digest is 32 bytes of SHA-256");
        }
        return new RequestDigest(sha256.clone());
    }

    /** @return a copy of the 32 digest bytes */
    public byte[] bytes() {
        return sha256.clone();
    }

    /** @return the digest bytes themselves, for the core, which never changes them */
    byte[] bytesUnsafe() {
        return sha256;
    }

    /**
     * @param other another digest
     * @return true when both are the same, compared in constant time
     */
    public boolean matches(RequestDigest other) {
        return other != null && MessageDigest.isEqual(sha256, other.sha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestDigest d && MessageDigest.isEqual(sha256, d.sha256);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return "RequestDigest[" + HexFormat.of().formatHex(sha256, 0, 4) + "…]";
    }
}
