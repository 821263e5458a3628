package dev.nosqles.bench.baseline;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The baselines' event item: one item per event, partition key {@code streamId}, sort key {@code version}, the
 * commit's timestamp and metadata repeated in every event (each item must stand alone), with the same attribute
 * names as the framework's commit item so that sizes compare fairly.
 *
 * <pre>
 * streamId S, version N, id S, type S, schema N, data S, ts S, meta M {corr, caus, msg, who}
 * </pre>
 */
public final class EventItems {
    private EventItems() {
    }

    /** The items for {@code events} appended after {@code expectedVersion}. */
    public static List<Map<String, AttributeValue>> items(StreamId streamId, long expectedVersion,
                                                          List<NewEvent> events, EventMetadata metadata,
                                                          Instant timestamp) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(events.size());
        long version = expectedVersion;
        for (NewEvent e : events) {
            version++;
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put("streamId", AttributeValue.fromS(streamId.value()));
            item.put("version", AttributeValue.fromN(Long.toString(version)));
            item.put("id", AttributeValue.fromS(e.eventId().toString()));
            item.put("type", AttributeValue.fromS(e.type()));
            item.put("schema", AttributeValue.fromN(Integer.toString(e.schemaVersion())));
            item.put("data", AttributeValue.fromS(e.data()));
            item.put("ts", AttributeValue.fromS(timestamp.toString()));
            Map<String, AttributeValue> meta = meta(metadata);
            if (!meta.isEmpty()) {
                item.put("meta", AttributeValue.fromM(meta));
            }
            items.add(item);
        }
        return items;
    }

    /** Reads the event items of a stream from {@code fromVersion}, consistently, every page. */
    static List<RecordedEvent> read(DynamoDbClient client, String table, StreamId streamId, long fromVersion) {
        List<RecordedEvent> events = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse page = client.query(QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("#s = :s AND #v >= :v")
                    .expressionAttributeNames(Map.of("#s", "streamId", "#v", "version"))
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId.value()),
                            ":v", AttributeValue.fromN(Long.toString(fromVersion))))
                    .exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : page.items()) {
                events.add(event(streamId, item));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return events;
    }

    private static RecordedEvent event(StreamId streamId, Map<String, AttributeValue> item) {
        Map<String, AttributeValue> m = item.containsKey("meta") ? item.get("meta").m() : Map.of();
        EventMetadata metadata = new EventMetadata(s(m, "corr"), s(m, "caus"), s(m, "msg"), s(m, "who"));
        return new RecordedEvent(UUID.fromString(item.get("id").s()), streamId, Long.parseLong(item.get("version").n()),
                item.get("type").s(), Integer.parseInt(item.get("schema").n()), item.get("data").s(),
                Instant.parse(item.get("ts").s()), metadata);
    }

    private static String s(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v == null ? null : v.s();
    }

    private static Map<String, AttributeValue> meta(EventMetadata metadata) {
        Map<String, AttributeValue> meta = new LinkedHashMap<>();
        if (metadata == null) {
            return meta;
        }
        if (metadata.correlationId() != null) {
            meta.put("corr", AttributeValue.fromS(metadata.correlationId()));
        }
        if (metadata.causationId() != null) {
            meta.put("caus", AttributeValue.fromS(metadata.causationId()));
        }
        if (metadata.messageId() != null) {
            meta.put("msg", AttributeValue.fromS(metadata.messageId()));
        }
        if (metadata.principal() != null) {
            meta.put("who", AttributeValue.fromS(metadata.principal()));
        }
        return meta;
    }
}
