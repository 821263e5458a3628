package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySnapshotStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.BankAccount.Open;
import dev.nosqles.testsupport.InterleavingStore;
import dev.nosqles.testsupport.TestTables;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * A writer that lost the race to one other writer gets the competing commit with the conflict, folds it into the
 * state in hand and decides again at once, without reading the stream or the snapshot; a writer further behind
 * falls back to one read. Idempotency, upcasting and snapshots hold on the folded state as after a reload. On
 * DynamoDB (moto) the reads are counted as Query and GetItem requests, in memory as calls to the stores.
 */
class ContentionFoldingTest {
    private static final StreamId HOT = StreamId.of("Account", "hot");
    /** A back-off the tests would wait for (they time out first): a fold must not back off. */
    private static final RetryPolicy HOUR_LONG_BACK_OFF = new RetryPolicy(5, Duration.ofHours(1), Duration.ofHours(1));
    private static final RetryPolicy SHORT_BACK_OFF = new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(2));

    enum Backend { MEMORY, DYNAMODB }

    /** Counts Query and GetItem requests, on any table. */
    static final class ReadRequests implements ExecutionInterceptor {
        final AtomicLong count = new AtomicLong();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof QueryRequest || context.request() instanceof GetItemRequest) {
                count.incrementAndGet();
            }
        }
    }

    /** Counts snapshot loads (the in-memory backend's GetItem). */
    static final class CountingSnapshots implements SnapshotStore {
        final SnapshotStore delegate;
        final AtomicInteger loads = new AtomicInteger();

        CountingSnapshots(SnapshotStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Snapshot> load(StreamId streamId) {
            loads.incrementAndGet();
            return delegate.load(streamId);
        }

        @Override
        public void save(Snapshot snapshot) {
            delegate.save(snapshot);
        }

        @Override
        public void delete(StreamId streamId) {
            delegate.delete(streamId);
        }
    }

    /** The writer under test (through the interleaving store), the other writers, and the reads counted. */
    private static final class Setup {
        final EventStore raw;
        final InterleavingStore interleaving;
        final CountingSnapshots snapshots;
        final ReadRequests requests;
        final Backend backend;

        Setup(Backend backend) {
            this.backend = backend;
            if (backend == Backend.DYNAMODB) {
                requests = new ReadRequests();
                CapacityMeter meter = new CapacityMeter();
                DynamoDbClient client = dev.nosqles.localaws.LocalAws.shared().configure(DynamoDbClient.builder())
                        .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                        .overrideConfiguration(o -> o.addExecutionInterceptor(meter).addExecutionInterceptor(requests))
                        .build();
                raw = DynamoDbEventStore.builder().client(client)
                        .tableName(TestTables.newEventsTable(client, "folding")).build();
                snapshots = new CountingSnapshots(DynamoDbSnapshotStore.builder().client(client)
                        .tableName(TestTables.newSnapshotsTable(client, "folding")).build());
            } else {
                requests = null;
                raw = new InMemoryEventStore();
                snapshots = new CountingSnapshots(new InMemorySnapshotStore());
            }
            interleaving = new InterleavingStore(raw);
        }

        /** Reads so far: Query and GetItem requests on DynamoDB, store reads and snapshot loads in memory. */
        long reads() {
            return backend == Backend.DYNAMODB ? requests.count.get() : interleaving.reads() + snapshots.loads.get();
        }

        AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> writer(RetryPolicy retry) {
            return AggregateRepository.builder(new BankAccount(1, 1)).eventStore(interleaving)
                    .snapshotStore(snapshots).retry(retry).build();
        }

        AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> others() {
            return AggregateRepository.builder(new BankAccount(1, 1)).eventStore(raw).snapshotStore(snapshots)
                    .build();
        }
    }

    /** Runs the other writers before the writer's next append; returns the reads counted when they are done. */
    private static AtomicLong othersFirst(Setup setup, Runnable others) {
        AtomicLong readsAfterOthers = new AtomicLong(-1);
        setup.interleaving.beforeNextAppend(() -> {
            others.run();
            readsAfterOthers.set(setup.reads());
        });
        return readsAfterOthers;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a_writer_one_commit_behind_folds_the_competing_commit_and_appends_at_once_without_a_read(Backend backend) {
        Setup setup = new Setup(backend);
        var writer = setup.writer(HOUR_LONG_BACK_OFF);
        var others = setup.others();
        others.create("hot", new Open("ann"));
        others.update("hot", new Deposit(1));

        // given another writer commits between this writer's load and its append
        AtomicLong afterOthers = othersFirst(setup, () -> others.update("hot", new Deposit(20)));
        CommandResult<BankAccount.State, BankAccount.Event> result = writer.update("hot", new Deposit(300));

        // then the second attempt ran on the folded state: no read after the conflict, no back-off (an hour)
        assertThat(afterOthers.get()).isNotNegative();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(setup.reads() - afterOthers.get()).isZero();
        assertThat(result.state().state().balance()).isEqualTo(321);
        assertThat(result.state().state().deposits()).isEqualTo(3);
        assertThat(result.state().version()).isEqualTo(4);
        assertThat(result.events()).extracting(EventEnvelope::version).containsExactly(4L);
        // and the stream and the snapshot taken after the fold hold every deposit once
        assertThat(setup.raw.read(HOT).events()).extracting(RecordedEvent::version)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 4).boxed().toList());
        Snapshot snapshot = setup.snapshots.load(HOT).orElseThrow();
        assertThat(snapshot.version()).isEqualTo(4);
        assertThat(snapshot.data()).contains("\"balance\":321");
        assertThat(setup.others().get("hot").state().balance()).isEqualTo(321);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void the_writers_own_load_is_counted_so_a_fold_without_reads_is_not_a_counter_that_never_moves(Backend backend) {
        Setup setup = new Setup(backend);
        var writer = setup.writer(SHORT_BACK_OFF);
        setup.others().create("hot", new Open("ann"));

        long before = setup.reads();
        writer.update("hot", new Deposit(5));

        // a load is a snapshot GetItem and one Query (memory: one snapshot load and one read)
        assertThat(setup.reads() - before).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_writer_two_commits_behind_folds_one_then_falls_back_to_one_load(Backend backend) {
        Setup setup = new Setup(backend);
        var writer = setup.writer(SHORT_BACK_OFF);
        var others = setup.others();
        others.create("hot", new Open("ann"));

        AtomicLong afterOthers = othersFirst(setup, () -> {
            others.update("hot", new Deposit(20));
            others.update("hot", new Deposit(4000));
        });
        CommandResult<BankAccount.State, BankAccount.Event> result = writer.update("hot", new Deposit(300));

        // the first conflict folds commit 2, the attempt on it conflicts with commit 3: one load, then success
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(setup.reads() - afterOthers.get()).isEqualTo(2);
        assertThat(result.state().state().balance()).isEqualTo(4320);
        assertThat(result.state().version()).isEqualTo(4);
        assertThat(setup.others().get("hot").state().deposits()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a_message_whose_other_delivery_won_the_race_is_a_duplicate_found_in_the_folded_commit(Backend backend) {
        Setup setup = new Setup(backend);
        var writer = setup.writer(HOUR_LONG_BACK_OFF);
        var others = setup.others();
        others.create("hot", new Open("ann"));
        EventMetadata message = EventMetadata.empty().withMessageId("deposit-" + UUID.randomUUID());

        // given the same message delivered twice, the other delivery committing first
        AtomicLong afterOthers = othersFirst(setup, () -> others.update("hot", new Deposit(20), message));
        CommandResult<BankAccount.State, BankAccount.Event> result = writer.update("hot", new Deposit(20), message);

        assertThat(result.duplicate()).isTrue();
        assertThat(result.events()).isEmpty();
        assertThat(setup.reads() - afterOthers.get()).isZero();
        assertThat(result.state().state().balance()).isEqualTo(20);
        assertThat(setup.raw.read(HOT).events()).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a_competing_commit_in_an_old_schema_is_upcast_when_folded(Backend backend) {
        Setup setup = new Setup(backend);
        var writer = setup.writer(HOUR_LONG_BACK_OFF);
        setup.others().create("hot", new Open("ann"));

        // given an old writer's commit of the event's first schema ("CashDeposited" with "sum")
        AtomicLong afterOthers = othersFirst(setup, () -> setup.raw.append(HOT,
                setup.raw.read(HOT).expectedVersion(),
                List.of(new NewEvent(UUID.randomUUID(), "CashDeposited", 1, "{\"sum\":7}")),
                EventMetadata.empty().withMessageId("old-writer")));
        CommandResult<BankAccount.State, BankAccount.Event> result = writer.update("hot", new Deposit(300));

        assertThat(result.attempts()).isEqualTo(2);
        assertThat(setup.reads() - afterOthers.get()).isZero();
        assertThat(result.state().state().balance()).isEqualTo(307);
        assertThat(result.state().state().deposits()).isEqualTo(2);
    }
}
