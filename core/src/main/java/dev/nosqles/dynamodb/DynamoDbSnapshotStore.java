package dev.nosqles.dynamodb;

import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Latest snapshot per stream in its own table (partition key {@code streamId}), so that snapshot writes never
 * show up in the events table's stream. A save only replaces an older snapshot (conditional PutItem).
 *
 * <pre>
 * streamId S, version N, stateType S, schema N, data S, ts S
 * first N      first version of the commit ending at version     (absent in snapshots of the old form)
 * lastEvent S  id of the event at version                        (absent in snapshots of the old form)
 * msgs L of S  recent message ids, oldest first
 * msgv L of N  last version of the commit holding each (0: unknown)
 * msgt L of N  that commit's timestamp, epoch ms rounded up (0: unknown)
 * evv N, evt S the newest commit whose id was evicted from msgs (evv 0: none); evv absent: the old form
 * </pre>
 */
public final class DynamoDbSnapshotStore implements SnapshotStore {
    private final DynamoDbClient client;
    private final String tableName;

    private DynamoDbSnapshotStore(DynamoDbClient client, String tableName) {
        this.client = client;
        this.tableName = tableName;
    }

    /** A builder; {@link Builder#client} and {@link Builder#tableName} (the snapshots table) are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configuration of a {@link DynamoDbSnapshotStore}; validation in {@link #build()}. */
    public static final class Builder extends TableAdapterBuilder<Builder, DynamoDbSnapshotStore> {
        private Builder() {
            super(DynamoDbSnapshotStore::new);
        }
    }

    @Override
    public Optional<Snapshot> load(StreamId streamId) {
        GetItemResponse response = client.getItem(b -> b.tableName(tableName).consistentRead(true)
                .key(Map.of("streamId", AttributeValue.fromS(streamId.value()))));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        long version = Long.parseLong(item.get("version").n());
        Instant timestamp = dev.nosqles.internal.Instants.parse(item.get("ts").s());
        List<String> ids = item.containsKey("msgs") ? item.get("msgs").l().stream().map(AttributeValue::s).toList()
                : List.of();
        String stateType = item.get("stateType").s();
        int schema = Integer.parseInt(item.get("schema").n());
        String data = item.get("data").s();
        if (!item.containsKey("evv")) {
            // written before boundaries and message windows were recorded
            return Optional.of(new Snapshot(streamId, version, stateType, schema, data, timestamp, ids));
        }
        List<AttributeValue> versions = item.containsKey("msgv") ? item.get("msgv").l() : List.of();
        List<AttributeValue> times = item.containsKey("msgt") ? item.get("msgt").l() : List.of();
        List<Snapshot.RecentMessage> recent = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            long v = i < versions.size() ? Long.parseLong(versions.get(i).n()) : 0;
            long millis = i < times.size() ? Long.parseLong(times.get(i).n()) : 0;
            recent.add(new Snapshot.RecentMessage(ids.get(i), v, millis == 0 ? null : Instant.ofEpochMilli(millis)));
        }
        long evicted = Long.parseLong(item.get("evv").n());
        Snapshot.MessageWindow window = new Snapshot.MessageWindow(recent, evicted,
                evicted == 0 ? null : dev.nosqles.internal.Instants.parse(item.get("evt").s()));
        long first = item.containsKey("first") ? Long.parseLong(item.get("first").n()) : 0;
        UUID lastEventId = item.containsKey("lastEvent") ? UUID.fromString(item.get("lastEvent").s()) : null;
        return Optional.of(new Snapshot(streamId, version, stateType, schema, data, timestamp, first, lastEventId,
                window));
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
        if (snapshot.commitFirstVersion() > 0) {
            item.put("first", AttributeValue.fromN(Long.toString(snapshot.commitFirstVersion())));
        }
        if (snapshot.lastEventId() != null) {
            item.put("lastEvent", AttributeValue.fromS(snapshot.lastEventId().toString()));
        }
        Snapshot.MessageWindow window = snapshot.messages();
        List<Snapshot.RecentMessage> recent = window.recent();
        if (!recent.isEmpty()) {
            item.put("msgs", AttributeValue.fromL(recent.stream().map(m -> AttributeValue.fromS(m.messageId()))
                    .toList()));
            item.put("msgv", AttributeValue.fromL(recent.stream()
                    .map(m -> AttributeValue.fromN(Long.toString(m.version()))).toList()));
            // epoch milliseconds rounded up: a later instant only ever makes the window claim less
            item.put("msgt", AttributeValue.fromL(recent.stream()
                    .map(m -> AttributeValue.fromN(Long.toString(ceilMillis(m.committedAt())))).toList()));
        }
        item.put("evv", AttributeValue.fromN(Long.toString(window.evictedVersion())));
        if (window.evictedAt() != null) {
            item.put("evt", AttributeValue.fromS(window.evictedAt().toString()));
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

    @Override
    public void delete(StreamId streamId) {
        client.deleteItem(b -> b.tableName(tableName)
                .key(Map.of("streamId", AttributeValue.fromS(streamId.value()))));
    }

    private static long ceilMillis(Instant instant) {
        if (instant == null) {
            return 0;
        }
        long millis = instant.toEpochMilli();
        return instant.getNano() % 1_000_000 == 0 ? millis : millis + 1;
    }
}
