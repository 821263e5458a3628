package dev.nosqles.bench.baseline;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Baseline (b): one item per event keyed by (stream, version). A single-event command is one PutItem conditioned on
 * the key not existing (two writers expecting the same version collide on the key); a multi-event command puts
 * all its items in one TransactWriteItems, each with that condition, which DynamoDB bills twice.
 */
public final class PerEventItemStore implements BaselineStore {
    private static final String NOT_EXISTS = "attribute_not_exists(#s)";
    private static final Map<String, String> NAMES = Map.of("#s", "streamId");

    private final DynamoDbClient client;
    private final String eventsTable;
    private final Clock clock;

    public PerEventItemStore(DynamoDbClient client, String eventsTable, Clock clock) {
        this.client = client;
        this.eventsTable = eventsTable;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "per-event";
    }

    @Override
    public void append(StreamId streamId, long expectedVersion, List<NewEvent> events, EventMetadata metadata) {
        List<Map<String, AttributeValue>> items = EventItems.items(streamId, expectedVersion, events, metadata,
                clock.instant());
        try {
            if (items.size() == 1) {
                client.putItem(b -> b.tableName(eventsTable).item(items.get(0)).conditionExpression(NOT_EXISTS)
                        .expressionAttributeNames(NAMES));
                return;
            }
            List<TransactWriteItem> writes = new ArrayList<>(items.size());
            for (Map<String, AttributeValue> item : items) {
                writes.add(TransactWriteItem.builder().put(Put.builder().tableName(eventsTable).item(item)
                        .conditionExpression(NOT_EXISTS).expressionAttributeNames(NAMES).build()).build());
            }
            client.transactWriteItems(b -> b.transactItems(writes));
        } catch (ConditionalCheckFailedException | TransactionCanceledException e) {
            throw new BaselineConflictException(streamId, expectedVersion);
        }
    }

    @Override
    public List<RecordedEvent> read(StreamId streamId, long fromVersion) {
        return EventItems.read(client, eventsTable, streamId, fromVersion);
    }
}
