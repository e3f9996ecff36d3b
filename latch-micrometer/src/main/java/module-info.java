/**
 * latch-micrometer: Micrometer meters for latch. Exports only {@code dev.latch.micrometer}.
 */
module dev.latch.micrometer {
    requires transitive dev.latch.core;
    requires transitive micrometer.core;

    exports dev.latch.micrometer;
}
