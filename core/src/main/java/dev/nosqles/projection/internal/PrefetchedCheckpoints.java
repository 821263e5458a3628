package dev.nosqles.projection.internal;

import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.CheckpointStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The checkpoints of one subscriber for the aggregates of one rebuild page, read ahead with strongly consistent
 * BatchGetItems (100 keys each) instead of one GetItem per aggregate. Each prefetched position is handed out
 * once; later reads, and moves, go to the checkpoint store. A position that went stale meanwhile (the live stream
 * moved it) makes the conditional move fail with a conflict, and the page is retried with fresh reads.
 *
 * <p>Reads the items of {@link dev.nosqles.subscription.DynamoDbCheckpointStore} ({@code subscriber},
 * {@code streamId}, {@code version}).
 */
final class PrefetchedCheckpoints implements CheckpointStore {
    private final CheckpointStore delegate;
    private final Map<String, Long> prefetched = new ConcurrentHashMap<>();

    private PrefetchedCheckpoints(CheckpointStore delegate) {
        this.delegate = delegate;
    }

    static PrefetchedCheckpoints prefetch(DynamoDbClient client, String table, CheckpointStore delegate,
                                          String subscriber, Collection<String> streamIds) {
        PrefetchedCheckpoints store = new PrefetchedCheckpoints(delegate);
        List<String> ids = new ArrayList<>(streamIds);
        for (int from = 0; from < ids.size(); from += 100) {
            List<Map<String, AttributeValue>> keys = ids.subList(from, Math.min(ids.size(), from + 100)).stream()
                    .map(id -> Map.of("subscriber", AttributeValue.fromS(subscriber), "streamId",
                            AttributeValue.fromS(id)))
                    .toList();
            for (String id : ids.subList(from, Math.min(ids.size(), from + 100))) {
                store.prefetched.put(id, 0L);
            }
            Map<String, KeysAndAttributes> request = Map.of(table,
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            for (int attempt = 0; !request.isEmpty(); attempt++) {
                ReadModelRegistry.backOff(attempt);
                Map<String, KeysAndAttributes> pending = request;
                BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(pending));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                    AttributeValue version = item.get("version");
                    store.prefetched.put(item.get("streamId").s(), version == null ? 0 : Long.parseLong(version.n()));
                }
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return store;
    }

    @Override
    public long position(String subscriber, StreamId streamId) {
        Long known = prefetched.remove(streamId.value());
        return known != null ? known : delegate.position(subscriber, streamId);
    }

    @Override
    public void advance(String subscriber, StreamId streamId, long from, long to, List<TransactWriteItem> writes) {
        prefetched.remove(streamId.value());
        delegate.advance(subscriber, streamId, from, to, writes);
    }
}
