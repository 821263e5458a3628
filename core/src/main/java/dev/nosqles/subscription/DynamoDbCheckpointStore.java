package dev.nosqles.subscription;

import dev.nosqles.store.StreamId;
import dev.nosqles.store.dynamodb.EventTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Checkpoints in a DynamoDB table: partition key {@code subscriber} (S), sort key {@code streamId} (S),
 * attribute {@code version} (N). A move is a conditional PutItem, or a TransactWriteItems when the handler added
 * writes of its own.
 */
public final class DynamoDbCheckpointStore implements CheckpointStore {
    private final DynamoDbClient client;
    private final String tableName;

    public DynamoDbCheckpointStore(DynamoDbClient client, String tableName) {
        this.client = client;
        this.tableName = tableName;
    }

    /** Creates the table (for tests and local runs; template.yaml declares it in AWS). */
    public static void createTable(DynamoDbClient client, String tableName) {
        EventTables.createCheckpointsTable(client, tableName);
    }

    @Override
    public long position(String subscriber, StreamId streamId) {
        GetItemResponse response = client.getItem(b -> b.tableName(tableName).consistentRead(true).key(key(subscriber,
                streamId)));
        return response.hasItem() && response.item().containsKey("version")
                ? Long.parseLong(response.item().get("version").n()) : 0;
    }

    @Override
    public void advance(String subscriber, StreamId streamId, long from, long to, List<TransactWriteItem> writes) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(subscriber, streamId));
        item.put("version", AttributeValue.fromN(Long.toString(to)));
        String condition = from == 0 ? "attribute_not_exists(#v) OR #v = :from" : "#v = :from";
        Map<String, String> names = Map.of("#v", "version");
        Map<String, AttributeValue> values = Map.of(":from", AttributeValue.fromN(Long.toString(from)));
        if (writes.isEmpty()) {
            try {
                client.putItem(b -> b.tableName(tableName).item(item).conditionExpression(condition)
                        .expressionAttributeNames(names).expressionAttributeValues(values));
            } catch (ConditionalCheckFailedException e) {
                throw new CheckpointConflictException(subscriber, streamId, from);
            }
            return;
        }
        List<TransactWriteItem> all = new ArrayList<>(writes.size() + 1);
        all.add(TransactWriteItem.builder().put(Put.builder().tableName(tableName).item(item)
                .conditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
                .build()).build());
        all.addAll(writes);
        try {
            client.transactWriteItems(b -> b.transactItems(all));
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                throw new CheckpointConflictException(subscriber, streamId, from);
            }
            throw e;
        }
    }

    private static Map<String, AttributeValue> key(String subscriber, StreamId streamId) {
        return Map.of("subscriber", AttributeValue.fromS(subscriber), "streamId", AttributeValue.fromS(streamId.value()));
    }
}
