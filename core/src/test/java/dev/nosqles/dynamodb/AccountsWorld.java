package dev.nosqles.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.Rows;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * A small read model of bank accounts on fresh tables in the local AWS: the events, checkpoints (with the
 * registry) and read-models tables, a repository to append with, a live feed that hands new commit items to the
 * read models' subscribers as the stream function does, and the fold of the event store a read model must equal.
 *
 * <p>Each row counts the events applied to it and sums their ids (as 64-bit hashes): an event applied twice, or
 * lost, or another's applied in its place, shows in the row, whatever the number of handler invocations.
 */
final class AccountsWorld {
    /** One account: the fold of its events, with a trace of what was applied. */
    record AccountRow(String accountId, String owner, long balance, int deposits, long events, long idSum,
                      long lastVersion) {
    }

    final DynamoDbClient client = TestTables.client(new CapacityMeter());
    final DynamoDbEventStore store;
    final String checkpointsTable;
    final String readModelsTable;
    final DynamoDbCheckpointStore checkpoints;
    final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts;
    /** Handler invocations per event id, over every version and every feeder. */
    final Map<UUID, AtomicInteger> invocations = new ConcurrentHashMap<>();
    final Projection<AccountRow> projection;
    final byte[] cursorKey = "0123456789abcdef0123456789abcdef-test-key".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    AccountsWorld(String name) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        store = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "rm")).build();
        checkpointsTable = "rm-checkpoints-" + suffix;
        DynamoDbCheckpointStore.createTable(client, checkpointsTable);
        checkpoints = DynamoDbCheckpointStore.builder().client(client).tableName(checkpointsTable).build();
        readModelsTable = "rm-read-models-" + suffix;
        DynamoDbReadModels.createTable(client, readModelsTable);
        accounts = AggregateRepository.builder(new BankAccount()).eventStore(store).build();
        projection = projection(name);
    }

    Projection<AccountRow> projection(String name) {
        return Projection.builder(name, AccountRow.class, AccountRow::accountId)
                .index("by-owner", AccountRow::owner, AccountRow::accountId)
                .on(new BankAccount(), (event, rows) -> {
                    invocations.computeIfAbsent(event.eventId(), id -> new AtomicInteger()).incrementAndGet();
                    project(event, rows);
                })
                .build();
    }

    /** The projection's pure function, used by the read model and by the expected fold alike. */
    static void project(EventEnvelope<BankAccount.Event> event, Rows<AccountRow> rows) {
        String id = event.streamId().id();
        long h = event.eventId().getMostSignificantBits() ^ event.eventId().getLeastSignificantBits();
        switch (event.event()) {
            case BankAccount.Opened o -> rows.put(new AccountRow(id, o.owner(), 0, 0, 1, h, event.version()));
            case BankAccount.Deposited d -> rows.update(id, r -> new AccountRow(id, r.owner(), r.balance() + d.amount(),
                    r.deposits() + 1, r.events() + 1, r.idSum() + h, event.version()));
            case BankAccount.Withdrawn w -> rows.update(id, r -> new AccountRow(id, r.owner(), r.balance() - w.amount(),
                    r.deposits(), r.events() + 1, r.idSum() + h, event.version()));
        }
    }

    DynamoDbReadModels.Builder readModels(Clock clock) {
        return readModels(clock, client);
    }

    DynamoDbReadModels.Builder readModels(Clock clock, DynamoDbClient via) {
        return DynamoDbReadModels.builder().client(via).readModelsTable(readModelsTable)
                .checkpointsTable(checkpointsTable).eventStore(store).projections(List.of(projection))
                .cursorKey(cursorKey).clock(clock).dropGrace(java.time.Duration.ZERO);
    }

    /** A client on the local AWS with extra interceptors (fault injection, counting). */
    static DynamoDbClient clientWith(ExecutionInterceptor... interceptors) {
        return dev.nosqles.localaws.LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> {
                    for (ExecutionInterceptor i : interceptors) {
                        o.addExecutionInterceptor(i);
                    }
                })
                .build();
    }

    static String accountId(int n) {
        return "acc-" + n;
    }

    static String owner(int n) {
        return "owner-" + (n % 3);
    }

    /** Opens accounts from..to-1 with a deposit, a two-deposit commit and a withdrawal: 5 events, 4 commits each. */
    void writeHistory(int from, int to) {
        for (int a = from; a < to; a++) {
            String id = accountId(a);
            accounts.create(id, new BankAccount.Open(owner(a)));
            accounts.update(id, new BankAccount.Deposit(10 + a));
            accounts.update(id, new BankAccount.DepositTwice(1, 2));
            accounts.update(id, new BankAccount.Withdraw(3));
        }
    }

    /** The commit item a command wrote (what the stream's NEW_IMAGE carries). */
    Map<String, AttributeValue> commitItem(CommandResult<BankAccount.State, BankAccount.Event> result) {
        EventEnvelope<BankAccount.Event> first = result.events().get(0);
        return client.getItem(b -> b.tableName(store.tableName()).consistentRead(true)
                .key(CommitItems.key(first.streamId(), first.version()))).item();
    }

    /** Every commit item of the events table. */
    List<Map<String, AttributeValue>> allCommitItems() {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = client.scan(b -> b.tableName(store.tableName()).consistentRead(true)
                    .exclusiveStartKey(from));
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    /**
     * Feeds a batch as the stream function does: the subscribers read after the records were fetched, Lambda's
     * retry from the failed record (a checkpoint conflict with a rebuild is such a failure), then the freshness.
     */
    void feed(DynamoDbReadModels readModels, List<Map<String, AttributeValue>> batch) {
        EventDispatcher dispatcher = new EventDispatcher(readModels::subscribers, checkpoints, store);
        List<Map<String, AttributeValue>> remaining = batch;
        for (int attempt = 0; attempt < 100 && !remaining.isEmpty(); attempt++) {
            EventDispatcher.Result result = dispatcher.dispatch(remaining);
            if (result.succeeded()) {
                remaining = List.of();
            } else {
                remaining = remaining.subList(result.failedIndex(), remaining.size());
            }
        }
        assertThat(remaining).as("batch delivered").isEmpty();
        Instant newest = batch.stream().map(i -> Instant.parse(i.get(CommitItems.TIMESTAMP).s()))
                .max(Instant::compareTo).orElseThrow();
        readModels.recordFed(newest);
    }

    /** The rows a read model must hold: the projection applied to the event store's history, in memory. */
    Map<String, AccountRow> fold(List<String> accountIds) {
        Map<String, AccountRow> rows = new HashMap<>();
        Rows<AccountRow> memory = new Rows<>() {
            @Override
            public Optional<AccountRow> get(String key) {
                return Optional.ofNullable(rows.get(key));
            }

            @Override
            public void put(AccountRow row) {
                rows.put(row.accountId(), row);
            }

            @Override
            public void update(String key, UnaryOperator<AccountRow> change) {
                rows.computeIfPresent(key, (k, r) -> change.apply(r));
            }

            @Override
            public void delete(String key) {
                rows.remove(key);
            }
        };
        for (String id : accountIds) {
            for (EventEnvelope<BankAccount.Event> e : accounts.history(id)) {
                project(e, memory);
            }
        }
        return rows;
    }

    /** Every event id in the event store, with its stream. */
    Map<UUID, StreamId> allEventIds(List<String> accountIds) {
        Map<UUID, StreamId> ids = new HashMap<>();
        for (String id : accountIds) {
            accounts.history(id).forEach(e -> ids.put(e.eventId(), e.streamId()));
        }
        return ids;
    }

    /** Items whose key starts with the prefix, in a table keyed by {@code keyAttribute}. */
    long countItems(String table, String keyAttribute, String prefix) {
        long count = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = client.scan(b -> b.tableName(table).consistentRead(true)
                    .filterExpression("begins_with(#k, :p)").expressionAttributeNames(Map.of("#k", keyAttribute))
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(prefix))).exclusiveStartKey(from));
            count += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return count;
    }

    long readModelRows(String name, int version) {
        return countItems(readModelsTable, "pk", name + "#" + version + "#");
    }

    /** Items of one subscriber (checkpoints or rebuild progress) in the checkpoints table. */
    long checkpointItems(String subscriber) {
        return client.query(b -> b.tableName(checkpointsTable).consistentRead(true)
                .keyConditionExpression("#p = :p").expressionAttributeNames(Map.of("#p", "subscriber"))
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(subscriber)))).count();
    }
}
