package dev.nosqles.store;

import dev.nosqles.EventSourcingException;

/** The stream (aggregate) has no events. */
public final class StreamNotFoundException extends EventSourcingException {
    private final StreamId streamId;

    public StreamNotFoundException(StreamId streamId) {
        super(streamId + " does not exist");
        this.streamId = streamId;
    }

    public StreamId streamId() {
        return streamId;
    }
}
