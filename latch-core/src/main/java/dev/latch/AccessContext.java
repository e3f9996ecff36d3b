package dev.latch;

import dev.latch.Verdict.DenialReason;

import dev.latch.spi.Names;
import dev.latch.internal.IpAddresses;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who presents a code, and from where: the subject, the source address (IPv4 or IPv6 literal,
 * never resolved), free attributes, and optionally the digest of the exact request.
 *
 * <pre>{@code
 * AccessContext ctx = AccessContext.builder("alice")
 *         .source("203.0.113.7")
 *         .attribute("team", "ops")
 *         .build();
 * }</pre>
 *
 * <p>A source that is not an address literal is refused by the builder with an
 * {@link IllegalArgumentException}; a context without a source never satisfies a source
 * condition ({@link DenialReason#CONTEXT_REJECTED}). Thread-safe: immutable.
 */
public final class AccessContext {
    private static final int MAX_ATTRIBUTES = 64;

    private final String subject;
    private final byte[] source;
    private final String sourceText;
    private final Map<String, String> attributes;
    private final RequestDigest request;

    private AccessContext(Builder b) {
        this.subject = b.subject;
        this.source = b.source;
        this.sourceText = b.source == null ? null : IpAddresses.format(b.source);
        this.attributes = Map.copyOf(b.attributes);
        this.request = b.request;
    }

    /**
     * @param subject who presents the code
     * @return a context with only a subject
     */
    public static AccessContext of(String subject) {
        return builder(subject).build();
    }

    /**
     * @param subject who presents the code: 1 to 256 characters, no control characters, no
     *                unpaired surrogate
     * @return a builder
     */
    public static Builder builder(String subject) {
        return new Builder(subject);
    }

    /** @return the subject */
    public String subject() {
        return subject;
    }

    /** @return the source address in canonical text form */
    public Optional<String> source() {
        return Optional.ofNullable(sourceText);
    }

    byte[] sourceBytes() {
        return source;
    }

    String sourceText() {
        return sourceText;
    }

    byte[] requestBytes() {
        return request == null ? null : request.bytesUnsafe();
    }

    /** @return the attributes */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** @return the digest of the request this context presents a code for */
    public Optional<RequestDigest> request() {
        return Optional.ofNullable(request);
    }

    @Override
    public String toString() {
        return "AccessContext[subject=" + subject + ", source=" + sourceText + ", attributes=" + attributes.keySet()
                + (request == null ? "" : ", request=" + request) + "]";
    }

    /** Builds an {@link AccessContext}. Not thread-safe; use one builder per context. */
    public static final class Builder {
        private final String subject;
        private byte[] source;
        private final Map<String, String> attributes = new TreeMap<>();
        private RequestDigest request;

        private Builder(String subject) {
            this.subject = checkText("subject", subject);
        }

        /**
         * @param address an IPv4 or IPv6 literal; never resolved
         * @return this
         * @throws IllegalArgumentException when the text is not an address literal
         */
        public Builder source(String address) {
            Names.required(address, "address");
            this.source = IpAddresses.parse(address);
            return this;
        }

        /**
         * @param name  attribute name
         * @param value attribute value
         * @return this
         */
        public Builder attribute(String name, String value) {
            if (attributes.size() >= MAX_ATTRIBUTES) {
                throw new IllegalArgumentException("at most " + MAX_ATTRIBUTES + " attributes");
            }
            attributes.put(checkText("attribute name", name), checkText("attribute value", value));
            return this;
        }

        /**
         * @param digest the digest of the exact request
         * @return this
         */
        public Builder request(RequestDigest digest) {
            this.request = Names.required(digest, "digest");
            return this;
        }

        /** @return the context */
        public AccessContext build() {
            return new AccessContext(this);
        }
    }

    /** Checks a name by {@link dev.latch.spi.Names}: the message names its role, never its text. */
    static String checkText(String what, String value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is required, got null");
        }
        String problem = dev.latch.spi.Names.problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(what + " " + problem);
        }
        return value;
    }
}
