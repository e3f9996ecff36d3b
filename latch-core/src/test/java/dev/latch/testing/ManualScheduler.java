package dev.latch.testing;

import dev.latch.spi.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Scheduler} driven by a test: tasks run only when {@link #advance} (or {@link #runDue})
 * is called, in time order, on the calling thread. Pair it with a {@link MutableClock}.
 *
 * <pre>{@code
 * MutableClock clock = MutableClock.monday10am();
 * ManualScheduler scheduler = new ManualScheduler(clock);
 * Latches latches = Latches.builder().clock(clock).scheduler(scheduler)...build();
 * scheduler.advance(Duration.ofMinutes(11));   // moves the clock and runs what came due
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
    private final MutableClock clock;
    private final List<Task> tasks = new ArrayList<>();

    private static final class Task {
        final Instant at;
        final Runnable run;
        boolean cancelled;

        Task(Instant at, Runnable run) {
            this.at = at;
            this.run = run;
        }
    }

    /**
     * @param clock the clock the tasks' times refer to
     */
    public ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Scheduled schedule(Instant at, Runnable task) {
        Task t = new Task(at, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualScheduler.this) {
                boolean was = !t.cancelled && tasks.contains(t);
                t.cancelled = true;
                tasks.remove(t);
                return was;
            }
        };
    }

    /** @return tasks waiting */
    public synchronized int pending() {
        return tasks.size();
    }

    /**
     * Moves the clock forward and runs every task that comes due on the way, each at its own time.
     *
     * @param d how far
     * @return tasks run
     */
    public int advance(Duration d) {
        Instant end = clock.instant().plus(d);
        int ran = 0;
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.at.isAfter(end)).min((a, b) -> a.at.compareTo(b.at)).orElse(null);
                if (next == null) {
                    break;
                }
                tasks.remove(next);
            }
            if (next.at.isAfter(clock.instant())) {
                clock.set(next.at);
            }
            next.run.run();
            ran++;
        }
        clock.set(end);
        return ran;
    }

    /** @return tasks run: those due at the clock's current time */
    public int runDue() {
        return advance(Duration.ZERO);
    }

    /** @return the clock */
    public Clock clock() {
        return clock;
    }
}
