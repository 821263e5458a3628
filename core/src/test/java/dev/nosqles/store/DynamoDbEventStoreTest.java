package dev.nosqles.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.capacity.CapacityMeter.Operation;
import dev.nosqles.store.dynamodb.DynamoDbEventStore;
import dev.nosqles.testsupport.MutableClock;
import dev.nosqles.testsupport.TestTables;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The contract on DynamoDB (moto by default), plus what only DynamoDB can show: requests and units. */
class DynamoDbEventStoreTest extends EventStoreContract {
    private static final CapacityMeter METER = new CapacityMeter();
    private static DynamoDbClient client;
    private static String table;

    @BeforeAll
    static void createTable() {
        client = TestTables.client(METER);
        table = TestTables.newEventsTable(client, "contract");
    }

    @AfterAll
    static void dropTable() {
        client.deleteTable(b -> b.tableName(table));
        client.close();
    }

    @Override
    protected EventStore createStore(MutableClock clock) {
        return DynamoDbEventStore.builder().client(client).tableName(table).clock(clock).build();
    }

    @Test
    void a_single_small_event_is_one_conditional_put_item_costing_one_write_unit() {
        StreamId stream = newStream();
        store().append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty());
        ExpectedVersion v = store().read(stream).expectedVersion();

        CapacityMeter.Usage before = METER.usage();
        store().append(stream, v, List.of(event("Happened", "{\"text\":\"" + "a".repeat(600) + "\"}")),
                new EventMetadata("c", "c", "m", "alice"));
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(used.totalRequests()).isEqualTo(1);
        assertThat(used.requests(Operation.PUT_ITEM)).isEqualTo(1);
        assertThat(used.writeUnits()).isEqualTo(1);
    }

    @Test
    void five_small_events_are_one_put_item_not_a_transaction() {
        StreamId stream = newStream();
        CapacityMeter.Usage before = METER.usage();
        store().append(stream, ExpectedVersion.noStream(),
                java.util.stream.IntStream.range(0, 5).mapToObj(i -> event("Small", "{\"text\":\"" + "b".repeat(100)
                        + "\"}")).toList(), EventMetadata.empty());
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(used.totalRequests()).isEqualTo(1);
        assertThat(used.requests(Operation.TRANSACT_WRITE_ITEMS)).isZero();
        assertThat(used.writeUnits()).isEqualTo(1);
    }

    @Test
    void an_unverified_expected_version_costs_one_extra_single_item_query() {
        StreamId stream = newStream();
        store().append(stream, ExpectedVersion.noStream(), events(2), EventMetadata.empty());
        CapacityMeter.Usage before = METER.usage();
        store().append(stream, ExpectedVersion.exactly(2), events(1), EventMetadata.empty());
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(used.requests(Operation.QUERY)).isEqualTo(1);
        assertThat(used.requests(Operation.PUT_ITEM)).isEqualTo(1);
        assertThat(used.itemsRead()).isEqualTo(1);
    }

    @Test
    void reading_from_a_commit_boundary_is_one_query() {
        StreamId stream = newStream();
        store().append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());
        store().append(stream, ExpectedVersion.exactly(3), events(2), EventMetadata.empty());
        CapacityMeter.Usage before = METER.usage();
        assertThat(store().read(stream, ReadRequest.from(4)).events()).hasSize(2);
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(used.requests(Operation.QUERY)).isEqualTo(1);
        assertThat(used.itemsRead()).isEqualTo(1);
    }

    @Test
    void reading_after_a_known_commit_end_is_one_query_even_when_nothing_follows() {
        StreamId stream = newStream();
        store().append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());
        CapacityMeter.Usage before = METER.usage();
        StreamSlice slice = store().read(stream, ReadRequest.afterCommitEnd(3));
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(slice.events()).isEmpty();
        assertThat(slice.streamVersion()).isEqualTo(3);
        assertThat(used.requests(Operation.QUERY)).isEqualTo(1);
        assertThat(used.itemsRead()).isZero();
    }
}
