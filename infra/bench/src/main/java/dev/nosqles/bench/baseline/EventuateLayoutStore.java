package dev.nosqles.bench.baseline;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Baseline (a): the Eventuate layout on DynamoDB. One item per event in an events table, and one entity item per
 * aggregate in an entities table holding its version. Every command, even a single-event one, writes its event
 * items and the entity item in one TransactWriteItems, conditioned on the entity's version being the expected one
 * (Eventuate's {@code UPDATE entities SET entity_version = ? WHERE entity_version = ?}). The entity item is
 * written with a conditional Put rather than an UpdateItem: same effect and size, and its cost is known from the
 * request alone.
 */
public final class EventuateLayoutStore implements BaselineStore {
    private final DynamoDbClient client;
    private final String eventsTable;
    private final String entitiesTable;
    private final Clock clock;

    public EventuateLayoutStore(DynamoDbClient client, String eventsTable, String entitiesTable, Clock clock) {
        this.client = client;
        this.eventsTable = eventsTable;
        this.entitiesTable = entitiesTable;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "eventuate";
    }

    @Override
    public void append(StreamId streamId, long expectedVersion, List<NewEvent> events, EventMetadata metadata) {
        List<Map<String, AttributeValue>> items = EventItems.items(streamId, expectedVersion, events, metadata,
                clock.instant());
        List<TransactWriteItem> writes = new ArrayList<>(items.size() + 1);
        for (Map<String, AttributeValue> item : items) {
            writes.add(TransactWriteItem.builder().put(Put.builder().tableName(eventsTable).item(item)
                    .conditionExpression("attribute_not_exists(#s)")
                    .expressionAttributeNames(Map.of("#s", "streamId")).build()).build());
        }
        Map<String, AttributeValue> entity = entityItem(streamId, expectedVersion + events.size(),
                events.get(events.size() - 1).eventId());
        Put.Builder entityPut = Put.builder().tableName(entitiesTable).item(entity);
        if (expectedVersion == 0) {
            entityPut.conditionExpression("attribute_not_exists(#s)").expressionAttributeNames(Map.of("#s", "streamId"));
        } else {
            entityPut.conditionExpression("#v = :expected").expressionAttributeNames(Map.of("#v", "version"))
                    .expressionAttributeValues(Map.of(":expected", AttributeValue.fromN(Long.toString(expectedVersion))));
        }
        writes.add(TransactWriteItem.builder().put(entityPut.build()).build());
        try {
            client.transactWriteItems(b -> b.transactItems(writes));
        } catch (TransactionCanceledException e) {
            throw new BaselineConflictException(streamId, expectedVersion);
        }
    }

    /** The entity item: the aggregate's version and the id of its last event. */
    public static Map<String, AttributeValue> entityItem(StreamId streamId, long version, UUID lastEventId) {
        Map<String, AttributeValue> entity = new LinkedHashMap<>();
        entity.put("streamId", AttributeValue.fromS(streamId.value()));
        entity.put("version", AttributeValue.fromN(Long.toString(version)));
        entity.put("lastEventId", AttributeValue.fromS(lastEventId.toString()));
        return entity;
    }

    /** Eventuate loads an aggregate from its events alone (plus a snapshot); the entity item is for writers. */
    @Override
    public List<RecordedEvent> read(StreamId streamId, long fromVersion) {
        return EventItems.read(client, eventsTable, streamId, fromVersion);
    }
}
