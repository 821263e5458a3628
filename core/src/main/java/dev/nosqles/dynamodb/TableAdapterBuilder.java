package dev.nosqles.dynamodb;

import java.util.function.BiFunction;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The builder of a DynamoDB adapter whose only parts are a client and one table ({@link DynamoDbCheckpointStore},
 * {@link DynamoDbSagaDeadlines}, {@link DynamoDbSnapshotStore}): each adapter's public {@code Builder} extends it
 * and only names the adapter's constructor.
 *
 * @param <B> the adapter's builder (returned by the setters, for chaining)
 * @param <A> the adapter
 */
abstract class TableAdapterBuilder<B extends TableAdapterBuilder<B, A>, A> {
    private final BiFunction<DynamoDbClient, String, A> constructor;
    private DynamoDbClient client;
    private String tableName;

    TableAdapterBuilder(BiFunction<DynamoDbClient, String, A> constructor) {
        this.constructor = constructor;
    }

    /** The client (required). Build it once per process. */
    public B client(DynamoDbClient client) {
        this.client = client;
        return self();
    }

    /** The adapter's table (required). */
    public B tableName(String tableName) {
        this.tableName = tableName;
        return self();
    }

    /**
     * @throws IllegalStateException a required part is missing: the client, or the table name (null or blank)
     */
    public A build() {
        return constructor.apply(Required.part(client, "client"), Required.name(tableName, "tableName"));
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
