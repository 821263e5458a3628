package dev.nosqles.store;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.testsupport.TestTables;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The contract against moto through the SDK. */
class DynamoDbSnapshotStoreContractTest extends SnapshotStoreContract {
    private static DynamoDbClient client;
    private static String table;

    @BeforeAll
    static void table() {
        client = TestTables.client(new CapacityMeter());
        table = TestTables.newSnapshotsTable(client, "snapc");
    }

    @Override
    SnapshotStore store() {
        return DynamoDbSnapshotStore.builder().client(client).tableName(table).build();
    }
}
