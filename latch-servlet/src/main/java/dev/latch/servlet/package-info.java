/**
 * HTTP authentication with latch credentials: {@link dev.latch.servlet.HttpAuthenticator} reads
 * RFC 6750 bearer credentials (or an API key header) and checks them with latch;
 * {@link dev.latch.servlet.LatchAuthFilter} is the {@code jakarta.servlet} filter around it, and the
 * Spring Boot starter builds its Spring Security integration on the same authenticator.
 */
package dev.latch.servlet;
