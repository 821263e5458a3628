package dev.nosqles.store;

import java.util.List;

/**
 * What a read returned.
 *
 * @param streamId the stream read
 * @param events the events, in version order
 * @param reachedEnd true when the read ended at the stream's current end (no version or instant limit cut it)
 * @param streamVersion when {@code reachedEnd}: the stream's version at the time of the read (0 if it has no events)
 * @param expectedVersion when {@code reachedEnd}: the version to append after, {@code streamVersion}; a store hands
 *        out one it verified from what it read. Null when the read did not reach the end.
 */
public record StreamSlice(StreamId streamId, List<RecordedEvent> events, boolean reachedEnd, long streamVersion,
                          ExpectedVersion expectedVersion) {
    public StreamSlice {
        events = List.copyOf(events);
        if (reachedEnd && (expectedVersion == null || expectedVersion.version() != streamVersion)) {
            throw new IllegalArgumentException("a read that reached the end appends after its stream version");
        }
        if (!reachedEnd) {
            expectedVersion = null;
        }
    }

    /**
     * A slice made outside a store (a test double): its expected version is {@link ExpectedVersion#exactly} the
     * stream version, which the store verifies before it appends after it.
     */
    public StreamSlice(StreamId streamId, List<RecordedEvent> events, boolean reachedEnd, long streamVersion) {
        this(streamId, events, reachedEnd, streamVersion, reachedEnd ? ExpectedVersion.exactly(streamVersion) : null);
    }

    /** The version to append after, when this read reached the stream's end. */
    @Override
    public ExpectedVersion expectedVersion() {
        if (!reachedEnd) {
            throw new IllegalStateException("a read limited by version or instant gives no version to append after");
        }
        return expectedVersion;
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }
}
