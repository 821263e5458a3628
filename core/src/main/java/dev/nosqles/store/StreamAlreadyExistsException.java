package dev.nosqles.store;

import java.util.List;

/**
 * A create found the stream already there. Nothing was written. When the store knows it, the stream's first
 * commit comes with it ({@link #competingCommit()}, returned with the failed write, no read): who created the
 * stream, with which message id, is in its events' metadata.
 */
public final class StreamAlreadyExistsException extends ConcurrencyConflictException {
    public StreamAlreadyExistsException(StreamId streamId, long actualVersion) {
        super(streamId, 0, actualVersion);
    }

    /** A create that found the stream's first commit ({@link #competingCommit()}) where it wanted to write. */
    public StreamAlreadyExistsException(StreamId streamId, long actualVersion, List<RecordedEvent> firstCommit,
                                        ExpectedVersion afterFirstCommit) {
        super(streamId, 0, actualVersion, firstCommit, afterFirstCommit);
    }
}
