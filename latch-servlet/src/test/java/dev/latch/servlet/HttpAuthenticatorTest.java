package dev.latch.servlet;

import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.StaticKeySpec;
import dev.latch.testing.MutableClock;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpAuthenticatorTest {
    private static final Latches LATCHES = Latches.builder()
            .pepper(Pepper.of("authenticator-test-pepper-0123456789".getBytes(StandardCharsets.US_ASCII)))
            .clock(MutableClock.monday10am()).auditSink(e -> { }).pollDueWork(Duration.ZERO).build();
    private static final HttpAuthenticator AUTH = HttpAuthenticator.builder("orders").apiKeys(LATCHES)
            .auditSink(e -> { }).build();

    @Property(tries = 300)
    void arbitraryHeaderValuesNeverAuthenticate(@ForAll @StringLength(max = 300) String value) {
        HttpAuthenticator.Result r = AUTH.authenticate(List.of(value), List.of(), "127.0.0.1");
        assertInstanceOf(HttpAuthenticator.Result.Failure.class, r);
        r = AUTH.authenticate(List.of("Bearer " + value), List.of(), "not an address");
        assertInstanceOf(HttpAuthenticator.Result.Failure.class, r);
    }

    @Test
    void aKeyAuthenticatesAndScopesAreChecked() {
        String key = LATCHES.issueStaticKey(StaticKeySpec.builder("svc").scopes("a", "b").build()).key();
        HttpAuthenticator.Result r = AUTH.authenticate(List.of("Bearer " + key), null, null);
        LatchPrincipal p = ((HttpAuthenticator.Result.Authenticated) r).principal();
        assertEquals("svc", p.getName());
        assertEquals(Set.of("a", "b"), p.scopes());
        assertNull(AUTH.requireScopes(p, Set.of("a")));
        HttpAuthenticator.Result.Failure f = AUTH.requireScopes(p, Set.of("c", "a"));
        assertEquals(403, f.error().status());
        assertEquals("Bearer realm=\"latch\", error=\"insufficient_scope\", scope=\"a c\"", AUTH.challenge(f));
        assertFalse(p.toString().contains(key));
        assertFalse(AUTH.toString().contains(key));
    }

    @Test
    void challenges() {
        assertEquals("Bearer realm=\"latch\"", AUTH.challenge(HttpAuthenticator.Result.MISSING));
        assertEquals("Bearer realm=\"latch\", error=\"invalid_token\"", AUTH.challenge(HttpAuthenticator.Result.INVALID_TOKEN));
        assertEquals("Bearer realm=\"latch\", error=\"invalid_request\"", AUTH.challenge(HttpAuthenticator.Result.INVALID_REQUEST));
    }

    @Test
    void configurationErrors() {
        assertThrows(IllegalArgumentException.class, () -> HttpAuthenticator.builder(null));
        assertThrows(IllegalArgumentException.class, () -> HttpAuthenticator.builder(""));
        assertThrows(IllegalStateException.class, () -> HttpAuthenticator.builder("x").build());
        assertThrows(IllegalArgumentException.class, () -> HttpAuthenticator.builder("x").apiKeyHeader("Authorization"));
        assertThrows(IllegalArgumentException.class, () -> HttpAuthenticator.builder("x").apiKeyHeader("X Key"));
        assertThrows(IllegalArgumentException.class, () -> HttpAuthenticator.builder("x").realm("a\"b"));
        assertThrows(IllegalArgumentException.class, () -> HttpAuthenticator.builder("x").maxLength(10));
        assertThrows(IllegalArgumentException.class, () -> LatchAuthFilter.builder(AUTH).require("orders"));
        assertThrows(IllegalArgumentException.class, () -> LatchAuthFilter.builder(AUTH).require("/o/*/x", "a"));
        assertThrows(IllegalArgumentException.class, () -> LatchAuthFilter.builder(AUTH).require("/o/*"));
        assertTrue(LatchAuthFilter.builder(AUTH).require("/o/*", "a").build().toString().contains("/o/"));
    }
}
