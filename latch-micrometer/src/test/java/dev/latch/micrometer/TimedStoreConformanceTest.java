package dev.latch.micrometer;

import dev.latch.Latches;
import dev.latch.spi.LatchStore;
import dev.latch.testing.LatchStoreConformanceTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The timed wrapper passes every call through: the whole store contract holds through it. */
class TimedStoreConformanceTest extends LatchStoreConformanceTest {
    @Override
    protected LatchStore newStore() {
        return LatchMetrics.of(new SimpleMeterRegistry()).timed(Latches.inMemoryStore());
    }
}
