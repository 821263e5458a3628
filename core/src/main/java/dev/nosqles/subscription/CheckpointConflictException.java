package dev.nosqles.subscription;

import dev.nosqles.EventSourcingException;
import dev.nosqles.store.StreamId;

/** A subscriber's checkpoint had moved: two consumers handled the same aggregate at once. */
public final class CheckpointConflictException extends EventSourcingException {
    private final String subscriber;
    private final StreamId streamId;
    private final long expectedVersion;

    public CheckpointConflictException(String subscriber, StreamId streamId, long expectedVersion) {
        super("checkpoint of " + subscriber + " for " + streamId + " is no longer at version " + expectedVersion);
        this.subscriber = subscriber;
        this.streamId = streamId;
        this.expectedVersion = expectedVersion;
    }

    public String subscriber() {
        return subscriber;
    }

    public StreamId streamId() {
        return streamId;
    }

    public long expectedVersion() {
        return expectedVersion;
    }
}
