package dev.nosqles.store;

import dev.nosqles.EventSourcingException;

/**
 * An append that is malformed: no events, a duplicate event id, a type name or schema version out of range,
 * data that is not a JSON object. Nothing was written.
 */
public final class InvalidAppendException extends EventSourcingException {
    private final StreamId streamId;

    public InvalidAppendException(StreamId streamId, String reason) {
        super((streamId == null ? "" : streamId + ": ") + reason);
        this.streamId = streamId;
    }

    /** The stream, or {@code null} when the stream id itself was not yet known. */
    public StreamId streamId() {
        return streamId;
    }
}
