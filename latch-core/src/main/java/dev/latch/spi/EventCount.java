package dev.latch.spi;

/**
 * What {@link LatchStore#countEvent} decided for one event.
 *
 * <pre>{@code
 * EventCount c = store.countEvent("trigger:login:alice", 3, Duration.ofMinutes(10), Duration.ofMinutes(15), now);
 * if (c.fired()) { issueChallenge(); }
 * }</pre>
 *
 * @param inWindow    events of the key inside the window after this one, at most the threshold
 * @param fired       true when this event reached the threshold outside a cooldown: the caller acts
 * @param coolingDown true when the threshold was reached but a cooldown from an earlier firing runs
 *
 * <p>Thread-safe: immutable.
 */
public record EventCount(int inWindow, boolean fired, boolean coolingDown) {

    /**
     * Checks the arguments of {@link LatchStore#countEvent}; stores call it before their atomic step.
     *
     * @param key       the key
     * @param threshold 1 to {@value LatchStore#MAX_EVENT_THRESHOLD}
     * @param window    positive
     * @param cooldown  zero or positive
     * @throws IllegalArgumentException when one is out of range
     */
    public static void checkArguments(String key, int threshold, java.time.Duration window,
                                      java.time.Duration cooldown) {
        Names.required(key, "key");
        if (threshold < 1 || threshold > LatchStore.MAX_EVENT_THRESHOLD || window.isNegative() || window.isZero()
                || cooldown.isNegative()) {
            throw new IllegalArgumentException("threshold must be 1 to " + LatchStore.MAX_EVENT_THRESHOLD
                    + ", the window positive and the cooldown not negative");
        }
    }
}
