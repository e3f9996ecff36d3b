package dev.latch;

import dev.latch.spi.LatchStore;
import dev.latch.spi.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Scheduled work driven from the store: reminders and review escalations are items in the store;
 * whichever instance claims a due item (with a lease) runs it and completes it. A local timer at
 * each item's due time makes an instance run its own items on time; on a shared store every
 * instance also polls, so an item scheduled by an instance that stopped (or before a restart)
 * still runs, once, and is marked late when it runs a minute or more after it fell due. A lease
 * that runs out (its instance crashed mid-run) lets another instance run the item again.
 * Thread-safe.
 */
final class DueWork {
    static final String REMINDER = "REMINDER";
    static final String GATE_REMINDER = "GATE_REMINDER";
    static final String ESCALATION = "ESCALATION";
    /** How long one claim holds an item. */
    static final Duration LEASE = Duration.ofMinutes(1);
    /** An item run this long after it fell due is late, and its audit event says by how much. */
    static final Duration LATE_AFTER = Duration.ofMinutes(1);
    private static final int BATCH = 100;
    private static final Logger LOG = LoggerFactory.getLogger(DueWork.class);

    private final Latches latches;
    private final Scheduler scheduler;
    private final Duration pollEvery;

    DueWork(Latches latches, Scheduler scheduler, Duration pollEvery) {
        this.latches = latches;
        this.scheduler = scheduler;
        this.pollEvery = pollEvery;
    }

    /** Starts polling when the store is shared and polling is on: the first poll runs at once. */
    void start() {
        if (!pollEvery.isZero() && latches.store().shared()) {
            poll(new WeakReference<>(this), scheduler, latches.clock().instant());
        }
    }

    /**
     * The poll holds its instance weakly, so latches that are no longer used can be collected (and
     * their poll stops).
     */
    private static void poll(WeakReference<DueWork> ref, Scheduler scheduler, Instant at) {
        scheduler.schedule(at, () -> {
            DueWork w = ref.get();
            if (w == null) {
                return;
            }
            try {
                w.runDue();
            } catch (RuntimeException e) {
                LOG.warn("polling latch due work failed: {}", e.getClass().getName()); // store failures are audited
            } finally {
                poll(ref, scheduler, w.latches.clock().instant().plus(w.pollEvery));
            }
        });
    }

    /** Stores an item and sets a local timer at its due time. */
    void add(LatchStore.Work work) {
        Instant now = latches.clock().instant();
        latches.call("schedule", null, null, null, () -> {
            latches.store().schedule(work, now);
            return null;
        });
        WeakReference<DueWork> ref = new WeakReference<>(this);
        scheduler.schedule(work.dueAt(), () -> {
            DueWork w = ref.get();
            if (w != null) {
                try {
                    w.runDue();
                } catch (RuntimeException e) {
                    LOG.warn("running latch due work failed: {}", e.getClass().getName());
                }
            }
        });
    }

    void cancel(String id) {
        Instant now = latches.clock().instant();
        latches.call("cancel", null, null, null, () -> latches.store().cancel(id, now));
    }

    /** Claims and runs every item due now; returns how many ran. */
    int runDue() {
        int ran = 0;
        while (true) {
            Instant now = latches.clock().instant();
            List<LatchStore.Claim> claims = latches.call("claimDue", null, null, null,
                    () -> latches.store().claimDue(now, LEASE, BATCH));
            for (LatchStore.Claim c : claims) {
                try {
                    if (run(c)) {
                        ran++;
                    }
                } catch (RuntimeException e) {
                    // not completed: the item runs again once its lease ends (store failures are audited)
                    LOG.warn("latch due work {} failed: {}", c.work().kind(), e.getClass().getName());
                }
            }
            if (claims.size() < BATCH) {
                return ran;
            }
        }
    }

    private boolean run(LatchStore.Claim claim) {
        LatchStore.Work w = claim.work();
        Instant now = latches.clock().instant();
        Duration behind = Duration.between(w.dueAt(), now);
        Duration late = behind.compareTo(LATE_AFTER) >= 0 ? behind : null;
        switch (w.kind()) {
            case REMINDER:
                latches.remindDue(w.payload(), late);
                break;
            case GATE_REMINDER:
                ApprovalGate.remindDue(latches, w.payload(), late);
                break;
            case ESCALATION:
                latches.reviews().check(w.payload(), late);
                break;
            case KeyRotation.WARNING:
                latches.keyRotation().warn(w.payload(), late);
                break;
            case KeyRotation.ROTATION:
                latches.keyRotation().rotate(w.payload(), late);
                break;
            default:
                // written by a later version of latch: leave it to an instance that knows the kind
                return false;
        }
        latches.call("complete", null, null, null, () -> latches.store().complete(w.id(), claim.token(), now));
        return true;
    }
}
