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
}
