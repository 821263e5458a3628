package dev.nosqles.aggregate;

import dev.nosqles.store.StreamId;

/**
 * An aggregate's state at a version.
 *
 * @param streamId the aggregate's stream
 * @param state the state
 * @param version the version of the last event applied
 */
public record AggregateState<S>(StreamId streamId, S state, long version) {
    public String id() {
        return streamId.id();
    }
}
