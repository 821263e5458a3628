package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.app.readmodel.ReadModelWiring;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.app.saga.CustomerCommandHandler;
import dev.nosqles.app.saga.OrderSagaStreamHandler;
import dev.nosqles.app.saga.SagaReplyHandler;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.capacity.CapacityMeter.Operation;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.saga.RecordingSender;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.testsupport.TestTables;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** What the stream and queue functions do before a SnapStart checkpoint: real reads, no writes, nothing sent. */
class SnapStartPrimingTest {
    private static final CapacityMeter METER = new CapacityMeter();
    private static DynamoDbEventStore events;
    private static DynamoDbSnapshotStore snapshots;
    private static DynamoDbCheckpointStore checkpoints;
    private static DynamoDbReadModels readModels;
    private final RecordingSender recording = new RecordingSender();
    private final SagaMessageSender sender = recording;
    private final List<SagaMessage> sent = recording.all;

    @BeforeAll
    static void tables() {
        DynamoDbClient client = TestTables.client(METER);
        events = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "prime")).build();
        snapshots = DynamoDbSnapshotStore.builder().client(client)
                .tableName(TestTables.newSnapshotsTable(client, "prime")).build();
        String checkpointsTable = "prime-checkpoints-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbCheckpointStore.createTable(client, checkpointsTable);
        checkpoints = DynamoDbCheckpointStore.builder().client(client).tableName(checkpointsTable).build();
        String readModelsTable = "prime-read-models-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbReadModels.createTable(client, readModelsTable);
        readModels = DynamoDbReadModels.builder().client(client).readModelsTable(readModelsTable)
                .checkpointsTable(checkpointsTable).eventStore(events).projections(ReadModelWiring.projections())
                .cursorKey(new byte[32]).build();
    }

    private void assertReadsOnly(Runnable prime) {
        CapacityMeter.Usage before = METER.usage();
        prime.run();
        CapacityMeter.Usage used = METER.usage().minus(before);
        assertThat(used.requests(Operation.QUERY)).as("the store's read path is exercised").isPositive();
        assertThat(used.itemsWritten()).isZero();
        assertThat(used.requests(Operation.TRANSACT_WRITE_ITEMS)).isZero();
        assertThat(sent).isEmpty();
    }

    @Test
    void the_saga_stream_function_reads_the_store_and_writes_nothing() {
        OrderSagaStreamHandler handler = new OrderSagaStreamHandler(events, snapshots, checkpoints, sender,
                SagaDeadlines.none(), CreateOrderSaga.definition(), Clock.systemUTC(),
                new dev.nosqles.memory.InMemorySubjectKeys(), null, null, true);
        CapacityMeter.Usage before = METER.usage();
        assertReadsOnly(handler::prime);
        CapacityMeter.Usage primed = METER.usage().minus(before);
        assertThat(primed.requests(Operation.GET_ITEM)).as("its four subscribers are relays: no checkpoint (ADR 0011)")
                .isZero();
        assertThat(primed.requests(Operation.QUERY)).as("the event store's read").isEqualTo(1);
    }

    @Test
    void the_stream_function_with_read_models_registers_none_and_writes_nothing() {
        OrderSagaStreamHandler handler = new OrderSagaStreamHandler(events, snapshots, checkpoints, sender,
                SagaDeadlines.none(), CreateOrderSaga.definition(), Clock.systemUTC(),
                new dev.nosqles.memory.InMemorySubjectKeys(), readModels, null, true);

        assertReadsOnly(handler::prime);
        assertThat(readModels.list()).allSatisfy(status -> assertThat(status.versions()).isEmpty());
    }

    @Test
    void a_participant_queue_function_loads_an_aggregate_that_never_exists() {
        assertReadsOnly(new CustomerCommandHandler(events, snapshots, sender, Clock.systemUTC(),
                new dev.nosqles.memory.InMemorySubjectKeys())::prime);
    }

    @Test
    void the_reply_queue_function_loads_a_saga_that_never_exists() {
        assertReadsOnly(new SagaReplyHandler(events, snapshots, sender, dev.nosqles.saga.SagaDeadlines.none(),
                CreateOrderSaga.definition(),
                Clock.systemUTC())::prime);
    }
}
