package dev.latch.jwt;

import com.sun.net.httpserver.HttpServer;
import dev.latch.AccessContext;
import dev.latch.Grant;
import dev.latch.Grant.Requirement;
import dev.latch.SignerException;
import dev.latch.testing.MutableClock;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenSupplierTest {
    private final MutableClock clock = MutableClock.monday10am();

    /** A source that counts fetches and issues tokens living {@code life} from the clock's now. */
    private final class Counting implements TokenSupplier.Source {
        final AtomicInteger fetches = new AtomicInteger();
        final Duration life;
        volatile boolean fail;
        volatile CountDownLatch gate;

        Counting(Duration life) {
            this.life = life;
        }

        @Override
        public TokenSupplier.Token fetch() {
            int n = fetches.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (fail) {
                throw new IllegalStateException("token service down");
            }
            return new TokenSupplier.Token("t" + n, clock.instant().plus(life));
        }
    }

    @Test
    void cachesUntilRefreshAheadThenRefreshesOnce() {
        Counting source = new Counting(Duration.ofMinutes(5));
        TokenSupplier tokens = TokenSupplier.builder(source).clock(clock).build();
        assertEquals("t1", tokens.get());
        clock.advance(Duration.ofMinutes(4));
        assertEquals("t1", tokens.get());
        assertEquals(1, source.fetches.get());
        clock.advance(Duration.ofSeconds(31)); // inside the 30 s before expiry
        assertEquals("t2", tokens.get());
        assertEquals("t2", tokens.get());
        assertEquals(2, source.fetches.get());
        tokens.invalidate();
        assertEquals("t3", tokens.get());
    }

    @Test
    void oneRefreshUnderConcurrencyAndNoWaitWhileTheTokenIsGood() throws Exception {
        Counting source = new Counting(Duration.ofMinutes(5));
        TokenSupplier tokens = TokenSupplier.builder(source).clock(clock).build();
        int threads = 32;
        // first token: everyone must wait for the one fetch
        source.gate = new CountDownLatch(1);
        List<String> got = race(threads, tokens::get, source.gate);
        assertEquals(1, source.fetches.get(), "single flight");
        assertTrue(got.stream().allMatch("t1"::equals));
        // refresh window: one caller refreshes (held at the gate), the others get t1 at once
        clock.advance(Duration.ofSeconds(280));
        CountDownLatch held = new CountDownLatch(1);
        source.gate = held;
        Thread refresher = new Thread(tokens::get);
        refresher.start();
        while (source.fetches.get() < 2) {
            Thread.onSpinWait();
        }
        List<String> meanwhile = race(threads, tokens::get, null);
        assertTrue(meanwhile.stream().allMatch("t1"::equals), "still-good token handed out without waiting");
        held.countDown();
        refresher.join();
        assertEquals(2, source.fetches.get());
        source.gate = null;
        assertEquals("t2", tokens.get());
    }

    @Test
    void neverHandsOutAnExpiredOrNearlyExpiredToken() {
        Counting source = new Counting(Duration.ofMinutes(5));
        TokenSupplier tokens = TokenSupplier.builder(source).clock(clock).build();
        tokens.get();
        source.fail = true;
        clock.advance(Duration.ofSeconds(290)); // 10 s left: refresh fails, token still good
        assertEquals("t1", tokens.get());
        clock.advance(Duration.ofSeconds(6)); // 4 s left: below minRemaining
        SignerException e = assertThrows(SignerException.class, tokens::get);
        assertFalse(e.getMessage().contains("t1"));
        source.fail = false;
        assertEquals("t4", tokens.get());
    }

    @Test
    void waitersShareAFailedRefreshInsteadOfEachTryingAgain() throws Exception {
        Counting source = new Counting(Duration.ofMinutes(5));
        source.fail = true;
        source.gate = new CountDownLatch(1);
        TokenSupplier tokens = TokenSupplier.builder(source).clock(clock).build();
        List<String> got = race(16, () -> {
            try {
                return tokens.get();
            } catch (SignerException e) {
                return "failed";
            }
        }, source.gate);
        assertTrue(got.stream().allMatch("failed"::equals));
        assertTrue(source.fetches.get() < 16, source.fetches.get() + " fetches for 16 waiters");
    }

    @Test
    void aSourceThatReturnsAStaleTokenFails() {
        TokenSupplier tokens = TokenSupplier.builder(() -> new TokenSupplier.Token("old", clock.instant().plusSeconds(3)))
                .clock(clock).build();
        assertThrows(SignerException.class, tokens::get);
        TokenSupplier none = TokenSupplier.builder(() -> null).clock(clock).build();
        assertThrows(SignerException.class, none::get);
    }

    @Property(tries = 200)
    void neverExpiredAtAnyTime(@ForAll @IntRange(min = 0, max = 2000) int step, @ForAll @IntRange(min = 6, max = 900) int life) {
        MutableClock c = MutableClock.monday10am();
        AtomicInteger n = new AtomicInteger();
        List<Instant> expiries = new ArrayList<>();
        TokenSupplier tokens = TokenSupplier.builder(() -> {
            Instant exp = c.instant().plusSeconds(life);
            expiries.add(exp);
            return new TokenSupplier.Token(Integer.toString(n.getAndIncrement()), exp);
        }).clock(c).build();
        for (int i = 0; i < 50; i++) {
            String t = tokens.get();
            Instant exp = expiries.get(Integer.parseInt(t));
            assertTrue(c.instant().plus(TokenSupplier.DEFAULT_MIN_REMAINING).isBefore(exp),
                    "handed out with " + Duration.between(c.instant(), exp) + " left");
            c.advance(Duration.ofMillis(step * 97L));
        }
    }

    @Test
    void signingMintsVerifiableTokensAndTheClientsCarryThem() throws Exception {
        JwtKey key = JwtKey.generate("k1", JwtAlgorithm.HS256, "billing", new SecureRandom());
        SignedJwts jwts = SignedJwts.builder(JwtKeySet.of(key)).audiences("orders").clock(clock).build();
        TokenSupplier tokens = TokenSupplier.signing(jwts,
                Grant.builder("orders", "billing").permissions("orders:read").ttl(Duration.ofMinutes(2)).build())
                .clock(clock).build();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        server.createContext("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            boolean ok = auth != null && auth.startsWith("Bearer ")
                    && jwts.verify(auth.substring(7), Requirement.of("orders", "orders:read"), AccessContext.of("x")).isOpen();
            seen.add(String.valueOf(ex.getRequestHeaders().get("Authorization").size()));
            byte[] body = (ok ? "ok" : "no").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(ok ? 200 : 401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            HttpClient http = tokens.wrap(HttpClient.newHttpClient());
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/orders/7");
            HttpRequest withStale = HttpRequest.newBuilder(uri).header("Authorization", "Bearer stale").build();
            assertEquals("ok", http.send(withStale, HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("ok", http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                    .get().body());
            assertEquals(Set.of("1"), seen, "exactly one Authorization header, the supplier's");
            assertFalse(tokens.toString().contains(tokens.get()));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> TokenSupplier.builder(null));
        assertThrows(IllegalArgumentException.class, () -> TokenSupplier.signing(null, null));
        TokenSupplier.Builder b = TokenSupplier.builder(() -> null);
        assertThrows(IllegalArgumentException.class, () -> b.refreshAhead(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.minRemaining(Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> b.clock(null));
        assertThrows(IllegalArgumentException.class, () -> new TokenSupplier.Token("", Instant.EPOCH));
        assertFalse(new TokenSupplier.Token("secret-value", Instant.EPOCH).toString().contains("secret-value"));
    }

    private static List<String> race(int threads, java.util.function.Supplier<String> call, CountDownLatch release)
            throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                started.countDown();
                out.add(call.get());
            });
            t.start();
            ts.add(t);
        }
        started.await();
        if (release != null) {
            Thread.sleep(200); // let the others reach the lock; correctness does not depend on it
            release.countDown();
        }
        for (Thread t : ts) {
            t.join();
        }
        return out;
    }
}
