package dev.nosqles.store;

import dev.nosqles.EventSourcingException;

/**
 * The stream was not at the expected version: another writer got there first, or the expected version was
 * never a version the stream ended at. Nothing was written.
 */
public class ConcurrencyConflictException extends EventSourcingException {
    private final StreamId streamId;
    private final long expectedVersion;
    private final long actualVersion;
    private final int attempts;

    public ConcurrencyConflictException(StreamId streamId, long expectedVersion, long actualVersion) {
        this(streamId, expectedVersion, actualVersion, 1);
    }

    public ConcurrencyConflictException(StreamId streamId, long expectedVersion, long actualVersion, int attempts) {
        super(streamId + ": expected version " + expectedVersion + " but the stream is at version " + actualVersion
                + (attempts > 1 ? " after " + attempts + " attempts" : ""));
        this.streamId = streamId;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
        this.attempts = attempts;
    }

    public StreamId streamId() {
        return streamId;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    /**
     * The stream's version when the conflict was detected: exact when the expected version was wrong, at least
     * this when a concurrent writer won (the DynamoDB store reports the winning commit's last version, which it
     * gets back with the failed write, rather than paying another read). It may have moved on since.
     */
    public long actualVersion() {
        return actualVersion;
    }

    /** How many attempts were made (1 for a plain append; more when a repository retried). */
    public int attempts() {
        return attempts;
    }
}
