package dev.latch.internal;

import dev.latch.spi.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler} on a {@link ScheduledExecutorService}. Thread-safe. */
public final class ExecutorScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorScheduler.class);

    private final ScheduledExecutorService executor;
    private final Clock clock;

    /**
     * @param executor the executor
     * @param clock    the clock
     */
    public ExecutorScheduler(ScheduledExecutorService executor, Clock clock) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param clock the clock
     * @return a scheduler on one daemon thread of its own (ended after 30 idle seconds, started
     *         again by the next task), removing cancelled tasks at once
     */
    public static ExecutorScheduler daemon(Clock clock) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "latch-scheduler");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        // The thread ends once no task is queued (latches that are no longer used stop polling),
        // and a new one starts with the next task.
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        return new ExecutorScheduler(executor, clock);
    }

    @Override
    public Scheduled schedule(Instant at, Runnable task) {
        Objects.requireNonNull(task, "task");
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        ScheduledFuture<?> f = executor.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("scheduled latch task failed: {}", e.getClass().getName());
            }
        }, delay, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public String toString() {
        return "ExecutorScheduler[" + clock + "]";
    }
}
