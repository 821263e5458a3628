package dev.nosqles.store;

import java.util.List;

/**
 * What a read returned.
 *
 * @param streamId the stream read
 * @param events the events, in version order
 * @param reachedEnd true when the read ended at the stream's current end (no version or instant limit cut it)
 * @param streamVersion when {@code reachedEnd}: the stream's version at the time of the read (0 if it has no events)
 */
public record StreamSlice(StreamId streamId, List<RecordedEvent> events, boolean reachedEnd, long streamVersion) {
    public StreamSlice {
        events = List.copyOf(events);
    }

    /** The version to append after, when this read reached the stream's end. */
    public ExpectedVersion expectedVersion() {
        if (!reachedEnd) {
            throw new IllegalStateException("a read limited by version or instant gives no version to append after");
        }
        return ExpectedVersion.observedBoundary(streamVersion);
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }
}
