package dev.latch.hmac;

/**
 * The MAC algorithms of signed latch tokens.
 *
 * <pre>{@code
 * HmacKey key = HmacKey.generate("2026-03", HmacAlgorithm.HMAC_SHA512, new SecureRandom());
 * }</pre>
 *
 * <p>Thread-safe: an enum.
 */
public enum HmacAlgorithm {
    /** HMAC-SHA256, the default; 32-byte tags. */
    HMAC_SHA256("HmacSHA256", 32),
    /** HMAC-SHA384; 48-byte tags. */
    HMAC_SHA384("HmacSHA384", 48),
    /** HMAC-SHA512; 64-byte tags. */
    HMAC_SHA512("HmacSHA512", 64);

    private final String jcaName;
    private final int tagLength;

    HmacAlgorithm(String jcaName, int tagLength) {
        this.jcaName = jcaName;
        this.tagLength = tagLength;
    }

    /** @return the JCA algorithm name */
    public String jcaName() {
        return jcaName;
    }

    /** @return the tag length in bytes */
    public int tagLength() {
        return tagLength;
    }
}
