package dev.latch.micrometer;

import dev.latch.RateLimit;
import dev.latch.spi.LatchStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A store whose every call is timed under {@link LatchMetrics#STORE}; see
 * {@link LatchMetrics#timed(LatchStore)}. Results and exceptions are the delegate's.
 * Thread-safe when the delegate is.
 */
final class TimedLatchStore implements LatchStore {
    private static final int N = 25;
    private static final String[] OPERATIONS = {"issue", "open", "find", "revoke", "revokeLatch", "revokeSubject", "renew", "putKey", "findKey", "useKey", "retireKey", "revokeKey", "rehashKey", "acceptCounter", "nextCounter", "putOnce", "putMarker", "getMarker", "countEvent", "getRecord", "compareAndSet", "schedule", "claimDue", "complete", "cancel"};

    private final LatchStore delegate;
    private final Timer[] ok = new Timer[N];
    private final Timer[] error = new Timer[N];

    TimedLatchStore(LatchStore delegate, MeterRegistry registry) {
        this.delegate = delegate;
        for (int i = 0; i < N; i++) {
            ok[i] = timer(registry, OPERATIONS[i], "ok");
            error[i] = timer(registry, OPERATIONS[i], "error");
        }
    }

    private static Timer timer(MeterRegistry registry, String operation, String outcome) {
        return Timer.builder(LatchMetrics.STORE).description("latch store calls")
                .tags("operation", operation, "outcome", outcome).register(registry);
    }

    private void done(int op, long start, boolean success) {
        (success ? ok : error)[op].record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean shared() {
        return delegate.shared();
    }

    @Override
    public IssueResult issue(CodeRecord code, RateLimit limit, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            IssueResult result = delegate.issue(code, limit, now);
            success = true;
            return result;
        } finally {
            done(0, start, success);
        }
    }

    @Override
    public OpenResult open(OpenRequest request) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            OpenResult result = delegate.open(request);
            success = true;
            return result;
        } finally {
            done(1, start, success);
        }
    }

    @Override
    public Optional<CodeRecord> find(String codeId) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            Optional<CodeRecord> result = delegate.find(codeId);
            success = true;
            return result;
        } finally {
            done(2, start, success);
        }
    }

    @Override
    public boolean revoke(String codeId, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            boolean result = delegate.revoke(codeId, now);
            success = true;
            return result;
        } finally {
            done(3, start, success);
        }
    }

    @Override
    public int revokeLatch(String latchId, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            int result = delegate.revokeLatch(latchId, now);
            success = true;
            return result;
        } finally {
            done(4, start, success);
        }
    }

    @Override
    public int revokeSubject(String subject, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            int result = delegate.revokeSubject(subject, now);
            success = true;
            return result;
        } finally {
            done(5, start, success);
        }
    }

    @Override
    public RenewResult renew(String codeId, Instant newExpiry, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            RenewResult result = delegate.renew(codeId, newExpiry, now);
            success = true;
            return result;
        } finally {
            done(6, start, success);
        }
    }

    @Override
    public void putKey(KeyRecord key) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            delegate.putKey(key);
            success = true;
        } finally {
            done(7, start, success);
        }
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            Optional<KeyRecord> result = delegate.findKey(keyId);
            success = true;
            return result;
        } finally {
            done(8, start, success);
        }
    }

    @Override
    public KeyResult useKey(String keyId, byte[] digest, Instant now, String source) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            KeyResult result = delegate.useKey(keyId, digest, now, source);
            success = true;
            return result;
        } finally {
            done(9, start, success);
        }
    }

    @Override
    public Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            Optional<KeyRecord> result = delegate.retireKey(keyId, validUntil, successorId, now);
            success = true;
            return result;
        } finally {
            done(10, start, success);
        }
    }

    @Override
    public boolean revokeKey(String keyId, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            boolean result = delegate.revokeKey(keyId, now);
            success = true;
            return result;
        } finally {
            done(11, start, success);
        }
    }

    @Override
    public boolean rehashKey(String keyId, byte[] oldDigest, byte[] newDigest, String pepperId, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            boolean result = delegate.rehashKey(keyId, oldDigest, newDigest, pepperId, now);
            success = true;
            return result;
        } finally {
            done(12, start, success);
        }
    }

    @Override
    public CounterResult acceptCounter(CounterRequest request) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            CounterResult result = delegate.acceptCounter(request);
            success = true;
            return result;
        } finally {
            done(13, start, success);
        }
    }

    @Override
    public OptionalLong nextCounter(String latchId, String subject) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            OptionalLong result = delegate.nextCounter(latchId, subject);
            success = true;
            return result;
        } finally {
            done(14, start, success);
        }
    }

    @Override
    public boolean putOnce(String key, Instant expiresAt, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            boolean result = delegate.putOnce(key, expiresAt, now);
            success = true;
            return result;
        } finally {
            done(15, start, success);
        }
    }

    @Override
    public void putMarker(String key, String value, Instant expiresAt, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            delegate.putMarker(key, value, expiresAt, now);
            success = true;
        } finally {
            done(16, start, success);
        }
    }

    @Override
    public Optional<String> getMarker(String key, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            Optional<String> result = delegate.getMarker(key, now);
            success = true;
            return result;
        } finally {
            done(17, start, success);
        }
    }

    @Override
    public EventCount countEvent(String key, int threshold, Duration window, Duration cooldown, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            EventCount result = delegate.countEvent(key, threshold, window, cooldown, now);
            success = true;
            return result;
        } finally {
            done(18, start, success);
        }
    }

    @Override
    public Optional<Versioned> getRecord(String key, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            Optional<Versioned> result = delegate.getRecord(key, now);
            success = true;
            return result;
        } finally {
            done(19, start, success);
        }
    }

    @Override
    public boolean compareAndSet(String key, long expectedVersion, String value, Instant expiresAt, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            boolean result = delegate.compareAndSet(key, expectedVersion, value, expiresAt, now);
            success = true;
            return result;
        } finally {
            done(20, start, success);
        }
    }

    @Override
    public void schedule(Work work, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            delegate.schedule(work, now);
            success = true;
        } finally {
            done(21, start, success);
        }
    }

    @Override
    public List<Claim> claimDue(Instant now, Duration lease, int max) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            List<Claim> result = delegate.claimDue(now, lease, max);
            success = true;
            return result;
        } finally {
            done(22, start, success);
        }
    }

    @Override
    public boolean complete(String id, long token, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            boolean result = delegate.complete(id, token, now);
            success = true;
            return result;
        } finally {
            done(23, start, success);
        }
    }

    @Override
    public boolean cancel(String id, Instant now) {
        long start = System.nanoTime();
        boolean success = false;
        try {
            boolean result = delegate.cancel(id, now);
            success = true;
            return result;
        } finally {
            done(24, start, success);
        }
    }

    @Override
    public String toString() {
        return "Timed[" + delegate + "]";
    }
}
