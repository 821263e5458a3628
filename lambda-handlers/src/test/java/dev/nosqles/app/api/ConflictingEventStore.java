package dev.nosqles.app.api;

import dev.nosqles.store.AppendResult;
import dev.nosqles.store.ConcurrencyConflictException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import java.util.List;

/** Reads from the real store; every append loses a race to another writer. */
final class ConflictingEventStore implements EventStore {
    private final EventStore delegate;

    ConflictingEventStore(EventStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                               EventMetadata metadata) {
        long actual = delegate.read(streamId).streamVersion();
        throw new ConcurrencyConflictException(streamId, actual, actual + 1);
    }

    @Override
    public StreamSlice read(StreamId streamId, ReadRequest request) {
        return delegate.read(streamId, request);
    }
}
