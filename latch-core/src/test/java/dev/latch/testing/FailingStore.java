package dev.latch.testing;

import dev.latch.Latches;
import dev.latch.RateLimit;
import dev.latch.spi.LatchStore.CodeRecord;
import dev.latch.spi.LatchStore.CounterRequest;
import dev.latch.spi.LatchStore.CounterResult;
import dev.latch.spi.LatchStore.IssueResult;
import dev.latch.spi.LatchStore.KeyRecord;
import dev.latch.spi.LatchStore.KeyResult;
import dev.latch.spi.LatchStore;
import dev.latch.spi.LatchStore.OpenRequest;
import dev.latch.spi.LatchStore.OpenResult;
import dev.latch.spi.LatchStore.RenewResult;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A store that delegates to another and, while {@link #fail} is set (or always, when built with
 * {@link #broken()}), throws as a store that is down would. For failure tests of stores' users.
 */
public final class FailingStore implements LatchStore {
    private final LatchStore delegate;
    /** While true, every call throws. */
    public volatile boolean fail;
    /** While true, marker calls throw (the rest works). */
    public volatile boolean failMarkers;

    /**
     * @param delegate the store to use while not failing
     */
    public FailingStore(LatchStore delegate) {
        this.delegate = delegate;
    }

    /** @return a store that always fails */
    public static FailingStore broken() {
        FailingStore s = new FailingStore(Latches.inMemoryStore(1));
        s.fail = true;
        return s;
    }

    private void checkMarkers() {
        if (failMarkers) {
            throw new IllegalStateException("connection refused");
        }
    }

    private void check() {
        if (fail) {
            throw new IllegalStateException("connection refused");
        }
    }

    @Override
    public IssueResult issue(CodeRecord code, RateLimit limit, Instant now) {
        check();
        return delegate.issue(code, limit, now);
    }

    @Override
    public OpenResult open(OpenRequest request) {
        check();
        return delegate.open(request);
    }

    @Override
    public Optional<CodeRecord> find(String codeId) {
        check();
        return delegate.find(codeId);
    }

    @Override
    public boolean revoke(String codeId, Instant now) {
        check();
        return delegate.revoke(codeId, now);
    }

    @Override
    public int revokeLatch(String latchId, Instant now) {
        check();
        return delegate.revokeLatch(latchId, now);
    }

    @Override
    public int revokeSubject(String subject, Instant now) {
        check();
        return delegate.revokeSubject(subject, now);
    }

    @Override
    public RenewResult renew(String codeId, Instant newExpiry, Instant now) {
        check();
        return delegate.renew(codeId, newExpiry, now);
    }

    @Override
    public void putKey(KeyRecord key) {
        check();
        delegate.putKey(key);
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        check();
        return delegate.findKey(keyId);
    }

    @Override
    public KeyResult useKey(String keyId, byte[] digest, Instant now, String source) {
        check();
        return delegate.useKey(keyId, digest, now, source);
    }

    @Override
    public Optional<KeyRecord> retireKey(String keyId, Instant validUntil, String successorId, Instant now) {
        check();
        return delegate.retireKey(keyId, validUntil, successorId, now);
    }

    @Override
    public boolean revokeKey(String keyId, Instant now) {
        check();
        return delegate.revokeKey(keyId, now);
    }

    @Override
    public CounterResult acceptCounter(CounterRequest request) {
        check();
        return delegate.acceptCounter(request);
    }

    @Override
    public OptionalLong nextCounter(String latchId, String subject) {
        check();
        return delegate.nextCounter(latchId, subject);
    }

    @Override
    public boolean putOnce(String key, Instant expiresAt, Instant now) {
        check();
        return delegate.putOnce(key, expiresAt, now);
    }

    @Override
    public void putMarker(String key, String value, Instant expiresAt, Instant now) {
        check();
        checkMarkers();
        delegate.putMarker(key, value, expiresAt, now);
    }

    @Override
    public Optional<String> getMarker(String key, Instant now) {
        check();
        checkMarkers();
        return delegate.getMarker(key, now);
    }

    @Override
    public dev.latch.spi.LatchStore.EventCount countEvent(String key, int threshold, java.time.Duration window,
                                               java.time.Duration cooldown, Instant now) {
        check();
        return delegate.countEvent(key, threshold, window, cooldown, now);
    }

    @Override
    public Optional<Versioned> getRecord(String key, Instant now) {
        check();
        return delegate.getRecord(key, now);
    }

    @Override
    public boolean compareAndSet(String key, long expectedVersion, String value, Instant expiresAt, Instant now) {
        check();
        return delegate.compareAndSet(key, expectedVersion, value, expiresAt, now);
    }

    @Override
    public void schedule(Work work, Instant now) {
        check();
        delegate.schedule(work, now);
    }

    @Override
    public java.util.List<Claim> claimDue(Instant now, java.time.Duration lease, int max) {
        check();
        return delegate.claimDue(now, lease, max);
    }

    @Override
    public boolean complete(String id, long token, Instant now) {
        check();
        return delegate.complete(id, token, now);
    }

    @Override
    public boolean cancel(String id, Instant now) {
        check();
        return delegate.cancel(id, now);
    }

    @Override
    public boolean shared() {
        return delegate.shared();
    }

    @Override
    public boolean rehashKey(String keyId, byte[] oldDigest, byte[] newDigest, String pepperId, Instant now) {
        check();
        return delegate.rehashKey(keyId, oldDigest, newDigest, pepperId, now);
    }
}
