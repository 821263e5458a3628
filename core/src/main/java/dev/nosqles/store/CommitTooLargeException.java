package dev.nosqles.store;

import dev.nosqles.EventSourcingException;

/** The events of one append do not fit in one DynamoDB item (400 KB). Nothing was written. */
public final class CommitTooLargeException extends EventSourcingException {
    private final StreamId streamId;
    private final long itemBytes;
    private final long limitBytes;

    public CommitTooLargeException(StreamId streamId, long itemBytes, long limitBytes) {
        super(streamId + ": the commit needs " + itemBytes + " bytes, more than the item limit of " + limitBytes
                + " bytes; split the command's events or move large data out of the event");
        this.streamId = streamId;
        this.itemBytes = itemBytes;
        this.limitBytes = limitBytes;
    }

    public StreamId streamId() {
        return streamId;
    }

    public long itemBytes() {
        return itemBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
