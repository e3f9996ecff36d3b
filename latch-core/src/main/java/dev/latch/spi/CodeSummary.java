package dev.latch.spi;

/**
 * What the core needs to know about the code a presentation met, after
 * {@link LatchStore#open(OpenRequest)} decided: enough for the audit trail, the verdict and the
 * post-use review, and nothing secret. A {@link CodeRecord} is one; a remote store can return
 * a smaller object so that an open does not ship the whole record (and never its digests) back
 * over the network.
 *
 * <pre>{@code
 * OpenResult r = store.open(request);
 * String codeId = r.code() == null ? null : r.code().codeId();
 * }</pre>
 *
 * <p>Implementations must be immutable, hence thread-safe.
 */
public interface CodeSummary {
    /** @return the code's non-secret id */
    String codeId();

    /** @return the name of the policy it was issued under */
    String policy();

    /** @return opens left after the decision */
    int usesLeft();

    /** @return whether opening leaves a post-use review due */
    boolean reviewRequired();

    /** @return the policy's conditions in their canonical text form, empty for none */
    String conditions();

    /**
     * A summary made of its parts, for stores that do not keep a {@link CodeRecord} in memory.
     *
     * <pre>{@code
     * CodeSummary s = CodeSummary.of("c_1", "STANDARD", 0, false, "");
     * }</pre>
     *
     * @param codeId         the code's id
     * @param policy         the policy name
     * @param usesLeft       opens left
     * @param reviewRequired whether a review is due after an open
     * @param conditions     canonical conditions, null or empty for none
     * @return the summary; its {@code toString} holds no secret (there is none in it)
     */
    static CodeSummary of(String codeId, String policy, int usesLeft, boolean reviewRequired, String conditions) {
        return new Parts(codeId, policy, usesLeft, reviewRequired, conditions == null ? "" : conditions);
    }

    /**
     * The plain implementation behind {@link #of}.
     *
     * <pre>{@code
     * CodeSummary s = new CodeSummary.Parts("c_1", "HIGH", 0, false, "");
     * }</pre>
     *
     * @param codeId         the code's id
     * @param policy         the policy name
     * @param usesLeft       opens left
     * @param reviewRequired whether a review is due after an open
     * @param conditions     canonical conditions, empty for none
     *
     * <p>Thread-safe: immutable.
     */
    record Parts(String codeId, String policy, int usesLeft, boolean reviewRequired, String conditions)
            implements CodeSummary {
        /** Validates. */
        public Parts {
            Names.required(codeId, "codeId");
            Names.required(conditions, "conditions");
        }
    }
}
