package dev.latch.spi;


import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs a task at a time given by the injected {@link Clock}: reminders before a code expires and
 * escalations when a break-glass review is overdue. Tests supply a scheduler they drive with a
 * test clock; the default runs on a {@link ScheduledExecutorService}.
 *
 * <pre>{@code
 * ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
 * Latches latches = Latches.builder().pepper(pepper)
 *         .scheduler(Latches.scheduler(executor, Clock.systemUTC()))
 *         .build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe. The scheduler holds no state that matters: latches keeps
 * reminders and review escalations as work in the store ({@code Latches.runDueWork}), and the
 * scheduler only wakes this instance at their due times and for its polls, so a process that
 * stops loses nothing.
 */
public interface Scheduler {
    /**
     * @param at   when to run, by the scheduler's clock (a time in the past runs soon)
     * @param task what to run; it must not throw, and the scheduler logs it if it does
     * @return a handle to cancel the task
     */
    Scheduled schedule(Instant at, Runnable task);

    /** A scheduled task. */
    interface Scheduled {
        /**
         * @return true when the task was cancelled before it ran
         */
        boolean cancel();
    }
}
