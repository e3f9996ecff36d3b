/**
 * latch-servlet: HTTP authentication with latch API keys and service tokens. Exports only
 * {@code dev.latch.servlet}.
 */
module dev.latch.servlet {
    requires transitive dev.latch.core;
    requires static jakarta.servlet;

    exports dev.latch.servlet;
}
