package dev.nosqles.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.projection.internal.ReadModelTable;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The rows contract on DynamoDB (moto), through the real path: commit items dispatched to the read model's
 * subscriber, rows buffered per scope and written with the checkpoint.
 */
class DynamoDbRowsTest extends RowsContract {
    private final DynamoDbClient client = TestTables.client(new CapacityMeter());
    private DynamoDbEventStore store;
    private ReadModelTable table;
    private EventDispatcher dispatcher;
    private AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts;
    private int aggregates;

    @BeforeEach
    void tables() {
        store = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "rows"))
                .build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        DynamoDbCheckpointStore.createTable(client, "rows-checkpoints-" + suffix);
        ReadModelTable.createTable(client, "rows-read-models-" + suffix);
        table = new ReadModelTable(client, "rows-read-models-" + suffix, ReadModelFeedTest.KEY);
        dispatcher = new EventDispatcher(List.of(table.subscriber(projection, 1, "read-model.rows-contract.1")),
                DynamoDbCheckpointStore.builder().client(client).tableName("rows-checkpoints-" + suffix).build(),
                store);
        accounts = AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    }

    @Override
    protected void batch(List<Consumer<Rows<Item>>> events) {
        String id = "agg-" + ++aggregates;
        accounts.create(id, new BankAccount.Open("o"));
        for (int i = 1; i < events.size(); i++) {
            accounts.update(id, new BankAccount.Deposit(i));
        }
        List<Map<String, AttributeValue>> commits = client.query(b -> b.tableName(store.tableName())
                .consistentRead(true).keyConditionExpression("#s = :s")
                .expressionAttributeNames(Map.of("#s", CommitItems.STREAM_ID))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(StreamId.of("Account", id).value()))))
                .items();
        assertThat(commits).hasSize(events.size());
        scripts.clear();
        scripts.addAll(events);
        EventDispatcher.Result result = dispatcher.dispatch(commits);
        if (result.failure() instanceof RuntimeException e) {
            throw e;
        }
        assertThat(result.succeeded()).isTrue();
    }

    @Override
    protected Optional<Item> stored(String key) {
        return table.get(projection, 1, key);
    }
}
