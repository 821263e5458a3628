package dev.nosqles.store.dynamodb;

import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Latest snapshot per stream in its own table (partition key {@code streamId}), so that snapshot writes never
 * show up in the events table's stream. A save only replaces an older snapshot (conditional PutItem).
 */
public final class DynamoDbSnapshotStore implements SnapshotStore {
    private final DynamoDbClient client;
    private final String tableName;

    private DynamoDbSnapshotStore(DynamoDbClient client, String tableName) {
        this.client = client;
        this.tableName = tableName;
    }

    public static DynamoDbSnapshotStore create(DynamoDbClient client, String tableName) {
        if (client == null || tableName == null || tableName.isBlank()) {
            throw new IllegalArgumentException("client and tableName are required");
        }
        return new DynamoDbSnapshotStore(client, tableName);
    }

    @Override
    public Optional<Snapshot> load(StreamId streamId) {
        GetItemResponse response = client.getItem(b -> b.tableName(tableName).consistentRead(true)
                .key(Map.of("streamId", AttributeValue.fromS(streamId.value()))));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        List<String> messageIds = item.containsKey("msgs") ? item.get("msgs").l().stream().map(AttributeValue::s).toList()
                : List.of();
        return Optional.of(new Snapshot(streamId, Long.parseLong(item.get("version").n()), item.get("stateType").s(),
                Integer.parseInt(item.get("schema").n()), item.get("data").s(), Instant.parse(item.get("ts").s()),
                messageIds));
    }

    @Override
    public void save(Snapshot snapshot) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("streamId", AttributeValue.fromS(snapshot.streamId().value()));
        item.put("version", AttributeValue.fromN(Long.toString(snapshot.version())));
        item.put("stateType", AttributeValue.fromS(snapshot.stateType()));
        item.put("schema", AttributeValue.fromN(Integer.toString(snapshot.schemaVersion())));
        item.put("data", AttributeValue.fromS(snapshot.data()));
        item.put("ts", AttributeValue.fromS(snapshot.timestamp().toString()));
        if (!snapshot.recentMessageIds().isEmpty()) {
            item.put("msgs", AttributeValue.fromL(snapshot.recentMessageIds().stream().map(AttributeValue::fromS).toList()));
        }
        try {
            client.putItem(b -> b.tableName(tableName).item(item)
                    .conditionExpression("attribute_not_exists(#s) OR #v < :v")
                    .expressionAttributeNames(Map.of("#s", "streamId", "#v", "version"))
                    .expressionAttributeValues(Map.of(":v", item.get("version"))));
        } catch (ConditionalCheckFailedException newerAlreadyThere) {
            // a snapshot of the same or a later version is already stored: nothing to do
        }
    }
}
