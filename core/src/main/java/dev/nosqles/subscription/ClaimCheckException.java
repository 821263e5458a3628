package dev.nosqles.subscription;

import dev.nosqles.EventSourcingException;
import dev.nosqles.store.StreamId;
import java.util.UUID;

/** A claim check could not be resolved: it is malformed, or the event store holds no such event. */
public final class ClaimCheckException extends EventSourcingException {
    private final StreamId streamId;
    private final long version;
    private final UUID eventId;

    public ClaimCheckException(StreamId streamId, long version, UUID eventId, String reason) {
        super("claim check " + (streamId == null ? "" : streamId + " version " + version + " event " + eventId + ": ")
                + reason);
        this.streamId = streamId;
        this.version = version;
        this.eventId = eventId;
    }

    /** The stream named, or null when the envelope was malformed. */
    public StreamId streamId() {
        return streamId;
    }

    public long version() {
        return version;
    }

    /** The event id named, or null when the envelope was malformed. */
    public UUID eventId() {
        return eventId;
    }
}
