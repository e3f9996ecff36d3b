package dev.latch;

import dev.latch.testing.FailingStore;
import dev.latch.testing.MutableClock;
import dev.latch.testing.RecordingAuditSink;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The asynchronous API fails closed as the blocking one does. */
class AsyncTest {
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final FailingStore store = new FailingStore(Latches.inMemoryStore());
    private final Latches latches = Latches.builder()
            .pepper(Pepper.of("async-test-pepper-0123456789abcdefgh".getBytes(StandardCharsets.US_ASCII)))
            .clock(MutableClock.monday10am()).store(store).auditSink(audit).pollDueWork(Duration.ZERO).build();

    @Test
    void aFailingStoreFailsTheStageWithATypedExceptionAndAnAuditEvent() {
        IssuedCode code = latches.issueAsync(LatchPolicy.HIGH, "deploy", "alice").toCompletableFuture().join();
        store.fail = true;
        CompletionException e = assertThrows(CompletionException.class,
                () -> latches.openAsync("deploy", code.code(), AccessContext.of("alice")).toCompletableFuture().join());
        assertInstanceOf(LatchStoreException.class, e.getCause());
        e = assertThrows(CompletionException.class,
                () -> latches.issueAsync(LatchPolicy.HIGH, "deploy", "bob").toCompletableFuture().join());
        assertInstanceOf(LatchStoreException.class, e.getCause());
        assertEquals(2, audit.ofType(AuditEvent.Type.STORE_FAILURE).size());
        store.fail = false;
        assertEquals(true, latches.openAsync("deploy", code.code(), AccessContext.of("alice")).toCompletableFuture().join().isOpen(),
                "nothing opened while the store failed");
    }

    @Test
    void theIssueRateLimitFailsTheStage() {
        Latches limited = Latches.builder()
                .pepper(Pepper.of("async-test-pepper-0123456789abcdefgh".getBytes(StandardCharsets.US_ASCII)))
                .clock(MutableClock.monday10am()).auditSink(audit).pollDueWork(Duration.ZERO)
                .issueRateLimit(RateLimit.of(1, Duration.ofMinutes(1))).build();
        limited.issueAsync(LatchPolicy.HIGH, "a", "alice").toCompletableFuture().join();
        CompletionException e = assertThrows(CompletionException.class,
                () -> limited.issueAsync(LatchPolicy.HIGH, "b", "alice").toCompletableFuture().join());
        assertInstanceOf(IssueRateLimitedException.class, e.getCause());
    }
}
