package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySagaDeadlines;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlines kept by the sweeper alone (ADR 0013): no deadline message; the index entry written with the saga's commit
 * is unarmed (its deadline plus the allowance for unsent commands) and the command sender arms it when the command
 * leaves, so a deadline measures the participant's silence from the send, never the stream's backlog before it.
 */
class SweeperDeadlinesTest {
    private static final Duration ALLOWANCE = Duration.ofMinutes(5);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final SagaManager<Transfer.Data> sagas =
            SagaManager.builder(Transfer.definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                    .sender(sender).deadlines(deadlines).sweeperDeadlines(ALLOWANCE).clock(clock).build();
    private final SagaSweeper sweeper = new SagaSweeper(deadlines, List.of(sagas), clock);
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).build();
    private final Feed feed = new Feed(store, new EventDispatcher(
            List.of(sagas.commandSender(), participant.replySender()), new InMemoryCheckpointStore(), store));
    private final List<StreamId> streams = new ArrayList<>();

    @BeforeEach
    void accounts() {
        streams.addAll(Transfer.openAccounts(accounts));
    }

    private String start(String event) {
        return Transfer.start(sagas, event, streams);
    }

    /** Stream -> queues -> handlers until nothing moves; commands for which {@code lose} holds are dropped. */
    private void settle(Predicate<CommandMessage> lose) {
        feed.settle(streams, sender, participant, sagas, lose);
    }

    private SagaStatus status(String sagaId) {
        return sagas.find(sagaId).orElseThrow().status();
    }

    private Instant due(String sagaId) {
        return deadlines.all().stream().filter(e -> e.sagaId().equals(sagaId)).findFirst().orElseThrow().dueAt();
    }

    @Test
    void the_command_leaves_without_a_deadline_message_and_its_send_arms_the_entry() {
        String sagaId = start("event-1");
        assertThat(due(sagaId)).isEqualTo(T0.plusSeconds(30).plus(ALLOWANCE)); // unarmed: nothing sent yet

        feed.pump(streams);

        assertThat(sender.deadlines).isEmpty();
        assertThat(sender.all).singleElement().isInstanceOf(CommandMessage.class);
        assertThat(due(sagaId)).isEqualTo(T0.plusSeconds(30)); // armed: the step's 30 s from the send
    }

    @Test
    void a_command_relayed_after_a_backlog_gets_its_whole_window_from_the_send_and_a_silent_participant_is_then_given_up() {
        String sagaId = start("event-late");
        clock.advance(Duration.ofSeconds(100)); // a stream backlog: the command sender relays 100 s after the commit
        assertThat(sweeper.sweep().pastDue()).isZero(); // the unarmed entry is not due: nothing was sent yet

        feed.pump(streams);
        sender.commands.clear(); // the command is lost: its participant stays silent
        assertThat(due(sagaId)).isEqualTo(T0.plusSeconds(130));

        clock.advance(Duration.ofSeconds(29));
        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(0, 0, 0));
        assertThat(status(sagaId)).isEqualTo(SagaStatus.RUNNING);
        clock.advance(Duration.ofSeconds(1));
        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(1, 1, 0));
        settle(c -> false);
        assertThat(status(sagaId)).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(sagas.find(sagaId).orElseThrow().reason()).isEqualTo("withdraw:deadline-expired");
    }

    @Test
    void a_participant_answering_within_its_window_after_a_backlog_decides_the_saga_on_its_merits() {
        String sagaId = start("event-backlog");
        clock.advance(Duration.ofSeconds(100)); // without arming, the deadline would have passed 70 s ago
        feed.pump(streams);
        clock.advance(Duration.ofSeconds(20));
        assertThat(sweeper.sweep().pastDue()).isZero();

        settle(c -> false);

        assertThat(status(sagaId)).isEqualTo(SagaStatus.COMPLETED);
        assertThat(deadlines.all()).isEmpty();
    }

    @Test
    void a_command_never_sent_falls_due_at_its_deadline_plus_the_allowance_and_the_sweeper_acts_on_it() {
        String sagaId = start("event-unsent"); // the stream function gave up on the record: nothing is ever relayed

        clock.advance(Duration.ofSeconds(30).plus(ALLOWANCE).minusMillis(1));
        assertThat(sweeper.sweep().pastDue()).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(1, 1, 0));
        assertThat(sagas.find(sagaId).orElseThrow().status()).isNotEqualTo(SagaStatus.RUNNING);
    }

    @Test
    void a_lost_command_after_the_pivot_is_re_sent_at_its_armed_deadline_and_the_saga_completes() {
        String sagaId = start("event-1");
        List<CommandMessage> lost = new ArrayList<>();
        settle(c -> c.target().equals("audit") && lost.add(c));
        assertThat(status(sagaId)).isEqualTo(SagaStatus.RUNNING);

        clock.advance(SagaDefinition.DEFAULT_DEADLINE);
        assertThat(sweeper.sweep().handled()).isEqualTo(1);
        feed.pump(streams); // the re-send (attempt 1) arms its own entry
        assertThat(due(sagaId)).isEqualTo(clock.instant().plus(SagaDefinition.DEFAULT_DEADLINE));
        settle(c -> false);

        assertThat(status(sagaId)).isEqualTo(SagaStatus.COMPLETED);
        assertThat(sender.deadlines).isEmpty();
        assertThat(deadlines.all()).isEmpty();
    }

    @Test
    void sweeper_deadlines_need_an_index_and_a_non_negative_allowance() {
        assertThatThrownBy(() -> SagaManager.builder(Transfer.definition()).eventStore(store).sender(sender)
                .sweeperDeadlines(ALLOWANCE).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deadline index");
        assertThatThrownBy(() -> SagaManager.builder(Transfer.definition()).eventStore(store).sender(sender)
                .deadlines(SagaDeadlines.none()).sweeperDeadlines(ALLOWANCE).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("deadline index");
        assertThatThrownBy(() -> SagaManager.builder(Transfer.definition()).eventStore(store).sender(sender)
                .deadlines(deadlines).sweeperDeadlines(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SagaManager.builder(Transfer.definition()).sweeperDeadlines(null))
                .isInstanceOf(NullPointerException.class);
    }
}
