package dev.nosqles.store;

import java.time.Instant;
import java.util.List;

/**
 * What an append wrote.
 *
 * @param streamId the stream
 * @param firstVersion version of the first event appended
 * @param lastVersion version of the last event appended: the stream's new version
 * @param timestamp the commit's timestamp
 * @param events the events as stored
 */
public record AppendResult(StreamId streamId, long firstVersion, long lastVersion, Instant timestamp,
                           List<RecordedEvent> events) {
    public AppendResult {
        events = List.copyOf(events);
    }

    /** The version to append after next, with no verification needed. */
    public ExpectedVersion nextExpectedVersion() {
        return ExpectedVersion.observedBoundary(lastVersion);
    }
}
