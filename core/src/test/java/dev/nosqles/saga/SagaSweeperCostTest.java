package dev.nosqles.saga;

import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.capacity.CapacityMeter.Operation;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.testsupport.MutableClock;
import dev.nosqles.testsupport.TestTables;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** What the deadline index and a sweep cost, counted in DynamoDB requests (moto). */
class SagaSweeperCostTest {
    private final CapacityMeter meter = new CapacityMeter();
    private final DynamoDbClient client = TestTables.client(meter);
    private final MutableClock clock = new MutableClock(Instant.now());
    private final DynamoDbEventStore store = DynamoDbEventStore.builder().client(client)
            .tableName(TestTables.newEventsTable(client, "sweep")).clock(clock).build();
    private final SagaDeadlines deadlines = deadlines();
    private final SagaManager<Transfer.Data> sagas =
            SagaManager.builder(Transfer.definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                    .sender(new RecordingSender()).deadlines(deadlines).clock(clock).build();
    private final SagaSweeper sweeper = new SagaSweeper(deadlines, List.of(sagas), clock);

    private SagaDeadlines deadlines() {
        String table = "saga-deadlines-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbSagaDeadlines.createTable(client, table);
        return DynamoDbSagaDeadlines.builder().client(client).tableName(table).build();
    }

    @Test
    void starting_a_saga_costs_one_index_write_and_a_sweep_one_scan_plus_a_load_a_commit_and_an_index_write_per_saga_due() {
        CapacityMeter.Usage before = meter.usage();
        sagas.start("event-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty());
        sagas.start("event-2", new Transfer.Data("a", "b", 5, null), EventMetadata.empty());
        CapacityMeter.Usage started = meter.usage().minus(before);
        // per saga: the create's conditional PutItem, and the index's conditional PutItem
        assertThat(started.requests(Operation.PUT_ITEM)).isEqualTo(4);
        assertThat(started.totalRequests()).isEqualTo(4);

        CapacityMeter.Usage idle = meter.usage();
        assertThat(sweeper.sweep().pastDue()).isZero();
        assertThat(meter.usage().minus(idle).totalRequests()).isEqualTo(1); // one Scan page

        clock.advance(Duration.ofSeconds(30).plusMillis(1)); // the index keeps due times rounded up to the ms
        CapacityMeter.Usage due = meter.usage();
        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(2, 2, 0));
        CapacityMeter.Usage swept = meter.usage().minus(due);

        // the withdrawal is compensated without waiting and nothing came before it: each saga ends COMPENSATED
        assertThat(swept.requests(Operation.QUERY)).isEqualTo(2);     // load each saga
        assertThat(swept.requests(Operation.PUT_ITEM)).isEqualTo(2);  // its commit
        assertThat(swept.requests(Operation.OTHER)).isEqualTo(1 + 2); // the Scan, and a DeleteItem of each entry
        assertThat(swept.totalRequests()).isEqualTo(7);
        assertThat(sweeper.sweep().pastDue()).isZero();
    }
}
