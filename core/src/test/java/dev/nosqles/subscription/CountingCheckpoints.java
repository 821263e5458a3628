package dev.nosqles.subscription;

import dev.nosqles.store.StreamId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** The DynamoDB checkpoint store, counting the reads and moves asked of it. */
final class CountingCheckpoints implements CheckpointStore {
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger advances = new AtomicInteger();
    private final CheckpointStore delegate;

    CountingCheckpoints(CheckpointStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public long position(String subscriber, StreamId streamId) {
        reads.incrementAndGet();
        return delegate.position(subscriber, streamId);
    }

    @Override
    public Map<StreamId, Long> positions(String subscriber, Collection<StreamId> streamIds) {
        reads.incrementAndGet();
        return delegate.positions(subscriber, streamIds);
    }

    @Override
    public void advance(String subscriber, StreamId streamId, long from, long to, List<TransactWriteItem> writes) {
        advances.incrementAndGet();
        delegate.advance(subscriber, streamId, from, to, writes);
    }
}
