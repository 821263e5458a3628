package dev.nosqles.bench.baseline;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.util.List;

/**
 * An alternative DynamoDB layout, implemented only to compare request units with the framework's store. Not a
 * product: no validation beyond what the comparison needs.
 */
public interface BaselineStore {

    /** A short name for tables and reports. */
    String name();

    /**
     * Appends {@code events} after {@code expectedVersion} (0: the stream must not exist), atomically.
     *
     * @throws BaselineConflictException the stream is not at {@code expectedVersion}
     */
    void append(StreamId streamId, long expectedVersion, List<NewEvent> events, EventMetadata metadata);

    /** The stream's events from {@code fromVersion} on, read consistently. */
    List<RecordedEvent> read(StreamId streamId, long fromVersion);
}
