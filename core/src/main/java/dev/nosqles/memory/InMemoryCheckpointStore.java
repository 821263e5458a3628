package dev.nosqles.memory;

import dev.nosqles.subscription.CheckpointConflictException;
import dev.nosqles.subscription.CheckpointStore;
import dev.nosqles.store.StreamId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Checkpoints in memory: a test double for unit tests and fixtures (no required configuration). Handlers' own writes
 * are not supported here.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {
    private final Map<String, Long> positions = new ConcurrentHashMap<>();

    @Override
    public long position(String subscriber, StreamId streamId) {
        return positions.getOrDefault(subscriber + "|" + streamId.value(), 0L);
    }

    @Override
    public synchronized void advance(String subscriber, StreamId streamId, long from, long to,
                                     List<TransactWriteItem> writes) {
        if (!writes.isEmpty()) {
            throw new UnsupportedOperationException("writes with the checkpoint need DynamoDbCheckpointStore");
        }
        String key = subscriber + "|" + streamId.value();
        if (positions.getOrDefault(key, 0L) != from) {
            throw new CheckpointConflictException(subscriber, streamId, from);
        }
        positions.put(key, to);
    }
}
