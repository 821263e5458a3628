package dev.nosqles.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.InvalidReadException;
import dev.nosqles.store.InvalidStreamIdException;
import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A stream's history on the local AWS: all of it, up to a version, as of an instant, with each commit's metadata. */
class StreamHistoriesTest {
    private static final LocalAws AWS = LocalAws.shared();
    private static final DynamoDbClient DYNAMO = AWS.configure(DynamoDbClient.builder())
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private StreamHistories histories;

    @BeforeEach
    void given_a_counter_written_in_three_commits_a_minute_apart() {
        String table = "history-events-" + UUID.randomUUID().toString().substring(0, 8);
        EventTables.createEventsTable(DYNAMO, table);
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(DYNAMO).tableName(table).clock(clock).build();
        AggregateRepository<Counter.State, Counter.Command, Counter.Event> counters =
                AggregateRepository.builder(new Counter()).eventStore(store).clock(clock).build();
        counters.create("c1", new Counter.Create(), new EventMetadata("corr-1", "cause-1", "msg-1", "alice"));
        clock.advance(Duration.ofMinutes(1));
        counters.update("c1", new Counter.Increment(5), new EventMetadata("corr-2", "cause-2", "msg-2", "bob"));
        clock.advance(Duration.ofMinutes(1));
        counters.update("c1", new Counter.Increment(7), new EventMetadata("corr-3", "cause-3", "msg-3", "carol"));
        histories = new StreamHistories(store);
    }

    @Test
    void the_whole_history_carries_every_commits_metadata_and_the_stored_data() {
        StreamHistory h = histories.history(Counter.TYPE, "c1", HistoryQuery.all());

        assertThat(h.aggregateType()).isEqualTo(Counter.TYPE);
        assertThat(h.aggregateId()).isEqualTo("c1");
        assertThat(h.lastVersion()).isEqualTo(3);
        assertThat(h.entries()).extracting(HistoryEntry::version).containsExactly(1L, 2L, 3L);
        assertThat(h.entries()).extracting(HistoryEntry::type)
                .containsExactly("CounterCreated", "CounterIncremented", "CounterIncremented");
        HistoryEntry second = h.entries().get(1);
        assertThat(second.correlationId()).isEqualTo("corr-2");
        assertThat(second.causationId()).isEqualTo("cause-2");
        assertThat(second.messageId()).isEqualTo("msg-2");
        assertThat(second.principal()).isEqualTo("bob");
        assertThat(second.recordedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(second.schemaVersion()).isEqualTo(1);
        assertThat(second.eventId()).isNotBlank();
        assertThat(second.pseudo()).isFalse();
        assertThat(second.data()).contains("\"by\"").contains("5");
    }

    @Test
    void at_a_version_it_stops_there() {
        StreamHistory h = histories.history(Counter.TYPE, "c1", HistoryQuery.atVersion(2));

        assertThat(h.entries()).extracting(HistoryEntry::version).containsExactly(1L, 2L);
        assertThat(h.lastVersion()).isEqualTo(2);
    }

    @Test
    void as_of_an_instant_it_shows_the_commits_written_at_or_before_it() {
        StreamHistory between = histories.history(Counter.TYPE, "c1",
                HistoryQuery.asOf(T0.plus(Duration.ofSeconds(90))));
        StreamHistory exactly = histories.history(Counter.TYPE, "c1",
                HistoryQuery.asOf(T0.plus(Duration.ofMinutes(1))));
        StreamHistory before = histories.history(Counter.TYPE, "c1", HistoryQuery.asOf(T0.minusSeconds(1)));

        assertThat(between.entries()).extracting(HistoryEntry::principal).containsExactly("alice", "bob");
        assertThat(exactly.entries()).extracting(HistoryEntry::version).containsExactly(1L, 2L);
        assertThat(before.entries()).isEmpty();
        assertThat(before.lastVersion()).isZero();
    }

    @Test
    void an_unknown_stream_is_a_typed_error_whatever_the_query() {
        assertThatThrownBy(() -> histories.history(Counter.TYPE, "nobody", HistoryQuery.all()))
                .isInstanceOf(StreamNotFoundException.class)
                .satisfies(e -> assertThat(((StreamNotFoundException) e).streamId().id()).isEqualTo("nobody"));
        assertThatThrownBy(() -> histories.history(Counter.TYPE, "nobody", HistoryQuery.atVersion(1)))
                .isInstanceOf(StreamNotFoundException.class);
        assertThatThrownBy(() -> histories.history(Counter.TYPE, "nobody", HistoryQuery.asOf(T0)))
                .isInstanceOf(StreamNotFoundException.class);
        assertThatThrownBy(() -> histories.history("Not-A-Type", "c1", HistoryQuery.all()))
                .isInstanceOf(InvalidStreamIdException.class);
    }

    @Test
    void a_query_is_one_of_all_a_version_or_an_instant() {
        assertThatThrownBy(() -> HistoryQuery.atVersion(0)).isInstanceOf(InvalidReadException.class)
                .isInstanceOf(dev.nosqles.EventSourcingException.class);
        assertThatThrownBy(() -> new HistoryQuery(2L, T0)).isInstanceOf(InvalidReadException.class);
        assertThat(HistoryQuery.all()).isEqualTo(new HistoryQuery(null, null));
    }
}
