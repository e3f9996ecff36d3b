/**
 * latch: codes that hold a process closed until the right code is presented in the right
 * context. {@link dev.latch.Latches} is the entry point for dynamic codes, static keys and
 * recovery codes; {@link dev.latch.Verdict} is every answer.
 *
 * <pre>{@code
 * Latches latches = Latches.builder().pepper(Pepper.fromBase64(env("LATCH_PEPPER"))).build();
 * IssuedCode code = latches.issue(LatchPolicy.HIGH, "deploy:prod/release-42", "alice");
 * Verdict v = latches.open("deploy:prod/release-42", typed, AccessContext.of("alice"));
 * }</pre>
 */
package dev.latch;
