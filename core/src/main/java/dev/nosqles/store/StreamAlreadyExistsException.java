package dev.nosqles.store;

import java.util.List;

/** A create found the stream already there. */
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
