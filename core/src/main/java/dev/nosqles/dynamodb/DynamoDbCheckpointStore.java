package dev.nosqles.dynamodb;

import dev.nosqles.subscription.CheckpointConflictException;
import dev.nosqles.subscription.CheckpointStore;
import dev.nosqles.dynamodb.internal.CheckpointItems;
import dev.nosqles.store.StreamId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Checkpoints in a DynamoDB table: partition key {@code subscriber} (S), sort key {@code streamId} (S),
 * attributes {@code version} (N) and {@code writeToken} (S, the id of the call that wrote it); the layout is
 * {@link CheckpointItems}'. A move is a
 * conditional PutItem, or a TransactWriteItems when the handler added writes of its own.
 */
public final class DynamoDbCheckpointStore implements CheckpointStore {
    private static final String VERSION = CheckpointItems.VERSION;

    private static final int BATCH_GET_LIMIT = 100;

    private final DynamoDbClient client;
    private final String tableName;

    private DynamoDbCheckpointStore(DynamoDbClient client, String tableName) {
        this.client = client;
        this.tableName = tableName;
    }

    /** A builder; {@link Builder#client} and {@link Builder#tableName} (the checkpoints table) are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configuration of a {@link DynamoDbCheckpointStore}; validation in {@link #build()}. */
    public static final class Builder extends TableAdapterBuilder<Builder, DynamoDbCheckpointStore> {
        private Builder() {
            super(DynamoDbCheckpointStore::new);
        }
    }

    /** Creates the table (for tests and local runs; template.yaml declares it in AWS). */
    public static void createTable(DynamoDbClient client, String tableName) {
        EventTables.createCheckpointsTable(client, tableName);
    }

    @Override
    public long position(String subscriber, StreamId streamId) {
        GetItemResponse response = client.getItem(b -> b.tableName(tableName).consistentRead(true).key(key(subscriber,
                streamId)));
        return response.hasItem() && response.item().containsKey(VERSION)
                ? Long.parseLong(response.item().get(VERSION).n()) : 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>BatchGetItem, strongly consistent, 100 keys a request; keys DynamoDB leaves unprocessed are asked again
     * (with a short back-off).
     */
    @Override
    public Map<StreamId, Long> positions(String subscriber, Collection<StreamId> streamIds) {
        Map<String, StreamId> byValue = new LinkedHashMap<>();
        for (StreamId id : streamIds) {
            byValue.put(id.value(), id);
        }
        Map<StreamId, Long> positions = new HashMap<>();
        for (StreamId id : byValue.values()) {
            positions.put(id, 0L);
        }
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (StreamId id : byValue.values()) {
            keys.add(key(subscriber, id));
        }
        for (int from = 0; from < keys.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> chunk = keys.subList(from, Math.min(keys.size(), from + BATCH_GET_LIMIT));
            Map<String, KeysAndAttributes> request = Map.of(tableName,
                    KeysAndAttributes.builder().keys(chunk).consistentRead(true).build());
            for (int attempt = 0; !request.isEmpty(); attempt++) {
                Map<String, KeysAndAttributes> ask = request;
                BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(ask));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(tableName, List.of())) {
                    StreamId id = byValue.get(item.get("streamId").s());
                    if (id != null && item.containsKey(VERSION)) {
                        positions.put(id, Long.parseLong(item.get(VERSION).n()));
                    }
                }
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
                if (!request.isEmpty()) {
                    backOff(attempt);
                }
            }
        }
        return positions;
    }

    /**
     * Every checkpoint of {@code subscriber}: stream id to the last version it handled (a paginated, strongly
     * consistent Query of its partition), for operations tools such as a subscription's lag. Stops after the page
     * on which more than {@code limit} items were read, so a result holding more than {@code limit} entries means
     * there are more than the caller asked to read. Items whose stream id is not a stream's are skipped.
     *
     * @param limit the most checkpoints the caller means to read, at least 1
     */
    public Map<StreamId, Long> allPositions(String subscriber, long limit) {
        java.util.Objects.requireNonNull(subscriber, "subscriber");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        Map<StreamId, Long> positions = new LinkedHashMap<>();
        Map<String, AttributeValue> start = null;
        long read = 0;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = client.query(b -> b.tableName(tableName).consistentRead(true)
                    .keyConditionExpression("#p = :p")
                    .projectionExpression("#s, #v")
                    .expressionAttributeNames(Map.of("#p", CheckpointItems.SUBSCRIBER,
                            "#s", CheckpointItems.STREAM_ID, "#v", VERSION))
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(subscriber)))
                    .exclusiveStartKey(from));
            read += page.count();
            for (Map<String, AttributeValue> item : page.items()) {
                AttributeValue id = item.get(CheckpointItems.STREAM_ID);
                AttributeValue v = item.get(VERSION);
                if (id == null || id.s() == null || v == null || v.n() == null) {
                    continue;
                }
                try {
                    positions.put(StreamId.parse(id.s()), Long.parseLong(v.n()));
                } catch (RuntimeException notAStream) {
                    // not a stream's checkpoint
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && read <= limit);
        return positions;
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(Math.min(1_000L, 20L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading checkpoints", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each call writes a fresh write token into the checkpoint item and asks DynamoDB for the item as it was
     * when a condition fails ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}). When the SDK retries a write
     * that had landed but whose response was lost (a 5xx, a reset connection), the retry fails its condition
     * against our own write: the item returned carries our token and the target version, so the move succeeded
     * (and, in a transaction, the handler's writes with it, exactly once). The transaction also carries the token
     * as {@code ClientRequestToken}, which DynamoDB honours for 10 minutes; correctness does not depend on it.
     */
    @Override
    public void advance(String subscriber, StreamId streamId, long from, long to, List<TransactWriteItem> writes) {
        String token = UUID.randomUUID().toString();
        Map<String, AttributeValue> item = CheckpointItems.item(subscriber, streamId, to, token);
        String condition = CheckpointItems.condition(from);
        Map<String, String> names = CheckpointItems.names();
        Map<String, AttributeValue> values = CheckpointItems.values(from);
        if (writes.isEmpty()) {
            try {
                client.putItem(b -> b.tableName(tableName).item(item).conditionExpression(condition)
                        .expressionAttributeNames(names).expressionAttributeValues(values)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            } catch (ConditionalCheckFailedException e) {
                if (!isOwnWrite(e.item(), token, to)) {
                    throw new CheckpointConflictException(subscriber, streamId, from);
                }
            }
            return;
        }
        List<TransactWriteItem> all = new ArrayList<>(writes.size() + 1);
        all.add(CheckpointItems.movePut(tableName, subscriber, streamId, from, to, token));
        all.addAll(writes);
        try {
            client.transactWriteItems(b -> b.transactItems(all).clientRequestToken(token));
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                if (isOwnWrite(reasons.get(0).item(), token, to)) {
                    return; // our transaction landed before; this was the SDK's retry of it
                }
                throw new CheckpointConflictException(subscriber, streamId, from);
            }
            throw e;
        }
    }

    /** True when the checkpoint item as it is now is the one this very call wrote. */
    private static boolean isOwnWrite(Map<String, AttributeValue> current, String token, long to) {
        return CheckpointItems.isOwnWrite(current, token, to);
    }

    private static Map<String, AttributeValue> key(String subscriber, StreamId streamId) {
        return CheckpointItems.key(subscriber, streamId);
    }
}
