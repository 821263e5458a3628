package dev.nosqles.aggregate;

import dev.nosqles.EventSourcingException;
import dev.nosqles.store.StreamId;

/**
 * Stored JSON (an event's or a snapshot's) that cannot be read into its class. The message names the stream,
 * version, type and the JSON path that failed, never the data.
 */
public final class EventDecodingException extends EventSourcingException {
    private final StreamId streamId;
    private final long version;
    private final String type;
    private final String path;

    public EventDecodingException(StreamId streamId, long version, String type, String path, String problem) {
        super(streamId + " version " + version + ": cannot read " + type + (path.isEmpty() ? "" : " at " + path)
                + ": " + problem);
        this.streamId = streamId;
        this.version = version;
        this.type = type;
        this.path = path;
    }

    public StreamId streamId() {
        return streamId;
    }

    public long version() {
        return version;
    }

    public String type() {
        return type;
    }

    /** The JSON path that failed, e.g. {@code orderTotal}; empty when the text is not JSON at all. */
    public String path() {
        return path;
    }
}
