package dev.nosqles.saga;

import dev.nosqles.memory.InMemorySagaDeadlines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.metrics.Metric;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.CountingMetrics;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sagas started, completed, failed and past due, counted once each, whatever is delivered twice. */
class SagaMetricsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();
    private final CountingMetrics metrics = new CountingMetrics();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final SagaManager<Transfer.Data> sagas = SagaManager.builder(Transfer.definition()).eventStore(store)
            .snapshotStore(SnapshotStore.none()).sender(sender).deadlines(deadlines).clock(clock).metrics(metrics)
            .build();
    private final SagaSweeper sweeper = new SagaSweeper(deadlines, List.of(sagas), clock, metrics);
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).build();
    private final Feed feed = new Feed(store, new EventDispatcher(
            List.of(sagas.commandSender(), participant.replySender()), new InMemoryCheckpointStore(), store));
    private final List<StreamId> streams = new ArrayList<>();

    @BeforeEach
    void accounts() {
        for (String id : List.of("a", "b", "audit")) {
            accounts.create(id, new BankAccount.Open(id));
        }
        accounts.update("a", new BankAccount.Deposit(10));
        streams.addAll(List.of(accounts.streamId("a"), accounts.streamId("b"), accounts.streamId("audit")));
    }

    private String start(String event, long amount) {
        String sagaId = sagas.start(event, new Transfer.Data("a", "b", amount, null), EventMetadata.empty()).saga()
                .sagaId();
        streams.add(sagas.repository().streamId(sagaId));
        return sagaId;
    }

    /** Stream -> queues -> handlers until nothing moves; every reply is delivered twice. */
    private void settle(Predicate<CommandMessage> lose) {
        while (feed.pump(streams) > 0 || !sender.commands.isEmpty() || !sender.replies.isEmpty()) {
            List<CommandMessage> commands = List.copyOf(sender.commands);
            sender.commands.clear();
            commands.stream().filter(lose.negate()).forEach(participant::handle);
            List<SagaMessage.ReplyMessage> replies = List.copyOf(sender.replies);
            sender.replies.clear();
            replies.forEach(sagas::handle);
            replies.forEach(sagas::handle);
        }
    }

    @Test
    void a_saga_that_completes_is_counted_started_once_and_completed_once_though_its_replies_came_twice() {
        String sagaId = start("event-1", 5);
        start("event-1", 5); // the starting event delivered again
        settle(c -> false);

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(metrics.count(Metric.SAGAS_STARTED)).isEqualTo(1);
        assertThat(metrics.count(Metric.SAGAS_COMPLETED)).isEqualTo(1);
        assertThat(metrics.count(Metric.SAGAS_FAILED)).isZero();
        assertThat(metrics.count(Metric.DUPLICATES_DROPPED)).isPositive();
    }

    @Test
    void a_compensated_saga_counts_as_failed_and_the_sweeper_counts_what_it_found_past_due() {
        String sagaId = start("event-1", 5);
        settle(c -> c.target().equals("b")); // the deposit is never answered
        sweeper.sweep();
        assertThat(metrics.count(Metric.SAGAS_PAST_DUE)).isZero();

        clock.advance(Duration.ofSeconds(10));
        sweeper.sweep();
        settle(c -> false);

        assertThat(metrics.count(Metric.SAGAS_PAST_DUE)).isEqualTo(1);
        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(metrics.nonZero()).containsEntry(Metric.SAGAS_FAILED, 1L).doesNotContainKey(Metric.SAGAS_COMPLETED)
                .containsEntry(Metric.SAGAS_STARTED, 1L);
        assertThat(Map.copyOf(metrics.nonZero())).isNotEmpty();
    }
}
