package dev.nosqles.saga;

import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import dev.nosqles.memory.InMemorySagaDeadlines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.saga.SagaDeadlines.Entry;
import dev.nosqles.testsupport.TestTables;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The deadline index, in memory and in DynamoDB (moto): the same version rules. */
class SagaDeadlinesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static Stream<SagaDeadlines> indexes() {
        DynamoDbClient client = TestTables.client(new CapacityMeter());
        String table = "saga-deadlines-" + UUID.randomUUID().toString().substring(0, 8);
        DynamoDbSagaDeadlines.createTable(client, table);
        return Stream.of(new InMemorySagaDeadlines(), DynamoDbSagaDeadlines.builder().client(client).tableName(table)
                .build());
    }

    private static Entry entry(String sagaId, String command, long dueSeconds, long version) {
        return new Entry(sagaId, "TransferSaga", command, 0, T0.plusSeconds(dueSeconds), version, T0);
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void only_entries_due_at_or_before_now_are_due(SagaDeadlines index) {
        index.put(entry("s1", "c1", 30, 3));
        index.put(entry("s2", "c2", 60, 3));

        assertThat(index.due(T0.plusSeconds(29))).isEmpty();
        assertThat(index.due(T0.plusSeconds(30))).containsExactly(entry("s1", "c1", 30, 3));
        assertThat(index.due(T0.plusSeconds(90))).hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void a_write_from_an_older_or_the_same_saga_version_never_replaces_a_newer_entry(SagaDeadlines index) {
        index.put(entry("s1", "c2", 60, 6));

        index.put(entry("s1", "c1", 30, 3)); // a slow writer with an older version
        index.put(entry("s1", "c9", 10, 6)); // the same version again (an SDK retry of a write that landed)

        assertThat(index.due(T0.plusSeconds(3600))).containsExactly(entry("s1", "c2", 60, 6));
        index.put(entry("s1", "c3", 90, 8));
        assertThat(index.due(T0.plusSeconds(3600))).containsExactly(entry("s1", "c3", 90, 8));
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void removing_takes_out_entries_up_to_that_version_only_and_is_idempotent(SagaDeadlines index) {
        index.put(entry("s1", "c2", 60, 6));
        index.remove("s1", 5);
        assertThat(index.due(T0.plusSeconds(3600))).hasSize(1);

        index.remove("s1", 9);
        index.remove("s1", 9);
        index.remove("never-there", 1);

        assertThat(index.due(T0.plusSeconds(3600))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void an_entry_keeps_the_sagas_correlation_id_and_one_written_without_it_still_loads(SagaDeadlines index) {
        Entry correlated = new Entry("s1", "TransferSaga", "c1", 0, T0, 3, T0, "req-1");
        index.put(correlated);
        index.put(entry("s2", "c2", 0, 3)); // as written before entries kept a correlation id

        assertThat(index.due(T0)).containsExactlyInAnyOrder(correlated, entry("s2", "c2", 0, 3));
        assertThat(index.due(T0)).filteredOn(e -> e.sagaId().equals("s2")).singleElement()
                .satisfies(e -> assertThat(e.correlationId()).isNull());
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void postponing_moves_only_the_entry_of_that_command_attempt_and_only_later(SagaDeadlines index) {
        index.put(entry("s1", "c1", 30, 3));

        index.postpone("s1", "c1", 0, T0.plusSeconds(50));
        index.postpone("s1", "c1", 0, T0.plusSeconds(40)); // earlier than now: stays at 50
        index.postpone("s1", "c9", 0, T0.plusSeconds(90)); // another command
        index.postpone("s1", "c1", 1, T0.plusSeconds(90)); // another attempt
        index.postpone("never-there", "c1", 0, T0.plusSeconds(90)); // no entry: none is made

        assertThat(index.due(T0.plusSeconds(49))).isEmpty();
        assertThat(index.due(T0.plusSeconds(3600))).singleElement().satisfies(e -> {
            assertThat(e.dueAt()).isEqualTo(T0.plusSeconds(50));
            assertThat(e.version()).isEqualTo(3);
            assertThat(e.sentAt()).isEqualTo(T0);
        });
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void arming_sets_the_due_time_of_that_command_attempt_once_earlier_or_later_and_a_newer_entry_is_unarmed(
            SagaDeadlines index) {
        index.put(entry("s1", "c1", 330, 3)); // written with the commit: the deadline plus the unsent allowance

        index.arm("s1", "c9", 0, T0.plusSeconds(10)); // another command
        index.arm("s1", "c1", 1, T0.plusSeconds(10)); // another attempt
        index.arm("never-there", "c1", 0, T0.plusSeconds(10)); // no entry: none is made
        assertThat(index.due(T0.plusSeconds(329))).isEmpty();

        index.arm("s1", "c1", 0, T0.plusSeconds(35)); // sent: earlier than the unarmed due time
        index.arm("s1", "c1", 0, T0.plusSeconds(95)); // sent again (a retried batch): the first send counts
        assertThat(index.due(T0.plusSeconds(34))).isEmpty();
        assertThat(index.due(T0.plusSeconds(35))).singleElement().satisfies(e -> {
            assertThat(e.dueAt()).isEqualTo(T0.plusSeconds(35));
            assertThat(e.version()).isEqualTo(3);
            assertThat(e.sentAt()).isEqualTo(T0);
        });

        // the saga's next commit awaits another command: unarmed again, and armed by its own send
        index.put(entry("s1", "c2", 700, 5));
        index.arm("s1", "c1", 0, T0.plusSeconds(40)); // the old command's late second send changes nothing
        assertThat(index.due(T0.plusSeconds(699))).isEmpty();
        index.arm("s1", "c2", 0, T0.plusSeconds(400));
        assertThat(index.due(T0.plusSeconds(400))).singleElement()
                .satisfies(e -> assertThat(e.commandMessageId()).isEqualTo("c2"));
    }
}
