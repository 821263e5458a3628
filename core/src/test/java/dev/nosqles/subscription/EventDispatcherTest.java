package dev.nosqles.subscription;

import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * At-least-once, reordered, duplicated delivery in; exactly-once, in-order effects per subscriber and aggregate
 * out. Everything on DynamoDB (moto): the events, the checkpoints and the handlers' effects.
 */
class EventDispatcherTest {
    private final CapacityMeter meter = new CapacityMeter();
    private final DynamoDbClient client = TestTables.client(meter);
    private DynamoDbEventStore store;
    private DynamoDbCheckpointStore checkpoints;
    private String effectsTable;
    private DispatchTables tables;
    private AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts;
    private final Map<String, List<Long>> seenByStream = new ConcurrentHashMap<>();

    @BeforeEach
    void tables() {
        tables = DispatchTables.create(client, "dispatch");
        store = tables.store();
        checkpoints = tables.checkpoints();
        effectsTable = tables.effectsTable();
        accounts = AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    }

    /** Counts every handled event in the effects table, in the same transaction as the checkpoint. */
    private Subscriber countingSubscriber(String name, Random failures, double failureRate) {
        return Subscriber.builder(name).on(new BankAccount(), (event, ctx) -> {
            if (failures != null && failures.nextDouble() < failureRate) {
                throw new IllegalStateException("injected failure");
            }
            seenByStream.computeIfAbsent(name + "|" + event.streamId().value(), k -> new CopyOnWriteArrayList<>())
                    .add(event.version());
            ctx.writeWithCheckpoint(tables.countIt(name, event));
        }).build();
    }

    private Map<String, Long> effectCounts() {
        return tables.effectCounts();
    }

    /** Lambda's retry rule: on a failure, the batch is retried from the failed record. */
    static void deliverLikeLambda(EventDispatcher dispatcher, List<Map<String, AttributeValue>> batch) {
        List<Map<String, AttributeValue>> remaining = batch;
        for (int attempt = 0; attempt < 1_000 && !remaining.isEmpty(); attempt++) {
            EventDispatcher.Result result = dispatcher.dispatch(remaining);
            if (result.succeeded()) {
                return;
            }
            remaining = remaining.subList(result.failedIndex(), remaining.size());
        }
        assertThat(remaining).as("batch eventually delivered").isEmpty();
    }

    @Test
    void every_record_delivered_two_or_three_times_in_random_order_has_its_effects_exactly_once_and_in_order() {
        List<Map<String, AttributeValue>> commits = tables.writeHistory(accounts, 6, true);
        Random random = new Random(42);
        EventDispatcher dispatcher = new EventDispatcher(
                List.of(countingSubscriber("projection", random, 0.15), countingSubscriber("audit", null, 0)),
                checkpoints, store);

        List<Map<String, AttributeValue>> deliveries = new ArrayList<>();
        for (Map<String, AttributeValue> commit : commits) {
            int copies = 2 + random.nextInt(2);
            for (int c = 0; c < copies; c++) {
                deliveries.add(commit);
            }
        }
        Collections.shuffle(deliveries, random); // out of version order, with gaps at every point
        for (int from = 0; from < deliveries.size(); from += 7) {
            deliverLikeLambda(dispatcher, deliveries.subList(from, Math.min(deliveries.size(), from + 7)));
        }

        // 5 domain events per account (the Noop's pseudo event is not a domain event)
        Map<String, Long> counts = effectCounts();
        assertThat(counts).hasSize(12).allSatisfy((stream, count) -> assertThat(count).isEqualTo(5));
        seenByStream.forEach((stream, versions) -> assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L));
        assertThat(seenByStream).hasSize(12);
        for (int a = 0; a < 6; a++) {
            assertThat(checkpoints.position("projection", StreamId.of("Account", "acc-" + a))).isEqualTo(6);
        }
    }

    @Test
    void a_gap_is_closed_from_the_event_store_and_the_late_records_are_dropped_as_duplicates() {
        List<Map<String, AttributeValue>> commits = tables.writeHistory(accounts, 1, true);
        EventDispatcher dispatcher = new EventDispatcher(List.of(countingSubscriber("gaps", null, 0)), checkpoints,
                store);

        // only the last commit arrives first: versions 1..5 come from the store, in order
        EventDispatcher.Result first = dispatcher.dispatch(List.of(commits.get(commits.size() - 1)));
        EventDispatcher.Result late = dispatcher.dispatch(commits.subList(0, commits.size() - 1));

        assertThat(first.filledFromStore()).isEqualTo(5);
        assertThat(first.handled()).isEqualTo(5);
        assertThat(late.handled()).isZero();
        assertThat(late.duplicates()).isEqualTo(5);
        assertThat(seenByStream.get("gaps|Account-acc-0")).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void a_failing_handler_stops_the_batch_at_its_record_and_earlier_records_are_not_handled_again() {
        List<Map<String, AttributeValue>> commits = tables.writeHistory(accounts, 1, true);
        List<Long> handled = new CopyOnWriteArrayList<>();
        boolean[] failVersion3 = {true};
        Subscriber flaky = Subscriber.builder("flaky").on(new BankAccount(), (event, ctx) -> {
            if (event.version() == 3 && failVersion3[0]) {
                throw new IllegalStateException("down");
            }
            handled.add(event.version());
        }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(flaky), checkpoints, store);

        EventDispatcher.Result failed = dispatcher.dispatch(commits);
        assertThat(failed.failedIndex()).isEqualTo(2); // the commit holding versions 3 and 4
        assertThat(failed.failure()).hasMessage("down");
        assertThat(handled).containsExactly(1L, 2L);

        failVersion3[0] = false;
        EventDispatcher.Result retried = dispatcher.dispatch(commits.subList(failed.failedIndex(), commits.size()));
        assertThat(retried.succeeded()).isTrue();
        assertThat(handled).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void a_checkpoint_write_that_landed_but_lost_its_response_is_recognised_as_ours_and_its_effect_happens_once() {
        // given a client whose first checkpoint transaction and first checkpoint PutItem land, then answer 500
        String checkpointsTable = "dispatch-lost-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbCheckpointStore.createTable(client, checkpointsTable);
        CheckpointLostResponseInterceptor lost = new CheckpointLostResponseInterceptor(checkpointsTable, 1);
        DynamoDbClient faulty = LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(lost)).build();
        DynamoDbCheckpointStore lossy = DynamoDbCheckpointStore.builder().client(faulty).tableName(checkpointsTable)
                .build();
        List<Map<String, AttributeValue>> commits = tables.writeHistory(accounts, 1, true);
        // 5 domain events, each with its effect on one item (so one transaction each: one item once per transaction);
        // a raw subscriber without writes moves its checkpoint once for the 6 events, by PutItem
        List<String> rawSeen = new CopyOnWriteArrayList<>();
        Subscriber raw = Subscriber.builder("lossy-raw").onRaw("Account", (event, ctx) -> rawSeen.add(event.type()))
                .build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(countingSubscriber("lossy", null, 0), raw), lossy,
                store);

        EventDispatcher.Result result = dispatcher.dispatch(commits);

        assertThat(lost.lostTransactions()).as("transaction responses lost").isEqualTo(1);
        assertThat(lost.lostPuts()).as("PutItem responses lost").isEqualTo(1);
        assertThat(result.failure()).isNull();
        assertThat(result.succeeded()).isTrue();
        assertThat(result.handled()).isEqualTo(5 + 6);
        assertThat(effectCounts()).containsExactly(Map.entry("lossy|Account-acc-0", 5L)); // each event id once
        assertThat(lossy.position("lossy", StreamId.of("Account", "acc-0"))).isEqualTo(6);
        assertThat(lossy.position("lossy-raw", StreamId.of("Account", "acc-0"))).isEqualTo(6);
        assertThat(rawSeen).hasSize(6);
    }

    @Test
    void a_checkpoint_moved_by_another_consumer_is_still_a_conflict() {
        StreamId stream = StreamId.of("Account", "other");
        checkpoints.advance("s", stream, 0, 2, List.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> checkpoints.advance("s", stream, 0, 1, List.of()))
                .isInstanceOf(CheckpointConflictException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> checkpoints.advance("s", stream, 1, 3, List.of(
                TransactWriteItem.builder().update(Update.builder().tableName(effectsTable)
                        .key(Map.of("streamId", AttributeValue.fromS("never")))
                        .updateExpression("ADD #n :one").expressionAttributeNames(Map.of("#n", "count"))
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))).build()).build())))
                .isInstanceOf(CheckpointConflictException.class);
        assertThat(effectCounts()).isEmpty();
        assertThat(checkpoints.position("s", stream)).isEqualTo(2);
    }

    @Test
    void raw_subscribers_see_pseudo_events_and_every_aggregate_type() {
        List<Map<String, AttributeValue>> commits = tables.writeHistory(accounts, 1, true);
        List<String> types = new CopyOnWriteArrayList<>();
        EventDispatcher dispatcher = new EventDispatcher(List.of(Subscriber.builder("raw")
                .onRaw(Subscriber.ALL, (event, ctx) -> types.add(event.type())).build()), checkpoints, store);

        assertThat(dispatcher.dispatch(commits).succeeded()).isTrue();
        assertThat(types).containsExactly("AccountOpened", "MoneyDeposited", "MoneyDeposited", "MoneyDeposited",
                "MoneyWithdrawn", "nosqles.MessageProcessed");
    }

    /** The commit items of one account, in version order. */
    private List<Map<String, AttributeValue>> commitsOf(String id) {
        return client.query(b -> b.tableName(store.tableName()).consistentRead(true)
                .keyConditionExpression("#s = :s")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(StreamId.of("Account", id).value()))))
                .items();
    }

    /** A write of an item of its own for each event (key = stream and version). */
    private TransactWriteItem effectOf(dev.nosqles.aggregate.EventEnvelope<?> event) {
        return TransactWriteItem.builder().put(software.amazon.awssdk.services.dynamodb.model.Put.builder()
                .tableName(effectsTable).item(Map.of(
                        "streamId", AttributeValue.fromS(event.streamId().value() + "@" + event.version()),
                        "count", AttributeValue.fromN("1"),
                        "eventIds", AttributeValue.fromSs(List.of(event.eventId().toString())))).build()).build();
    }

    @Test
    void three_events_of_one_aggregate_in_one_batch_move_the_checkpoint_with_one_write() {
        accounts.create("three", new BankAccount.Open("ann"));
        accounts.update("three", new BankAccount.Deposit(5));
        accounts.update("three", new BankAccount.Withdraw(2));
        List<Map<String, AttributeValue>> commits = commitsOf("three");
        assertThat(commits).hasSize(3);
        List<Long> seen = new CopyOnWriteArrayList<>();
        Subscriber plain = Subscriber.builder("plain").on(new BankAccount(), (e, ctx) -> seen.add(e.version())).build();
        Subscriber effects = Subscriber.builder("effects")
                .on(new BankAccount(), (e, ctx) -> ctx.writeWithCheckpoint(effectOf(e))).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(plain, effects), checkpoints, store);

        CapacityMeter.Usage before = meter.usage();
        EventDispatcher.Result result = dispatcher.dispatch(commits);
        CapacityMeter.Usage used = meter.usage().minus(before);

        assertThat(result.succeeded()).isTrue();
        assertThat(result.handled()).isEqualTo(6);
        assertThat(seen).containsExactly(1L, 2L, 3L);
        // "plain": one PutItem for the three events (1 write unit instead of 3);
        // "effects": one transaction with its three writes and the checkpoint (2 + 3 x 2 units instead of 3 x 4)
        assertThat(used.requests(CapacityMeter.Operation.PUT_ITEM)).isEqualTo(1);
        assertThat(used.requests(CapacityMeter.Operation.TRANSACT_WRITE_ITEMS)).isEqualTo(1);
        assertThat(used.writeUnits()).isEqualTo(1 + 2 + 3 * 2);
        assertThat(used.requests(CapacityMeter.Operation.GET_ITEM)).as("positions read in a batch").isZero();
        assertThat(used.requests(CapacityMeter.Operation.OTHER)).as("one BatchGetItem per subscriber").isEqualTo(2);
        assertThat(checkpoints.position("plain", StreamId.of("Account", "three"))).isEqualTo(3);
        assertThat(checkpoints.position("effects", StreamId.of("Account", "three"))).isEqualTo(3);
        assertThat(effectCounts()).containsOnlyKeys("Account-three@1", "Account-three@2", "Account-three@3");
    }

    @Test
    void a_failure_on_the_second_event_of_one_aggregate_commits_its_first_and_the_other_aggregate_entirely() {
        accounts.create("a", new BankAccount.Open("ann"));
        accounts.create("b", new BankAccount.Open("bob"));
        accounts.update("a", new BankAccount.Deposit(5));
        accounts.update("b", new BankAccount.Deposit(7));
        accounts.update("a", new BankAccount.Deposit(9));
        List<Map<String, AttributeValue>> a = commitsOf("a");
        List<Map<String, AttributeValue>> b = commitsOf("b");
        // the stream's order: a1 b1 a2 b2 a3
        List<Map<String, AttributeValue>> batch = List.of(a.get(0), b.get(0), a.get(1), b.get(1), a.get(2));
        List<String> handled = new CopyOnWriteArrayList<>();
        boolean[] failA2 = {true};
        Subscriber flaky = Subscriber.builder("flaky-a").on(new BankAccount(), (event, ctx) -> {
            if (event.streamId().id().equals("a") && event.version() == 2 && failA2[0]) {
                throw new IllegalStateException("down");
            }
            handled.add(event.streamId().id() + event.version());
            ctx.writeWithCheckpoint(effectOf(event));
        }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(flaky), checkpoints, store);

        EventDispatcher.Result failed = dispatcher.dispatch(batch);

        assertThat(failed.failedIndex()).as("a2, the first record not fully handled").isEqualTo(2);
        assertThat(failed.failure()).hasMessage("down");
        assertThat(failed.handled()).isEqualTo(3);
        assertThat(handled).containsExactly("a1", "b1", "b2");
        assertThat(checkpoints.position("flaky-a", StreamId.of("Account", "a"))).isEqualTo(1);
        assertThat(checkpoints.position("flaky-a", StreamId.of("Account", "b"))).isEqualTo(2);
        assertThat(effectCounts()).containsOnlyKeys("Account-a@1", "Account-b@1", "Account-b@2");

        failA2[0] = false;
        EventDispatcher.Result retried = dispatcher.dispatch(batch.subList(failed.failedIndex(), batch.size()));

        assertThat(retried.succeeded()).isTrue();
        assertThat(retried.handled()).isEqualTo(2);
        assertThat(retried.duplicates()).as("b2, done before").isEqualTo(1);
        assertThat(handled).containsExactly("a1", "b1", "b2", "a2", "a3");
        assertThat(checkpoints.position("flaky-a", StreamId.of("Account", "a"))).isEqualTo(3);
        assertThat(effectCounts()).containsOnlyKeys("Account-a@1", "Account-a@2", "Account-a@3", "Account-b@1",
                "Account-b@2");
    }

    @Test
    void writes_beyond_one_transaction_are_committed_early_at_an_event_boundary() {
        accounts.create("many", new BankAccount.Open("ann"));
        accounts.update("many", new BankAccount.Deposit(1));
        accounts.update("many", new BankAccount.Deposit(2));
        List<Map<String, AttributeValue>> commits = commitsOf("many");
        // 40 writes per event: 3 events = 120 > 99, so the first two go together, the third alone
        Subscriber wide = Subscriber.builder("wide").on(new BankAccount(), (e, ctx) -> {
            for (int i = 0; i < 40; i++) {
                ctx.writeWithCheckpoint(TransactWriteItem.builder().put(software.amazon.awssdk.services.dynamodb
                        .model.Put.builder().tableName(effectsTable).item(Map.of(
                                "streamId", AttributeValue.fromS(e.streamId().value() + "@" + e.version() + "#" + i),
                                "count", AttributeValue.fromN("1"),
                                "eventIds", AttributeValue.fromSs(List.of(e.eventId().toString())))).build())
                        .build());
            }
        }).build();

        CapacityMeter.Usage before = meter.usage();
        EventDispatcher.Result result = new EventDispatcher(List.of(wide), checkpoints, store).dispatch(commits);
        CapacityMeter.Usage used = meter.usage().minus(before);

        assertThat(result.succeeded()).isTrue();
        assertThat(used.requests(CapacityMeter.Operation.TRANSACT_WRITE_ITEMS)).isEqualTo(2);
        assertThat(effectCounts()).hasSize(120);
        assertThat(checkpoints.position("wide", StreamId.of("Account", "many"))).isEqualTo(3);
    }

    @Test
    void two_events_putting_one_item_are_committed_in_two_transactions() {
        accounts.create("same", new BankAccount.Open("ann"));
        accounts.update("same", new BankAccount.Deposit(1));
        List<Map<String, AttributeValue>> commits = commitsOf("same");
        // a Put names no key: the dispatcher cannot see the clash before DynamoDB refuses the transaction
        Subscriber latest = Subscriber.builder("latest").on(new BankAccount(), (e, ctx) ->
                ctx.writeWithCheckpoint(TransactWriteItem.builder().put(software.amazon.awssdk.services.dynamodb
                        .model.Put.builder().tableName(effectsTable).item(Map.of(
                                "streamId", AttributeValue.fromS(e.streamId().value()),
                                "count", AttributeValue.fromN("1"),
                                "v", AttributeValue.fromN(Long.toString(e.version())),
                                "eventIds", AttributeValue.fromSs(List.of(e.eventId().toString())))).build())
                        .build())).build();

        EventDispatcher.Result result = new EventDispatcher(List.of(latest), checkpoints, store).dispatch(commits);

        assertThat(result.succeeded()).isTrue();
        assertThat(result.handled()).isEqualTo(2);
        assertThat(effectCounts()).containsExactly(Map.entry("Account-same", 1L));
        assertThat(client.getItem(g -> g.tableName(effectsTable).consistentRead(true)
                .key(Map.of("streamId", AttributeValue.fromS("Account-same")))).item().get("v").n())
                .as("the later event's write is the one that stays").isEqualTo("2");
        assertThat(checkpoints.position("latest", StreamId.of("Account", "same"))).isEqualTo(2);
    }

    @Test
    void subscribers_given_per_batch_are_asked_once_per_dispatch() {
        accounts.create("per-batch", new BankAccount.Open("ann"));
        List<Map<String, AttributeValue>> commits = commitsOf("per-batch");
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        List<String> seen = new CopyOnWriteArrayList<>();
        List<java.util.Set<String>> typesAsked = new CopyOnWriteArrayList<>();
        EventDispatcher dispatcher = new EventDispatcher(types -> {
            typesAsked.add(types);
            int n = asked.incrementAndGet();
            return List.of(Subscriber.builder("batch-" + n).on(new BankAccount(), (e, ctx) -> seen.add("batch-" + n))
                    .build());
        }, checkpoints, store);

        dispatcher.dispatch(commits);
        dispatcher.dispatch(commits);
        dispatcher.dispatch(List.of());

        assertThat(asked).hasValue(2);
        assertThat(typesAsked).containsExactly(java.util.Set.of("Account"), java.util.Set.of("Account"));
        assertThat(seen).containsExactly("batch-1", "batch-2");
    }

    @Test
    void subscribers_that_cannot_be_chosen_fail_the_batch_at_its_first_commit() {
        accounts.create("unchosen", new BankAccount.Open("ann"));
        List<Map<String, AttributeValue>> batch = new ArrayList<>();
        batch.add(null); // not an INSERT
        batch.addAll(commitsOf("unchosen"));
        EventDispatcher dispatcher = new EventDispatcher(types -> {
            throw new IllegalStateException("registry unreachable");
        }, checkpoints, store);

        EventDispatcher.Result result = dispatcher.dispatch(batch);

        assertThat(result.failedIndex()).isEqualTo(1);
        assertThat(result.failure()).hasMessage("registry unreachable");
    }

    @Test
    void positions_of_many_aggregates_are_read_in_batches_of_one_hundred() {
        List<StreamId> streams = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            StreamId id = StreamId.of("Account", "many-" + i);
            streams.add(id);
            if (i % 3 != 0) {
                checkpoints.advance("batched", id, 0, i, List.of());
            }
        }

        CapacityMeter.Usage before = meter.usage();
        Map<StreamId, Long> positions = checkpoints.positions("batched", streams);
        CapacityMeter.Usage used = meter.usage().minus(before);

        assertThat(used.requests(CapacityMeter.Operation.OTHER)).as("BatchGetItem requests").isEqualTo(2);
        assertThat(positions).hasSize(150);
        for (int i = 0; i < 150; i++) {
            assertThat(positions.get(streams.get(i))).isEqualTo(i % 3 != 0 ? i : 0L);
        }
    }

    @Test
    void a_checkpoint_moved_by_another_consumer_is_read_again_and_the_scope_runs_once_more_without_failing_the_batch() {
        accounts.create("taken", new BankAccount.Open("ann"));
        accounts.update("taken", new BankAccount.Deposit(1));
        accounts.create("free", new BankAccount.Open("bob"));
        List<Map<String, AttributeValue>> batch = new ArrayList<>(commitsOf("taken"));
        batch.addAll(commitsOf("free"));
        List<String> handled = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean moved = new java.util.concurrent.atomic.AtomicBoolean();
        Subscriber subscriber = Subscriber.builder("contended").on(new BankAccount(), (e, ctx) -> {
            handled.add(e.streamId().id() + e.version());
            if (e.streamId().id().equals("taken") && e.version() == 2 && moved.compareAndSet(false, true)) {
                // another consumer handles version 1 and moves the checkpoint while this one works
                checkpoints.advance("contended", e.streamId(), 0, 1, List.of());
            }
        }).build();

        EventDispatcher.Result result = new EventDispatcher(List.of(subscriber), checkpoints, store).dispatch(batch);

        // the conflict is not the batch's failure: the position is read again (1) and version 2 handled once more
        assertThat(result.succeeded()).isTrue();
        assertThat(handled).containsExactly("taken1", "taken2", "taken2", "free1");
        assertThat(checkpoints.position("contended", StreamId.of("Account", "taken"))).isEqualTo(2);
        assertThat(checkpoints.position("contended", StreamId.of("Account", "free"))).isEqualTo(1);
    }

    @Test
    void a_checkpoint_moved_again_during_the_second_run_fails_the_scope_at_its_first_record_not_done() {
        accounts.create("hot", new BankAccount.Open("ann"));
        accounts.update("hot", new BankAccount.Deposit(1));
        accounts.update("hot", new BankAccount.Deposit(2));
        List<Map<String, AttributeValue>> batch = new ArrayList<>(commitsOf("hot"));
        java.util.concurrent.atomic.AtomicLong other = new java.util.concurrent.atomic.AtomicLong();
        Subscriber subscriber = Subscriber.builder("very-contended").on(new BankAccount(), (e, ctx) -> {
            if (e.version() == 3 && other.get() < 2) {
                // another consumer moves the checkpoint by one, in each run of the scope
                checkpoints.advance("very-contended", e.streamId(), other.get(), other.incrementAndGet(), List.of());
            }
        }).build();

        EventDispatcher.Result result = new EventDispatcher(List.of(subscriber), checkpoints, store).dispatch(batch);

        assertThat(result.failure()).isInstanceOf(CheckpointConflictException.class);
        assertThat(result.failedIndex()).isEqualTo(1); // version 1 was taken by the other consumer
        assertThat(checkpoints.position("very-contended", StreamId.of("Account", "hot"))).isEqualTo(2);
    }

    @Test
    void a_write_with_the_checkpoint_to_an_item_a_scope_attachment_also_writes_is_refused_at_the_write() {
        accounts.create("twice", new BankAccount.Open("ann"));
        accounts.update("twice", new BankAccount.Deposit(1));
        Map<String, AttributeValue> key = Map.of("streamId", AttributeValue.fromS("twice-summary"));
        Object attachmentKey = new Object();
        List<Exception> refused = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder("both-ways").on(new BankAccount(), (e, ctx) -> {
            if (e.version() == 1) { // an attachment buffers a Put of the summary item
                ctx.attachment(attachmentKey, () -> new PutOnce(TransactWriteItem.builder().put(
                        software.amazon.awssdk.services.dynamodb.model.Put.builder().tableName(effectsTable)
                                .item(Map.of("streamId", key.get("streamId"), "n", AttributeValue.fromN("1")))
                                .build()).build()));
            } else { // and the handler writes the same item with the checkpoint
                try {
                    ctx.writeWithCheckpoint(TransactWriteItem.builder().update(Update.builder()
                            .tableName(effectsTable).key(key).updateExpression("SET #n = :two")
                            .expressionAttributeNames(Map.of("#n", "n"))
                            .expressionAttributeValues(Map.of(":two", AttributeValue.fromN("2"))).build()).build());
                } catch (IllegalStateException e2) {
                    refused.add(e2);
                    throw e2;
                }
            }
        }).build();

        EventDispatcher.Result result = new EventDispatcher(List.of(subscriber), checkpoints, store)
                .dispatch(commitsOf("twice"));

        // refused at the write, with a message naming the mistake; the event before it was committed
        assertThat(refused).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("attachment")
                .hasMessageContaining("cannot write an item twice"));
        assertThat(result.failure()).isInstanceOf(IllegalStateException.class);
        assertThat(result.failedIndex()).isEqualTo(1);
        assertThat(checkpoints.position("both-ways", StreamId.of("Account", "twice"))).isEqualTo(1);
    }

    @Test
    void two_writes_are_the_same_item_when_one_names_a_key_the_other_holds() {
        Map<String, AttributeValue> key = Map.of("streamId", AttributeValue.fromS("k"));
        TransactWriteItem put = TransactWriteItem.builder().put(software.amazon.awssdk.services.dynamodb.model.Put
                .builder().tableName("t").item(Map.of("streamId", AttributeValue.fromS("k"),
                        "n", AttributeValue.fromN("1"))).build()).build();
        TransactWriteItem update = TransactWriteItem.builder().update(Update.builder().tableName("t").key(key)
                .updateExpression("SET n = :n").build()).build();
        TransactWriteItem elsewhere = TransactWriteItem.builder().update(Update.builder().tableName("u").key(key)
                .updateExpression("SET n = :n").build()).build();
        TransactWriteItem other = TransactWriteItem.builder().update(Update.builder().tableName("t")
                .key(Map.of("streamId", AttributeValue.fromS("j"))).updateExpression("SET n = :n").build()).build();

        assertThat(EventDispatcher.sameItem(update, put)).isTrue();
        assertThat(EventDispatcher.sameItem(put, update)).isTrue();
        assertThat(EventDispatcher.sameItem(update, elsewhere)).isFalse();
        assertThat(EventDispatcher.sameItem(update, other)).isFalse();
    }

    /** An attachment that contributes one write to the scope's last checkpoint move. */
    private static final class PutOnce implements ScopeWrites {
        private final TransactWriteItem write;
        private boolean pending = true;

        PutOnce(TransactWriteItem write) {
            this.write = write;
        }

        @Override
        public int size() {
            return pending ? 1 : 0;
        }

        @Override
        public List<TransactWriteItem> writes() {
            return pending ? List.of(write) : List.of();
        }

        @Override
        public void flushed() {
            pending = false;
        }

        @Override
        public void savepoint() {
        }

        @Override
        public void rollback() {
        }
    }
}
