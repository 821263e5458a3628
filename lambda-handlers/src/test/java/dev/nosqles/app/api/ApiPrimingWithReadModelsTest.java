package dev.nosqles.app.api;

import dev.nosqles.lambda.Telemetry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.app.Application;
import dev.nosqles.app.readmodel.OrderQueries;
import dev.nosqles.app.readmodel.ReadModelWiring;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.capacity.CapacityMeter.Operation;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.testsupport.TestTables;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The API's SnapStart priming with its read models wired: it warms the list path by reading, never writing. */
class ApiPrimingWithReadModelsTest {
    @Test
    void priming_reads_the_registry_and_an_index_and_writes_nothing_not_even_a_registration() {
        CapacityMeter meter = new CapacityMeter();
        DynamoDbClient client = TestTables.client(meter);
        DynamoDbEventStore events = DynamoDbEventStore.builder().client(client)
                .tableName(TestTables.newEventsTable(client, "prime-api")).build();
        String checkpoints = "prime-api-checkpoints-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbCheckpointStore.createTable(client, checkpoints);
        String rows = "prime-api-read-models-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbReadModels.createTable(client, rows);
        DynamoDbReadModels readModels = DynamoDbReadModels.builder().client(client).readModelsTable(rows)
                .checkpointsTable(checkpoints).eventStore(events).projections(ReadModelWiring.projections())
                .cursorKey(new byte[32]).build();
        DynamoDbSnapshotStore snapshots = DynamoDbSnapshotStore.builder().client(client)
                .tableName(TestTables.newSnapshotsTable(client, "prime-api")).build();
        ApiHandler api = new ApiHandler(new Application(events, snapshots, Clock.systemUTC(), UUID::randomUUID),
                OrderQueries.on(readModels), Telemetry.fromEnvironment(name -> null));
        CapacityMeter.Usage before = meter.usage();

        api.prime();

        CapacityMeter.Usage used = meter.usage().minus(before);
        assertThat(used.requests(Operation.GET_ITEM)).as("the registry").isEqualTo(1);
        assertThat(used.requests(Operation.QUERY)).as("the unknown order's events, the index").isEqualTo(2);
        assertThat(used.itemsWritten()).isZero();
        assertThat(used.requests(Operation.PUT_ITEM)).isZero();
        assertThat(used.requests(Operation.TRANSACT_WRITE_ITEMS)).isZero();
        assertThat(readModels.list()).allSatisfy(status -> assertThat(status.versions()).isEmpty());
    }
}
