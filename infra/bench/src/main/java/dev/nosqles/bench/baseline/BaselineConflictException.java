package dev.nosqles.bench.baseline;

import dev.nosqles.store.StreamId;

/** A baseline's conditional write failed: another writer got there first. */
public final class BaselineConflictException extends RuntimeException {
    private final transient StreamId streamId;
    private final long expectedVersion;

    public BaselineConflictException(StreamId streamId, long expectedVersion) {
        super(streamId + " is not at version " + expectedVersion);
        this.streamId = streamId;
        this.expectedVersion = expectedVersion;
    }

    public StreamId streamId() {
        return streamId;
    }

    public long expectedVersion() {
        return expectedVersion;
    }
}
