package dev.nosqles.runtime.esm.internal;

import dev.nosqles.runtime.esm.EventSourceMappingException;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Durable stream positions: one item per (mapping id, shard id). An item with no {@code sequenceNumber} means
 * "the position is fixed at the start of the shard" (used when a LATEST mapping starts on an empty shard).
 */
public final class CheckpointStore {
    /** A shard's stored position; {@code sequenceNumber} empty = before the first record. */
    public record Position(Optional<String> sequenceNumber) {
    }

    private final DynamoDbClient client;
    private final String tableName;
    private final String mappingId;

    public CheckpointStore(DynamoDbClient client, String tableName, String mappingId) {
        this.client = client;
        this.tableName = tableName;
        this.mappingId = mappingId;
    }

    /** Creates the checkpoint table unless it exists. */
    public static void ensureTable(DynamoDbClient client, String tableName, String mappingId) {
        try {
            client.describeTable(b -> b.tableName(tableName));
            return;
        } catch (ResourceNotFoundException missing) {
            // create it below
        } catch (SdkException e) {
            throw new EventSourceMappingException(mappingId, "could not describe checkpoint table " + tableName, e);
        }
        try {
            client.createTable(b -> b.tableName(tableName)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName("mappingId").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("shardId").attributeType(ScalarAttributeType.S).build())
                    .keySchema(
                            KeySchemaElement.builder().attributeName("mappingId").keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName("shardId").keyType(KeyType.RANGE).build()));
            client.waiter().waitUntilTableExists(b -> b.tableName(tableName));
        } catch (ResourceInUseException raced) {
            // another poller created it
        } catch (SdkException e) {
            throw new EventSourceMappingException(mappingId, "could not create checkpoint table " + tableName, e);
        }
    }

    public Optional<Position> load(String shardId) {
        try {
            GetItemResponse response = client.getItem(b -> b.tableName(tableName).consistentRead(true).key(key(shardId)));
            if (!response.hasItem() || response.item().isEmpty()) {
                return Optional.empty();
            }
            AttributeValue seq = response.item().get("sequenceNumber");
            return Optional.of(new Position(Optional.ofNullable(seq).map(AttributeValue::s)));
        } catch (SdkException e) {
            throw new EventSourceMappingException(mappingId, "could not read checkpoint of shard " + shardId, e);
        }
    }

    public void save(String shardId, Optional<String> sequenceNumber) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(shardId));
        sequenceNumber.ifPresent(s -> item.put("sequenceNumber", AttributeValue.fromS(s)));
        item.put("updatedAt", AttributeValue.fromS(java.time.Instant.now().toString()));
        try {
            client.putItem(b -> b.tableName(tableName).item(item));
        } catch (SdkException e) {
            throw new EventSourceMappingException(mappingId, "could not write checkpoint of shard " + shardId, e);
        }
    }

    private Map<String, AttributeValue> key(String shardId) {
        return Map.of("mappingId", AttributeValue.fromS(mappingId), "shardId", AttributeValue.fromS(shardId));
    }
}
