package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.capacity.CapacityMeter.Operation;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySnapshotStore;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamAlreadyExistsException;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.BankAccount.Open;
import dev.nosqles.testsupport.FailingAfterAppendStore;
import dev.nosqles.testsupport.FailingAfterAppendStore.Fault;
import dev.nosqles.testsupport.TestTables;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A create whose stream exists is answered from the stream's first commit, which the failed conditional write hands
 * back: a redelivery of the same message is a duplicate whose state is the aggregate as created, another message is
 * {@link StreamAlreadyExistsException} carrying that commit. Nothing is read, on DynamoDB (counted requests) as in
 * memory (counted reads).
 */
class RepeatedCreatesTest {
    private static final EventMetadata CREATE_1 = EventMetadata.empty().withMessageId("create-1");
    private static final BankAccount.State AS_CREATED = new BankAccount.State("ann", 0, 0, true);

    // ---- DynamoDB (moto): requests counted by the client

    private final CapacityMeter meter = new CapacityMeter();
    private final DynamoDbClient client = TestTables.client(meter);
    private final EventStore dynamo = DynamoDbEventStore.builder().client(client)
            .tableName(TestTables.newEventsTable(client, "recreate")).build();
    private final SnapshotStore dynamoSnapshots = DynamoDbSnapshotStore.builder().client(client)
            .tableName(TestTables.newSnapshotsTable(client, "recreate")).build();

    private AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> on(EventStore store,
                                                                                             SnapshotStore snapshots) {
        return AggregateRepository.builder(new BankAccount(2, 1)).eventStore(store).snapshotStore(snapshots).build();
    }

    @Test
    void on_dynamodb_a_redelivered_create_costs_its_put_item_alone_and_answers_the_aggregate_as_created() {
        var accounts = on(dynamo, dynamoSnapshots);
        accounts.create("d1", new Open("ann"), CREATE_1);
        accounts.update("d1", new Deposit(10));
        accounts.update("d1", new Deposit(5)); // a snapshot at version 3

        CapacityMeter.Usage before = meter.usage();
        CommandResult<BankAccount.State, BankAccount.Event> again = accounts.create("d1", new Open("ann"), CREATE_1);
        CapacityMeter.Usage cost = meter.usage().minus(before);

        assertThat(again.duplicate()).isTrue();
        assertThat(again.events()).isEmpty();
        assertThat(again.state().state()).isEqualTo(AS_CREATED);
        assertThat(again.state().version()).isEqualTo(1);
        assertThat(cost.requests(Operation.PUT_ITEM)).isEqualTo(1);
        assertThat(cost.totalRequests()).isEqualTo(1);
        assertThat(accounts.get("d1").state().balance()).isEqualTo(15);
    }

    @Test
    void on_dynamodb_the_aggregate_as_created_reads_back_with_one_query_below_the_snapshot_interval() {
        var accounts = AggregateRepository.builder(new BankAccount(5, 1)).eventStore(dynamo)
                .snapshotStore(dynamoSnapshots).build();
        accounts.create("d3", new Open("ann"), CREATE_1);
        for (int i = 0; i < 6; i++) {
            accounts.update("d3", new Deposit(1)); // a snapshot at version 5
        }

        CapacityMeter.Usage before = meter.usage();
        AggregateState<BankAccount.State> created = accounts.findAtVersion("d3", 1).orElseThrow();
        CapacityMeter.Usage cost = meter.usage().minus(before);
        AggregateState<BankAccount.State> fifth = accounts.findAtVersion("d3", 5).orElseThrow();
        CapacityMeter.Usage fromSnapshot = meter.usage().minus(before).minus(cost);

        assertThat(created.state()).isEqualTo(AS_CREATED);
        assertThat(cost.requests(Operation.QUERY)).isEqualTo(1);
        assertThat(cost.totalRequests()).isEqualTo(1);
        assertThat(fifth.state().balance()).isEqualTo(4);
        assertThat(fromSnapshot.requests(Operation.GET_ITEM)).isEqualTo(1); // at the interval, the snapshot is used
    }

    @Test
    void on_dynamodb_another_message_creating_the_same_aggregate_is_refused_with_its_first_commit_and_no_read() {
        var accounts = on(dynamo, dynamoSnapshots);
        accounts.create("d2", new Open("ann"), CREATE_1);

        CapacityMeter.Usage before = meter.usage();
        assertThatThrownBy(() -> accounts.create("d2", new Open("bob"), EventMetadata.empty().withMessageId("other")))
                .isInstanceOfSatisfying(StreamAlreadyExistsException.class, e -> {
                    assertThat(e.streamId()).isEqualTo(StreamId.of("Account", "d2"));
                    assertThat(e.competingCommit()).extracting(RecordedEvent::version).containsExactly(1L);
                    assertThat(e.competingCommit().get(0).metadata().messageId()).isEqualTo("create-1");
                });
        assertThat(meter.usage().minus(before).totalRequests()).isEqualTo(1);
        assertThat(dynamo.read(StreamId.of("Account", "d2")).events()).hasSize(1);
        assertThat(accounts.get("d2").state().owner()).isEqualTo("ann");
    }

    // ---- in memory: the same answers, reads counted by a decorator

    private final CountingStore memory = new CountingStore(new InMemoryEventStore());

    @Test
    void in_memory_a_redelivered_create_reads_nothing_and_answers_the_aggregate_as_created() {
        var accounts = on(memory, new InMemorySnapshotStore());
        accounts.create("m1", new Open("ann"), CREATE_1);
        accounts.update("m1", new Deposit(10));
        accounts.update("m1", new Deposit(5));

        int reads = memory.reads.get();
        CommandResult<BankAccount.State, BankAccount.Event> again = accounts.create("m1", new Open("ann"), CREATE_1);

        assertThat(memory.reads.get()).isEqualTo(reads);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.state().state()).isEqualTo(AS_CREATED);
        assertThat(again.state().version()).isEqualTo(1);
        assertThatThrownBy(() -> accounts.create("m1", new Open("bob")))
                .isInstanceOfSatisfying(StreamAlreadyExistsException.class,
                        e -> assertThat(e.competingCommit()).hasSize(1));
        assertThat(memory.reads.get()).isEqualTo(reads);
    }

    @Test
    void a_first_commit_of_several_events_is_folded_whole_and_nothing_after_it() {
        StreamId stream = StreamId.of("Account", "multi");
        EventCodec<BankAccount.Event> codec = EventCodec.of(new BankAccount());
        AppendResult first = memory.append(stream, ExpectedVersion.noStream(), List.of(
                codec.encode(UUID.randomUUID(), new BankAccount.Opened("ann")),
                codec.encode(UUID.randomUUID(), new BankAccount.Deposited(3, "EUR")),
                codec.encode(UUID.randomUUID(), new BankAccount.Deposited(4, "EUR"))), CREATE_1);
        memory.append(stream, first.nextExpectedVersion(),
                List.of(codec.encode(UUID.randomUUID(), new BankAccount.Deposited(100, "EUR"))), EventMetadata.empty());
        var accounts = on(memory, SnapshotStore.none());

        CommandResult<BankAccount.State, BankAccount.Event> again = accounts.create("multi", new Open("ann"), CREATE_1);

        assertThat(again.duplicate()).isTrue();
        assertThat(again.state().version()).isEqualTo(3);
        assertThat(again.state().state()).isEqualTo(new BankAccount.State("ann", 7, 2, true));
    }

    @Test
    void when_the_write_failed_without_an_answer_the_first_commit_is_read_whole_to_tell_a_duplicate() {
        StreamId stream = StreamId.of("Account", "uncertain");
        EventCodec<BankAccount.Event> codec = EventCodec.of(new BankAccount());
        AppendResult first = memory.append(stream, ExpectedVersion.noStream(), List.of(
                codec.encode(UUID.randomUUID(), new BankAccount.Opened("ann")),
                codec.encode(UUID.randomUUID(), new BankAccount.Deposited(3, "EUR")),
                codec.encode(UUID.randomUUID(), new BankAccount.Deposited(4, "EUR"))), CREATE_1);
        memory.append(stream, first.nextExpectedVersion(),
                List.of(codec.encode(UUID.randomUUID(), new BankAccount.Deposited(100, "EUR"))), EventMetadata.empty());
        FailingAfterAppendStore failing = new FailingAfterAppendStore(memory);
        var accounts = on(failing, SnapshotStore.none());
        int reads = memory.reads.get();

        failing.failNext(1, Fault.SDK_GAVE_UP_BEFORE_WRITE);
        CommandResult<BankAccount.State, BankAccount.Event> again = accounts.create("uncertain", new Open("ann"),
                CREATE_1);

        assertThat(again.duplicate()).isTrue();
        assertThat(again.state().version()).isEqualTo(3);
        assertThat(again.state().state().balance()).isEqualTo(7);
        // 1..2 lies inside the first commit, 1..4 shows where it ends
        assertThat(memory.reads.get() - reads).isEqualTo(2);

        failing.failNext(1, Fault.SDK_GAVE_UP_BEFORE_WRITE);
        assertThatThrownBy(() -> accounts.create("uncertain", new Open("bob"),
                EventMetadata.empty().withMessageId("other"))).isInstanceOf(StreamAlreadyExistsException.class);
        assertThat(memory.read(stream).events()).hasSize(4);
    }

    /** Counts the reads that reach the store. */
    private static final class CountingStore implements EventStore {
        final EventStore delegate;
        final AtomicInteger reads = new AtomicInteger();

        CountingStore(EventStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                                   EventMetadata metadata) {
            return delegate.append(streamId, expected, events, metadata);
        }

        @Override
        public StreamSlice read(StreamId streamId, ReadRequest request) {
            reads.incrementAndGet();
            return delegate.read(streamId, request);
        }
    }
}
