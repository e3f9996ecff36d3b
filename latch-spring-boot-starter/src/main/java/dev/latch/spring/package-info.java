/**
 * Spring Boot auto-configuration for latch ({@link dev.latch.spring.LatchAutoConfiguration}, properties
 * {@link dev.latch.spring.LatchProperties}), the Spring Security integration
 * ({@link dev.latch.spring.LatchSecurity}) and the {@code RestClient} interceptor for service tokens.
 */
package dev.latch.spring;
