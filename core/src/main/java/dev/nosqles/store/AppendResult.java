package dev.nosqles.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What an append wrote.
 *
 * @param streamId the stream
 * @param firstVersion version of the first event appended
 * @param lastVersion version of the last event appended: the stream's new version
 * @param timestamp the commit's timestamp
 * @param events the events as stored
 * @param nextExpectedVersion the version to append after next, {@code lastVersion}; a store hands out one it
 *        verified (it wrote the commit ending there), so appending after it needs no check
 */
public record AppendResult(StreamId streamId, long firstVersion, long lastVersion, Instant timestamp,
                           List<RecordedEvent> events, ExpectedVersion nextExpectedVersion) {
    public AppendResult {
        events = List.copyOf(events);
        Objects.requireNonNull(nextExpectedVersion, "nextExpectedVersion");
        if (nextExpectedVersion.version() != lastVersion) {
            throw new IllegalArgumentException("the next expected version is the last version appended");
        }
    }

    /**
     * A result made outside a store (a test double): its next expected version is {@link ExpectedVersion#exactly}
     * {@code lastVersion}, which the store verifies before it appends after it.
     */
    public AppendResult(StreamId streamId, long firstVersion, long lastVersion, Instant timestamp,
                        List<RecordedEvent> events) {
        this(streamId, firstVersion, lastVersion, timestamp, events, ExpectedVersion.exactly(lastVersion));
    }
}
