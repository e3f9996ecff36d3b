package dev.latch.spring;

import dev.latch.AuditEvent;
import dev.latch.IssuedStaticKey;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.StaticKeySpec;
import dev.latch.servlet.HttpAuthenticator;
import dev.latch.servlet.LatchPrincipal;
import dev.latch.testing.FailingStore;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Spring Security filter on its own: what reaches the chain, and failing closed. */
class LatchSecurityFilterTest {
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final FailingStore store = new FailingStore(Latches.inMemoryStore());
    private final Latches latches = Latches.builder()
            .pepper(Pepper.of("spring-filter-test-pepper-0123456789".getBytes(StandardCharsets.US_ASCII)))
            .clock(MutableClock.monday10am()).store(store).auditSink(audit).pollDueWork(Duration.ZERO).build();
    private final LatchSecurity security = new LatchSecurity(HttpAuthenticator.builder("orders").apiKeys(latches)
            .auditSink(audit).build());

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    private MockHttpServletResponse call(String authorization, AtomicReference<Authentication> seen) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/7");
        request.setRemoteAddr("192.0.2.10");
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp) {
                seen.set(SecurityContextHolder.getContext().getAuthentication());
                resp.setStatus(200);
            }
        }, security.filter()).doFilter(request, response);
        return response;
    }

    @Test
    void anAuthenticatedKeyReachesTheChainAsLatchAuthentication() throws Exception {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("reporting").scopes("orders:read").build());
        AtomicReference<Authentication> seen = new AtomicReference<>();
        assertEquals(200, call("Bearer " + key.key(), seen).getStatus());
        LatchAuthentication a = (LatchAuthentication) seen.get();
        assertEquals("reporting", a.getName());
        assertEquals(LatchPrincipal.Kind.API_KEY, a.getPrincipal().kind());
        assertEquals("SCOPE_orders:read", a.getAuthorities().iterator().next().getAuthority());
        assertNull(a.getCredentials());
        assertFalse(a.toString().contains(key.key()));
        assertNull(SecurityContextHolder.getContext().getAuthentication(), "the context is cleared after the request");
        assertEquals("192.0.2.10", audit.ofType(AuditEvent.Type.OPENED).get(0).source());
    }

    @Test
    void noCredentialGoesOnUnauthenticatedForTheRulesToDecide() throws Exception {
        AtomicReference<Authentication> seen = new AtomicReference<>();
        assertEquals(200, call(null, seen).getStatus());
        assertNull(seen.get());
        assertEquals(200, call("Basic dXNlcjpwYXNz", seen).getStatus());
        assertNull(seen.get());
    }

    @Test
    void aFailingStoreIs503AndNothingReachesTheChain() throws Exception {
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("reporting").scopes("orders:read").build());
        store.fail = true;
        AtomicReference<Authentication> seen = new AtomicReference<>();
        MockHttpServletResponse r = call("Bearer " + key.key(), seen);
        assertEquals(503, r.getStatus());
        assertEquals("{\"error\":\"temporarily_unavailable\"}", r.getContentAsString());
        assertNull(seen.get());
        assertEquals(1, audit.ofType(AuditEvent.Type.STORE_FAILURE).size());
    }

    @Test
    void aRefusedKeyIs401AndNothingReachesTheChain() throws Exception {
        AtomicReference<Authentication> seen = new AtomicReference<>();
        MockHttpServletResponse r = call("Bearer lk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBCCCCCC", seen);
        assertEquals(401, r.getStatus());
        assertTrue(r.getHeader("WWW-Authenticate").contains("invalid_token"));
        assertNull(seen.get());
        LatchCredentials c = new LatchCredentials(java.util.List.of("Bearer secret-value"), null, null);
        assertFalse(c.toString().contains("secret-value"));
        c.eraseCredentials();
        assertEquals(java.util.List.of(), c.authorization());
    }
}
