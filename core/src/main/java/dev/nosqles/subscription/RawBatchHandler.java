package dev.nosqles.subscription;

import dev.nosqles.store.RecordedEvent;
import java.util.List;
import java.util.Map;

/**
 * Handles stored events of several aggregates in one call, for an effect that a service takes in batches (SNS
 * {@code PublishBatch}, SQS {@code SendMessageBatch}): one request for the events of many aggregates instead of one
 * per event (ADR 0022). Bound with {@link Subscriber.Builder#onRawBatch}.
 *
 * <p>The dispatcher hands over a batch's events in <em>rounds</em>: a round holds at most one event per aggregate,
 * the next one that aggregate has for this subscriber, so that an aggregate's events still take effect in version
 * order. An event of a round takes effect only after every event of the same aggregate before it did; an aggregate
 * whose event failed gets no more events in this batch. The checkpoint of each aggregate then moves once, to its
 * last event that took effect (the subscriber keeps checkpoints unless built {@link
 * Subscriber.Builder#withoutCheckpoints() without}).
 */
@FunctionalInterface
public interface RawBatchHandler {
    /**
     * Handles one round: events of different aggregates, as stored (not decoded).
     *
     * @return the events that did not take effect, by their index in {@code events}, with the cause; every other
     *         event took effect. Throwing fails every event of the round with the exception. So does a result the
     *         dispatcher cannot trust, null or an index outside the round: those events are handed over again, never
     *         taken as done. An index mapped to a null cause fails its event.
     */
    Map<Integer, Exception> handle(List<RecordedEvent> events) throws Exception;

    /**
     * Whether this handler has anything to do with {@code event}. An event it does not take passes by, as handled,
     * without a round of its own (a pseudo event a publisher never publishes). Every event, by default.
     */
    default boolean takes(RecordedEvent event) {
        return true;
    }
}
