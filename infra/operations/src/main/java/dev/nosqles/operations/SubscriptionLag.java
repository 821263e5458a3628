package dev.nosqles.operations;

import java.time.Instant;

/**
 * How far one subscriber is behind the events table.
 *
 * @param subscriber the subscriber's name (its checkpoints' partition key)
 * @param eventsBehind events of its aggregate types written but not yet handled by it
 * @param streamsBehind streams holding at least one such event
 * @param oldestPendingAt when the oldest pending event was committed; null when nothing is pending
 * @param ageMillis now minus {@code oldestPendingAt} (0 when nothing is pending)
 * @param lastHandledAt the latest commit time among the events it has handled; null when it has handled none
 */
public record SubscriptionLag(String subscriber, long eventsBehind, long streamsBehind, Instant oldestPendingAt,
                              long ageMillis, Instant lastHandledAt) {
}
