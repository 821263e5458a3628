package dev.nosqles.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.projection.AccountSummaries.AccountSummary;
import dev.nosqles.projection.internal.ReadModelTable;
import dev.nosqles.projection.internal.RowCodec;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The live feed of a read model on DynamoDB (moto): commit items as the stream delivers them (twice, out of order,
 * with gaps) become rows equal to a fold of the event store, each event applied exactly once.
 */
class ReadModelFeedTest {
    static final byte[] KEY = "a cursor key of at least 32 bytes!".getBytes(StandardCharsets.UTF_8);

    private final CapacityMeter meter = new CapacityMeter();
    private final DynamoDbClient client = TestTables.client(meter);
    private final Projection<AccountSummary> projection = AccountSummaries.projection();
    private DynamoDbEventStore store;
    private DynamoDbCheckpointStore checkpoints;
    private String checkpointsTable;
    private ReadModelTable table;
    private AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts;

    @BeforeEach
    void tables() {
        store = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "feed")).build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        checkpointsTable = "feed-checkpoints-" + suffix;
        DynamoDbCheckpointStore.createTable(client, checkpointsTable);
        checkpoints = DynamoDbCheckpointStore.builder().client(client).tableName(checkpointsTable).build();
        ReadModelTable.createTable(client, "feed-read-models-" + suffix);
        table = new ReadModelTable(client, "feed-read-models-" + suffix, KEY);
        accounts = AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    }

    private EventDispatcher dispatcher(int version) {
        return new EventDispatcher(List.of(table.subscriber(projection, version,
                "read-model." + projection.name() + "." + version)), checkpoints, store);
    }

    private void history(String id, int deposits) {
        accounts.create(id, new BankAccount.Open("owner-of-" + id));
        for (int d = 1; d <= deposits; d++) {
            accounts.update(id, new BankAccount.Deposit(d));
        }
        accounts.update(id, new BankAccount.Withdraw(1));
    }

    private List<Map<String, AttributeValue>> commitsOf(String id) {
        return client.query(b -> b.tableName(store.tableName()).consistentRead(true)
                .keyConditionExpression("#s = :s")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(StreamId.of("Account", id).value()))))
                .items();
    }

    /** What the read model must hold: a fold of the event store, computed without the projection. */
    private AccountSummary fold(String id) {
        List<RecordedEvent> recorded = store.read(StreamId.of("Account", id)).events();
        EventCodec<BankAccount.Event> codec = EventCodec.of(new BankAccount());
        BankAccount aggregate = new BankAccount();
        BankAccount.State state = aggregate.initialState();
        for (RecordedEvent e : recorded) {
            state = aggregate.apply(state, codec.decode(e).event());
        }
        return new AccountSummary(id, state.owner(), state.balance(), state.deposits(),
                AccountSummaries.standing(state.balance()), recorded.get(0).timestamp(),
                recorded.get(recorded.size() - 1).timestamp());
    }

    /** Every row of a version, read straight from the table. */
    private Set<AccountSummary> rows(int version) {
        Set<AccountSummary> rows = new HashSet<>();
        for (Map<String, AttributeValue> item : client.scan(b -> b.tableName(table.tableName()).consistentRead(true))
                .items()) {
            if (item.get(ReadModelTable.PK).s().startsWith(ReadModelTable.prefix(projection.name(), version))) {
                assertThat(rows.add(RowCodec.of(AccountSummary.class).decode(item))).isTrue();
            }
        }
        return rows;
    }

    private static void deliverLikeLambda(EventDispatcher dispatcher, List<Map<String, AttributeValue>> batch) {
        EventDispatcher.Result result = dispatcher.dispatch(batch);
        assertThat(result.failure()).isNull();
    }

    @Test
    void duplicated_and_reordered_commits_give_the_rows_of_a_fold_of_the_store_each_event_applied_once() {
        List<String> ids = List.of("f-1", "f-2", "f-3", "f-4");
        List<Map<String, AttributeValue>> deliveries = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            history(ids.get(i), 2 + i);
            deliveries.addAll(commitsOf(ids.get(i)));
            deliveries.addAll(commitsOf(ids.get(i))); // every record twice
        }
        Collections.shuffle(deliveries, new Random(7)); // out of order: gaps read from the store, late ones skipped
        EventDispatcher dispatcher = dispatcher(1);

        for (int from = 0; from < deliveries.size(); from += 5) {
            deliverLikeLambda(dispatcher, deliveries.subList(from, Math.min(deliveries.size(), from + 5)));
        }
        deliverLikeLambda(dispatcher, deliveries); // the whole stream once more: nothing changes

        assertThat(rows(1)).containsExactlyInAnyOrderElementsOf(ids.stream().map(this::fold).toList());
        for (String id : ids) {
            assertThat(table.get(projection, 1, id)).contains(fold(id));
        }
    }

    @Test
    void a_later_commit_delivered_first_closes_its_gap_from_the_store_and_the_late_ones_are_duplicates() {
        history("gap", 3);
        List<Map<String, AttributeValue>> commits = commitsOf("gap");
        EventDispatcher dispatcher = dispatcher(1);

        EventDispatcher.Result first = dispatcher.dispatch(List.of(commits.get(commits.size() - 1)));
        EventDispatcher.Result late = dispatcher.dispatch(commits.subList(0, commits.size() - 1));

        assertThat(first.filledFromStore()).isEqualTo(commits.size() - 1);
        assertThat(first.handled()).isEqualTo(commits.size());
        assertThat(late.handled()).isZero();
        assertThat(rows(1)).containsExactly(fold("gap"));
    }

    @Test
    void one_batch_writes_each_aggregates_rows_with_its_checkpoint_in_one_transaction() {
        List<Map<String, AttributeValue>> batch = new ArrayList<>();
        for (String id : List.of("w-1", "w-2", "w-3")) {
            history(id, 3); // 5 events: opened, 3 deposits, a withdrawal
            batch.addAll(commitsOf(id));
        }
        EventDispatcher dispatcher = dispatcher(1);

        CapacityMeter.Usage before = meter.usage();
        EventDispatcher.Result result = dispatcher.dispatch(batch);
        CapacityMeter.Usage used = meter.usage().minus(before);

        assertThat(result.handled()).isEqualTo(15);
        // per aggregate: one transaction of the checkpoint (2 units) and its one row (2 units), no read (the row
        // was put in this batch); per event 4 / 5 = 0.8 units, where a move per event cost 4
        assertThat(used.requests(CapacityMeter.Operation.TRANSACT_WRITE_ITEMS)).isEqualTo(3);
        assertThat(used.writeUnits()).isEqualTo(3 * (2 + 2));
        assertThat(used.requests(CapacityMeter.Operation.GET_ITEM)).isZero();
        assertThat(rows(1)).containsExactlyInAnyOrder(fold("w-1"), fold("w-2"), fold("w-3"));

        // a later batch that updates a row reads it once (consistent GetItem), then one transaction
        accounts.update("w-1", new BankAccount.Deposit(10));
        accounts.update("w-1", new BankAccount.Deposit(20));
        List<Map<String, AttributeValue>> all = commitsOf("w-1");
        CapacityMeter.Usage before2 = meter.usage();
        dispatcher.dispatch(all.subList(all.size() - 2, all.size()));
        CapacityMeter.Usage used2 = meter.usage().minus(before2);
        assertThat(used2.requests(CapacityMeter.Operation.GET_ITEM)).isEqualTo(1);
        assertThat(used2.requests(CapacityMeter.Operation.TRANSACT_WRITE_ITEMS)).isEqualTo(1);
        assertThat(table.get(projection, 1, "w-1")).contains(fold("w-1"));
    }

    @Test
    void two_versions_fed_by_one_dispatcher_keep_their_rows_and_checkpoints_apart() {
        history("v-1", 2);
        Projection<AccountSummary> v2 = AccountSummaries.projection(2);
        EventDispatcher dispatcher = new EventDispatcher(List.of(
                table.subscriber(projection, 1, "read-model.account-summaries.1"),
                table.subscriber(v2, 2, "read-model.account-summaries.2")), checkpoints, store);

        deliverLikeLambda(dispatcher, commitsOf("v-1"));

        assertThat(rows(1)).containsExactly(fold("v-1"));
        assertThat(rows(2)).containsExactly(fold("v-1"));
        assertThat(checkpoints.position("read-model.account-summaries.2", StreamId.of("Account", "v-1")))
                .isEqualTo(4);
        assertThat(table.deleteVersion(projection.name(), 1, n -> { })).isEqualTo(1);
        assertThat(rows(1)).isEmpty();
        assertThat(rows(2)).containsExactly(fold("v-1"));
    }

    /** A row per cell: each event of an account writes {@code cells} rows of its own. */
    public record Cell(String key, long n) {
    }

    @Test
    void a_scope_whose_rows_exceed_one_transaction_is_committed_early_at_an_event_boundary() {
        history("wide", 1); // opened, one deposit, one withdrawal: 3 events of 40 rows each
        java.util.concurrent.atomic.AtomicInteger handedOver = new java.util.concurrent.atomic.AtomicInteger();
        Projection<Cell> cells = Projection.builder("cells", Cell.class, Cell::key)
                .on(new BankAccount(), (e, rows) -> {
                    handedOver.incrementAndGet();
                    for (int i = 0; i < 40; i++) {
                        rows.put(new Cell(e.version() + "#" + i, e.version()));
                    }
                })
                .build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(table.subscriber(cells, 1, "read-model.cells.1")),
                checkpoints, store);

        CapacityMeter.Usage before = meter.usage();
        EventDispatcher.Result result = dispatcher.dispatch(commitsOf("wide"));
        CapacityMeter.Usage used = meter.usage().minus(before);

        assertThat(result.failure()).isNull();
        assertThat(result.handled()).isEqualTo(3);
        // 80 rows with the checkpoint at 2; the third event's 40 did not fit: dropped, committed, handed over again
        assertThat(used.requests(CapacityMeter.Operation.TRANSACT_WRITE_ITEMS)).isEqualTo(2);
        assertThat(handedOver).hasValue(4);
        assertThat(checkpoints.position("read-model.cells.1", StreamId.of("Account", "wide"))).isEqualTo(3);
        long stored = client.scan(b -> b.tableName(table.tableName()).consistentRead(true)).items().stream()
                .filter(item -> item.get(ReadModelTable.PK).s().startsWith("cells#1#")).count();
        assertThat(stored).isEqualTo(120);
    }

    @Test
    void one_event_with_more_rows_than_a_transaction_holds_fails_and_commits_nothing_of_it() {
        accounts.create("too-wide", new BankAccount.Open("ann"));
        Projection<Cell> cells = Projection.builder("cells", Cell.class, Cell::key)
                .on(new BankAccount(), (e, rows) -> {
                    for (int i = 0; i < 100; i++) {
                        rows.put(new Cell(e.version() + "#" + i, e.version()));
                    }
                })
                .build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(table.subscriber(cells, 1, "read-model.cells.1")),
                checkpoints, store);

        EventDispatcher.Result result = dispatcher.dispatch(commitsOf("too-wide"));

        assertThat(result.failedIndex()).isZero();
        assertThat(result.failure()).isInstanceOf(IllegalStateException.class).hasMessageContaining("99");
        assertThat(checkpoints.position("read-model.cells.1", StreamId.of("Account", "too-wide"))).isZero();
        assertThat(client.scan(b -> b.tableName(table.tableName()).consistentRead(true)).items()).isEmpty();
    }

    /** One row for all accounts: a row that several aggregates change. */
    public record Total(String key, int deposits, long sum) {
    }

    @Test
    void a_row_shared_by_aggregates_fed_at_the_same_time_loses_no_update_and_the_loser_reruns_in_process() {
        accounts.create("t-1", new BankAccount.Open("ann"));
        accounts.update("t-1", new BankAccount.Deposit(5));
        accounts.create("t-2", new BankAccount.Open("bob"));
        accounts.update("t-2", new BankAccount.Deposit(7));
        EventDispatcher[] otherShard = new EventDispatcher[1];
        boolean[] interleaved = {false};
        Projection<Total> totals = Projection.builder("totals", Total.class, Total::key)
                .on(new BankAccount(), (e, rows) -> {
                    if (e.event() instanceof BankAccount.Deposited d) {
                        Total total = rows.get("all").orElse(new Total("all", 0, 0));
                        if (!interleaved[0] && e.streamId().id().equals("t-1")) {
                            interleaved[0] = true; // another shard feeds t-2 between this read and this write
                            assertThat(otherShard[0].dispatch(commitsOf("t-2")).succeeded()).isTrue();
                        }
                        rows.put(new Total("all", total.deposits() + 1, total.sum() + d.amount()));
                    }
                })
                .build();
        otherShard[0] = new EventDispatcher(List.of(table.subscriber(totals, 1, "read-model.totals.1")),
                checkpoints, store);
        EventDispatcher shard = new EventDispatcher(List.of(table.subscriber(totals, 1, "read-model.totals.1")),
                checkpoints, store);

        EventDispatcher.Result first = shard.dispatch(commitsOf("t-1"));

        // the stale write is refused (its transaction cancelled) and the scope runs once more, reading the row again,
        // in the same dispatch: no Lambda retry of the batch
        assertThat(interleaved[0]).isTrue();
        assertThat(first.succeeded()).as("the scope ran again in-process").isTrue();
        assertThat(first.handled()).as("t-1's two events, handled once more after the refused write").isEqualTo(2);
        assertThat(checkpoints.position("read-model.totals.1", StreamId.of("Account", "t-1"))).isEqualTo(2);
        Total stored = RowCodec.of(Total.class).decode(client.getItem(b -> b.tableName(table.tableName())
                .consistentRead(true).key(ReadModelTable.key("totals", 1, "all"))).item());
        assertThat(stored).isEqualTo(new Total("all", 2, 12));
    }

    @Test
    void a_lost_response_of_a_transaction_with_conditional_row_writes_is_recognised_as_ours() {
        history("lost", 1);
        List<Map<String, AttributeValue>> first = commitsOf("lost");
        deliverLikeLambda(dispatcher(1), first);
        accounts.update("lost", new BankAccount.Deposit(40)); // updates the row: read with its revision, then a
                                                              // Put conditional on it
        dev.nosqles.testsupport.LostResponseInterceptor lost = dev.nosqles.testsupport.LostResponseInterceptor
                .ofFirst(1, software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest.class);
        DynamoDbClient faulty = dev.nosqles.localaws.LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(lost)).build();
        ReadModelTable lossyTable = new ReadModelTable(faulty, table.tableName(), KEY);
        EventDispatcher lossy = new EventDispatcher(List.of(lossyTable.subscriber(projection, 1,
                "read-model." + projection.name() + ".1")),
                DynamoDbCheckpointStore.builder().client(faulty).tableName(checkpointsTable).build(), store);

        List<Map<String, AttributeValue>> all = commitsOf("lost");
        EventDispatcher.Result result = lossy.dispatch(all.subList(all.size() - 1, all.size()));

        assertThat(lost.injected()).isEqualTo(1);
        assertThat(result.failure()).isNull();
        assertThat(result.handled()).isEqualTo(1);
        assertThat(table.get(projection, 1, "lost")).contains(fold("lost"));
        assertThat(checkpoints.position("read-model." + projection.name() + ".1", StreamId.of("Account", "lost")))
                .isEqualTo(all.size());
    }
}
