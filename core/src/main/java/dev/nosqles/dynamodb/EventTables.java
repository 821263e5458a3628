package dev.nosqles.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Creates the tables the stores use, for tests and local runs. In AWS, template.yaml declares them; these
 * definitions must match it (the local runtime reads the template instead of calling this).
 */
public final class EventTables {
    /**
     * The events table's partition key attribute (S): the stream id, {@code <Type>-<id>}. Part of the table's
     * documented format (template.yaml declares it), for tools that query or filter the table themselves.
     */
    public static final String STREAM_ID_ATTRIBUTE = "streamId";
    /** The events table's sort key attribute (N): the version of the commit's first event. */
    public static final String VERSION_ATTRIBUTE = "version";

    private EventTables() {
    }

    /** The events table: {@code streamId} (S) partition key, {@code version} (N) sort key, a NEW_IMAGE stream. */
    public static void createEventsTable(DynamoDbClient client, String tableName) {
        create(client, CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(STREAM_ID_ATTRIBUTE)
                                .attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(VERSION_ATTRIBUTE)
                                .attributeType(ScalarAttributeType.N).build())
                .keySchema(
                        KeySchemaElement.builder().attributeName(STREAM_ID_ATTRIBUTE).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(VERSION_ATTRIBUTE).keyType(KeyType.RANGE).build())
                .streamSpecification(StreamSpecification.builder().streamEnabled(true)
                        .streamViewType(StreamViewType.NEW_IMAGE).build())
                .build());
    }

    /** The snapshots table: {@code streamId} (S) partition key, the latest snapshot only. */
    public static void createSnapshotsTable(DynamoDbClient client, String tableName) {
        create(client, CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("streamId").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("streamId").keyType(KeyType.HASH).build())
                .build());
    }

    /**
     * The subscriber checkpoints table: {@code subscriber} (S) partition key, {@code streamId} (S) sort key
     * (see {@link dev.nosqles.dynamodb.DynamoDbCheckpointStore}).
     */
    public static void createCheckpointsTable(DynamoDbClient client, String tableName) {
        create(client, CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("subscriber").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("streamId").attributeType(ScalarAttributeType.S).build())
                .keySchema(
                        KeySchemaElement.builder().attributeName("subscriber").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("streamId").keyType(KeyType.RANGE).build())
                .build());
    }

    private static void create(DynamoDbClient client, CreateTableRequest request) {
        try {
            client.createTable(request);
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        client.waiter().waitUntilTableExists(b -> b.tableName(request.tableName()));
    }
}
