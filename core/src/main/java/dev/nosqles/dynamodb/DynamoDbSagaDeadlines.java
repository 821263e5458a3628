package dev.nosqles.dynamodb;

import dev.nosqles.saga.SagaDeadlines;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * {@link SagaDeadlines} in a small DynamoDB table: partition key {@code sagaId}; attributes {@code sagaType},
 * {@code commandMessageId}, {@code attempt}, {@code dueAt} (epoch milliseconds), {@code version},
 * {@code sentAt} (epoch milliseconds, optional), {@code correlationId} (optional: items written before it existed
 * have none). It holds one item per <em>running</em> saga: items are removed
 * when a saga ends.
 * <ul>
 *   <li>{@link #put}: one conditional PutItem ({@code attribute_not_exists(sagaId) OR version < :v}); a refused
 *       condition means a newer or the same entry is there (also after an SDK retry of a write that landed).</li>
 *   <li>{@link #remove}: one conditional DeleteItem ({@code version <= :v}).</li>
 *   <li>{@link #arm}: one conditional UpdateItem ({@code commandMessageId = :c AND attempt = :a AND
 *       attribute_not_exists(armed)}), setting {@code dueAt} and {@code armed}; a put of a newer version replaces
 *       the whole item, so the next entry is unarmed.</li>
 *   <li>{@link #due}: a Scan filtered on {@code dueAt <= :now} (one request per MB of running sagas). A scan
 *       rather than an index: the table holds only running sagas, a few hundred bytes each, so a sweep per
 *       minute reads little; a GSI on a constant partition key would be a hot key and cost a second write per
 *       update (ADR 0005).</li>
 * </ul>
 */
public final class DynamoDbSagaDeadlines implements SagaDeadlines {
    private final DynamoDbClient client;
    private final String tableName;

    private DynamoDbSagaDeadlines(DynamoDbClient client, String tableName) {
        this.client = client;
        this.tableName = tableName;
    }

    /** A builder; {@link Builder#client} and {@link Builder#tableName} (the saga deadlines table) are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configuration of a {@link DynamoDbSagaDeadlines}; validation in {@link #build()}. */
    public static final class Builder extends TableAdapterBuilder<Builder, DynamoDbSagaDeadlines> {
        private Builder() {
            super(DynamoDbSagaDeadlines::new);
        }
    }

    /** Creates the table (tests; template.yaml declares it in AWS). */
    public static void createTable(DynamoDbClient client, String tableName) {
        client.createTable(b -> b.tableName(tableName).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(k -> k.attributeName("sagaId").keyType(KeyType.HASH))
                .attributeDefinitions(a -> a.attributeName("sagaId").attributeType(ScalarAttributeType.S)));
    }

    @Override
    public void put(Entry entry) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("sagaId", AttributeValue.fromS(entry.sagaId()));
        item.put("sagaType", AttributeValue.fromS(entry.sagaType()));
        item.put("commandMessageId", AttributeValue.fromS(entry.commandMessageId()));
        item.put("attempt", number(entry.attempt()));
        item.put("dueAt", number(entry.dueAt().toEpochMilli()));
        item.put("version", number(entry.version()));
        if (entry.sentAt() != null) {
            item.put("sentAt", number(entry.sentAt().toEpochMilli()));
        }
        if (entry.correlationId() != null) {
            item.put("correlationId", AttributeValue.fromS(entry.correlationId()));
        }
        try {
            client.putItem(b -> b.tableName(tableName).item(item)
                    .conditionExpression("attribute_not_exists(sagaId) OR #v < :v")
                    .expressionAttributeNames(Map.of("#v", "version"))
                    .expressionAttributeValues(Map.of(":v", number(entry.version()))));
        } catch (ConditionalCheckFailedException newer) {
            // an entry from this or a newer saga version is there
        }
    }

    @Override
    public void remove(String sagaId, long version) {
        try {
            client.deleteItem(b -> b.tableName(tableName).key(Map.of("sagaId", AttributeValue.fromS(sagaId)))
                    .conditionExpression("#v <= :v")
                    .expressionAttributeNames(Map.of("#v", "version"))
                    .expressionAttributeValues(Map.of(":v", number(version))));
        } catch (ConditionalCheckFailedException goneOrNewer) {
            // no entry, or one from a newer saga version
        }
    }

    @Override
    public void postpone(String sagaId, String commandMessageId, int attempt, Instant dueAt) {
        // refused: the saga moved on, or the entry is already as late, or it is gone
        moveDue(sagaId, commandMessageId, attempt, dueAt, "dueAt < :due", "", Map.of());
    }

    @Override
    public void arm(String sagaId, String commandMessageId, int attempt, Instant dueAt) {
        // refused: the saga moved on, or this send's entry is armed already (a second send), or it is gone
        moveDue(sagaId, commandMessageId, attempt, dueAt, "attribute_not_exists(armed)", ", armed = :t",
                Map.of(":t", AttributeValue.fromBool(true)));
    }

    /**
     * One conditional UpdateItem setting the due time of the entry of this command's attempt, when {@code condition}
     * also holds; a refused condition changes nothing.
     */
    private void moveDue(String sagaId, String commandMessageId, int attempt, Instant dueAt, String condition,
                         String alsoSet, Map<String, AttributeValue> alsoValues) {
        Map<String, AttributeValue> values = new HashMap<>(alsoValues);
        values.put(":due", number(dueAt.toEpochMilli()));
        values.put(":c", AttributeValue.fromS(commandMessageId));
        values.put(":a", number(attempt));
        try {
            client.updateItem(b -> b.tableName(tableName).key(Map.of("sagaId", AttributeValue.fromS(sagaId)))
                    .updateExpression("SET dueAt = :due" + alsoSet)
                    .conditionExpression("attribute_exists(sagaId) AND commandMessageId = :c AND attempt = :a AND "
                            + condition)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException refused) {
            // as the caller says
        }
    }

    @Override
    public List<Entry> due(Instant now) {
        List<Entry> due = new ArrayList<>();
        client.scanPaginator(b -> b.tableName(tableName).filterExpression("dueAt <= :now")
                        .expressionAttributeValues(Map.of(":now", number(now.toEpochMilli()))))
                .items().forEach(item -> due.add(new Entry(item.get("sagaId").s(), item.get("sagaType").s(),
                        item.get("commandMessageId").s(), Integer.parseInt(item.get("attempt").n()),
                        Instant.ofEpochMilli(Long.parseLong(item.get("dueAt").n())),
                        Long.parseLong(item.get("version").n()),
                        item.containsKey("sentAt") ? Instant.ofEpochMilli(Long.parseLong(item.get("sentAt").n()))
                                : null,
                        item.containsKey("correlationId") ? item.get("correlationId").s() : null)));
        return due;
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
