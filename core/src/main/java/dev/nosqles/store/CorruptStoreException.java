package dev.nosqles.store;

import dev.nosqles.EventSourcingException;

/** A stored item could not be read as a commit (a missing attribute, a gap in versions). */
public final class CorruptStoreException extends EventSourcingException {
    private final StreamId streamId;
    private final long version;

    public CorruptStoreException(StreamId streamId, long version, String problem) {
        super(streamId + " at version " + version + ": " + problem);
        this.streamId = streamId;
        this.version = version;
    }

    public StreamId streamId() {
        return streamId;
    }

    public long version() {
        return version;
    }
}
