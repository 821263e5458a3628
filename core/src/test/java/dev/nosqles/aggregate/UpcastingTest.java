package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Events stored in old schemas load as the current ones, on both stores. */
class UpcastingTest {
    private static DynamoDbClient client;

    static Stream<EventStore> stores() {
        if (client == null) {
            client = TestTables.client(new CapacityMeter());
        }
        return Stream.of(new InMemoryEventStore(),
                DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "upcast")).build());
    }

    private static NewEvent stored(String type, int schema, String json) {
        return new NewEvent(UUID.randomUUID(), type, schema, json);
    }

    private static AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> repo(EventStore s) {
        return AggregateRepository.builder(new BankAccount()).eventStore(s).build();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void events_of_every_old_schema_load_as_the_current_one(EventStore store) {
        StreamId stream = StreamId.of("Account", "old-1");
        store.append(stream, ExpectedVersion.noStream(), List.of(
                stored("AccountOpened", 1, "{\"owner\":\"ann\"}"),
                // v1: another type name and field name
                stored("CashDeposited", 1, "{\"sum\":10}"),
                // v1 under the new name (between the two renames)
                stored("MoneyDeposited", 1, "{\"sum\":20}"),
                // v2: renamed field, no currency yet
                stored("MoneyDeposited", 2, "{\"amount\":30}"),
                // v3: current
                stored("MoneyDeposited", 3, "{\"amount\":40,\"currency\":\"USD\"}")), EventMetadata.empty());

        List<EventEnvelope<BankAccount.Event>> history = repo(store).history("old-1");

        assertThat(history).extracting(EventEnvelope::event).containsExactly(
                new BankAccount.Opened("ann"),
                new BankAccount.Deposited(10, "EUR"),
                new BankAccount.Deposited(20, "EUR"),
                new BankAccount.Deposited(30, "EUR"),
                new BankAccount.Deposited(40, "USD"));
        assertThat(history.get(1).storedType()).isEqualTo("CashDeposited");
        assertThat(history.get(1).storedSchemaVersion()).isEqualTo(1);
        assertThat(history.get(1).type()).isEqualTo("MoneyDeposited");
        assertThat(repo(store).get("old-1").state().balance()).isEqualTo(100);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void an_unknown_type_or_a_schema_without_upcaster_is_a_typed_error(EventStore store) {
        StreamId stream = StreamId.of("Account", "odd-1");
        store.append(stream, ExpectedVersion.noStream(), List.of(stored("AccountOpened", 1, "{\"owner\":\"ann\"}"),
                stored("AccountFrozen", 1, "{}")), EventMetadata.empty());
        StreamId future = StreamId.of("Account", "future-1");
        store.append(future, ExpectedVersion.noStream(), List.of(stored("AccountOpened", 7, "{\"owner\":\"x\"}")),
                EventMetadata.empty());

        assertThatThrownBy(() -> repo(store).get("odd-1"))
                .isInstanceOfSatisfying(UnknownEventTypeException.class, e -> {
                    assertThat(e.type()).isEqualTo("AccountFrozen");
                    assertThat(e.version()).isEqualTo(2);
                    assertThat(e.streamId()).isEqualTo(stream);
                });
        assertThatThrownBy(() -> repo(store).get("future-1"))
                .isInstanceOfSatisfying(UnknownEventTypeException.class,
                        e -> assertThat(e.schemaVersion()).isEqualTo(7));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void data_that_does_not_fit_the_event_is_a_typed_error_without_the_data(EventStore store) {
        StreamId stream = StreamId.of("Account", "bad-1");
        store.append(stream, ExpectedVersion.noStream(), List.of(stored("AccountOpened", 1, "{\"owner\":\"ann\"}"),
                stored("MoneyWithdrawn", 1, "{\"amount\":\"secret-not-a-number\"}")), EventMetadata.empty());

        assertThatThrownBy(() -> repo(store).get("bad-1"))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.version()).isEqualTo(2);
                    assertThat(e.type()).isEqualTo("MoneyWithdrawn");
                    assertThat(e.path()).isEqualTo("amount");
                    assertThat(e.getMessage()).doesNotContain("secret");
                });
    }
}
