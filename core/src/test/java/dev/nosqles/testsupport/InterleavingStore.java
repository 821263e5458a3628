package dev.nosqles.testsupport;

import dev.nosqles.store.AppendResult;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An event store decorator that lets other writers in at an exact point: {@link #beforeNextAppend} runs once,
 * just before the next append reaches the store (after the writer read the stream and decided). It also counts
 * the reads that reach the store.
 */
public final class InterleavingStore implements EventStore {
    private final EventStore delegate;
    private final AtomicReference<Runnable> beforeNextAppend = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();

    public InterleavingStore(EventStore delegate) {
        this.delegate = delegate;
    }

    /** Runs {@code others} once, before the next append; appends they make themselves go straight through. */
    public void beforeNextAppend(Runnable others) {
        beforeNextAppend.set(others);
    }

    /** Reads (and message searches) that reached the store so far. */
    public int reads() {
        return reads.get();
    }

    @Override
    public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                               EventMetadata metadata) {
        Runnable others = beforeNextAppend.getAndSet(null);
        if (others != null) {
            others.run();
        }
        return delegate.append(streamId, expected, events, metadata);
    }

    @Override
    public StreamSlice read(StreamId streamId, ReadRequest request) {
        reads.incrementAndGet();
        return delegate.read(streamId, request);
    }

    @Override
    public Optional<MessageCommit> findMessageCommit(StreamId streamId, String messageId, long atOrBelowVersion,
                                                     Instant writtenSince) {
        reads.incrementAndGet();
        return delegate.findMessageCommit(streamId, messageId, atOrBelowVersion, writtenSince);
    }
}
