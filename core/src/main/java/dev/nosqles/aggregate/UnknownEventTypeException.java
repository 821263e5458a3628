package dev.nosqles.aggregate;

import dev.nosqles.EventSourcingException;
import dev.nosqles.store.StreamId;

/**
 * A stored event whose type name and schema version (after upcasting) match no registered event type.
 * Register the type, or add the upcaster that brings this version to the current one.
 */
public final class UnknownEventTypeException extends EventSourcingException {
    private final StreamId streamId;
    private final long version;
    private final String type;
    private final int schemaVersion;

    public UnknownEventTypeException(StreamId streamId, long version, String type, int schemaVersion, String why) {
        super(streamId + " version " + version + ": event type " + type + " v" + schemaVersion + " " + why);
        this.streamId = streamId;
        this.version = version;
        this.type = type;
        this.schemaVersion = schemaVersion;
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

    public int schemaVersion() {
        return schemaVersion;
    }
}
