package dev.nosqles.store;

/** A create found the stream already there. */
public final class StreamAlreadyExistsException extends ConcurrencyConflictException {
    public StreamAlreadyExistsException(StreamId streamId, long actualVersion) {
        super(streamId, 0, actualVersion);
    }
}
