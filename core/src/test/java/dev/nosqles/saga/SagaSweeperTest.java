package dev.nosqles.saga;

import dev.nosqles.memory.InMemorySagaDeadlines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.saga.SagaEvent.SagaCommandEvent;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.DeadlineMessage;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** No saga left hanging: the deadline index and the sweeper, in memory, with messages lost on purpose. */
class SagaSweeperTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final SagaManager<Transfer.Data> sagas =
            SagaManager.builder(Transfer.definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                    .sender(sender).deadlines(deadlines).clock(clock).build();
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
    private void settle(java.util.function.Predicate<CommandMessage> lose) {
        feed.settle(streams, sender, participant, sagas, lose);
    }

    private SagaInstance<Transfer.Data> saga(String sagaId) {
        return sagas.find(sagaId).orElseThrow();
    }

    private List<String> principals(String sagaId) {
        return sagas.repository().history(sagaId).stream().map(EventEnvelope::metadata)
                .map(EventMetadata::principal).distinct().toList();
    }

    @Test
    void the_deadline_is_scheduled_before_the_command_leaves_and_both_carry_when_the_command_was_decided() {
        start("event-1");
        feed.pump(streams);

        assertThat(sender.all).hasSize(2);
        DeadlineMessage deadline = (DeadlineMessage) sender.all.get(0);
        CommandMessage command = (CommandMessage) sender.all.get(1);
        assertThat(deadline.commandMessageId()).isEqualTo(command.messageId());
        assertThat(command.sentAt()).isEqualTo(deadline.sentAt()).isEqualTo(clock.instant());
    }

    @Test
    void the_index_holds_what_a_running_saga_waits_for_until_when_and_forgets_a_finished_saga() {
        String sagaId = start("event-1");

        assertThat(deadlines.all()).singleElement().satisfies(e -> {
            assertThat(e.sagaId()).isEqualTo(sagaId);
            assertThat(e.commandMessageId()).isEqualTo(saga(sagaId).awaitingCommandId());
            assertThat(e.dueAt()).isEqualTo(Instant.parse("2026-01-01T00:00:30Z"));
        });
        settle(c -> false);

        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(deadlines.all()).isEmpty();
    }

    @Test
    void a_start_redelivered_after_the_saga_finished_puts_no_entry_back_and_the_sweeper_finds_nothing_due() {
        String sagaId = start("event-1");
        settle(c -> false);
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.COMPLETED);

        SagaResult<Transfer.Data> again = sagas.start("event-1", new Transfer.Data("a", "b", 5, null),
                EventMetadata.empty());
        clock.advance(Duration.ofDays(1));

        assertThat(again.duplicate()).isTrue();
        assertThat(deadlines.all()).isEmpty();
        assertThat(sweeper.sweep().pastDue()).isZero();
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.COMPLETED);
    }

    @Test
    void a_start_redelivered_while_the_saga_waits_on_a_later_step_keeps_the_entry_of_that_step() {
        String sagaId = start("event-1");
        feed.pump(streams); // the first command leaves
        List<CommandMessage> first = List.copyOf(sender.commands);
        sender.commands.clear();
        first.forEach(participant::handle);
        feed.pump(streams); // its reply leaves
        List<SagaMessage.ReplyMessage> replies = List.copyOf(sender.replies);
        sender.replies.clear();
        replies.forEach(sagas::handle); // the saga moves on to its second step
        String awaited = saga(sagaId).awaitingCommandId();
        assertThat(awaited).isNotEqualTo(first.get(0).messageId());

        SagaResult<Transfer.Data> again = sagas.start("event-1", new Transfer.Data("a", "b", 5, null),
                EventMetadata.empty());

        assertThat(again.saga().awaitingCommandId()).isEqualTo(awaited);
        assertThat(deadlines.all()).singleElement()
                .satisfies(e -> assertThat(e.commandMessageId()).isEqualTo(awaited));
    }

    @Test
    void a_saga_whose_command_was_never_sent_is_compensated_by_the_sweeper_which_appears_in_its_history() {
        String sagaId = start("event-1"); // the stream function gave up: no command, no deadline message

        clock.advance(Duration.ofSeconds(29));
        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(0, 0, 0));
        clock.advance(Duration.ofSeconds(1));
        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(1, 1, 0));
        feed.pump(streams); // the stream function works again: the gap brings the first command, then the undo

        assertThat(sender.commands).extracting(CommandMessage::commandType).containsExactly("Withdraw", "Deposit");
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(saga(sagaId).reason()).isEqualTo("withdraw:deadline-expired");
        assertThat(principals(sagaId)).contains(SagaManager.SWEEPER_PRINCIPAL);
        assertThat(deadlines.all()).isEmpty();
        assertThat(sweeper.sweep().pastDue()).isZero();
    }

    @Test
    void a_lost_command_after_the_pivot_is_re_sent_by_the_sweeper_with_the_same_id_and_the_saga_completes() {
        String sagaId = start("event-1");
        List<CommandMessage> lost = new ArrayList<>();
        settle(c -> c.target().equals("audit") && lost.add(c)); // the audit command dies in a DLQ
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.RUNNING);

        clock.advance(SagaDefinition.DEFAULT_DEADLINE);
        assertThat(sweeper.sweep().handled()).isEqualTo(1);
        feed.pump(streams);
        List<CommandMessage> resent = List.copyOf(sender.commands);
        settle(c -> false);

        assertThat(resent).singleElement().satisfies(c -> {
            assertThat(c.messageId()).isEqualTo(lost.get(0).messageId());
            assertThat(c.attempt()).isEqualTo(1);
            assertThat(c.deduplicationId()).isNotEqualTo(lost.get(0).deduplicationId());
            assertThat(c.sentAt()).isEqualTo(lost.get(0).sentAt());
        });
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
        assertThat(deadlines.all()).isEmpty();
    }

    @Test
    void a_lost_compensation_is_re_sent_and_the_saga_ends_compensated_with_everything_undone_once() {
        String sagaId = start("event-1");
        // the deposit's reply never comes (b is slow), and the first compensation of the withdrawal dies in a DLQ
        List<CommandMessage> lost = new ArrayList<>();
        settle(c -> (c.target().equals("b") || c.target().equals("a") && lost.isEmpty() && isCompensation(c))
                && lost.add(c));
        clock.advance(Duration.ofSeconds(10));
        sweeper.sweep(); // the deposit is past due: compensate it (not awaited) and the withdrawal (awaited)
        settle(c -> c.target().equals("a") && lost.size() == 1 && lost.add(c));
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.COMPENSATING);

        clock.advance(SagaDefinition.DEFAULT_DEADLINE);
        sweeper.sweep();
        settle(c -> false);

        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
        assertThat(accounts.get("b").state().balance()).isZero();
    }

    @Test
    void a_command_that_never_gets_an_answer_ends_the_saga_failed_and_out_of_the_index() {
        String sagaId = start("event-1");
        settle(c -> c.target().equals("audit"));
        for (int sweep = 0; sweep <= SagaDefinition.DEFAULT_MAX_RESENDS; sweep++) {
            clock.advance(SagaDefinition.DEFAULT_DEADLINE);
            sweeper.sweep();
            settle(c -> c.target().equals("audit"));
        }

        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.FAILED);
        assertThat(saga(sagaId).reason()).isEqualTo("audit:unanswered");
        assertThat(deadlines.all()).isEmpty();
    }

    @Test
    void the_sweeper_and_the_deadline_message_of_the_same_attempt_act_once_between_them() {
        String sagaId = start("event-1");
        feed.pump(streams);
        DeadlineMessage deadline = sender.deadlines.get(0);
        sender.commands.clear();
        clock.advance(Duration.ofSeconds(30));

        sweeper.sweep();
        long version = sagas.find(sagaId).orElseThrow().version();
        // the sweeper moved the saga on to its compensation: the message finds its command no longer awaited
        assertThat(sagas.handle(deadline)).hasValueSatisfying(r -> {
            assertThat(r.recorded()).isFalse();
            assertThat(r.commands()).isEmpty();
        });

        assertThat(sagas.find(sagaId).orElseThrow().version()).isEqualTo(version);
        assertThat(sagas.repository().history(sagaId).stream().map(EventEnvelope::event)
                .filter(SagaCommandEvent.class::isInstance).count()).isEqualTo(2); // withdraw, its compensation
    }

    @Test
    void with_a_grace_the_sweeper_leaves_a_saga_alone_until_it_is_past_due_by_more_than_the_grace() {
        SagaSweeper patient = new SagaSweeper(deadlines, List.of(sagas), clock,
                dev.nosqles.metrics.Metrics.none(), Duration.ofMinutes(2));
        String sagaId = start("event-grace");
        feed.pump(streams);
        sender.commands.clear(); // the command is lost: no reply will come
        clock.advance(Duration.ofSeconds(31)); // past due

        assertThat(patient.sweep()).isEqualTo(new SagaSweeper.Sweep(0, 0, 0));
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.RUNNING);
        clock.advance(Duration.ofMinutes(2));
        assertThat(patient.sweep()).isEqualTo(new SagaSweeper.Sweep(1, 1, 0));
        assertThat(saga(sagaId).status()).isNotEqualTo(SagaStatus.RUNNING);
    }

    @Test
    void a_command_relayed_late_gets_its_whole_window_from_the_send_in_its_deadline_message_and_the_index() {
        String sagaId = start("event-late");
        Instant decided = clock.instant();
        Instant deadline = deadlines.all().getFirst().dueAt();
        clock.advance(Duration.ofSeconds(20)); // a stream backlog: the command sender relays 20 s after the commit

        feed.pump(streams);

        assertThat(sender.deadlines).singleElement()
                .satisfies(d -> assertThat(d.deadline()).isEqualTo(deadline.plusSeconds(20)));
        assertThat(deadlines.all()).singleElement()
                .satisfies(e -> assertThat(e.dueAt()).isEqualTo(deadline.plusSeconds(20)));
        // an ordinary relay (within the allowance) keeps the decided deadline
        String onTime = start("event-on-time");
        Instant onTimeDeadline = deadlines.all().stream().filter(e -> e.sagaId().equals(onTime)).findFirst()
                .orElseThrow().dueAt();
        clock.advance(SagaManager.SEND_DELAY_ALLOWANCE);
        sender.deadlines.clear();
        feed.pump(streams);
        assertThat(sender.deadlines).singleElement()
                .satisfies(d -> assertThat(d.deadline()).isEqualTo(onTimeDeadline));
        assertThat(decided).isBefore(deadline);
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.RUNNING);
    }

    @Test
    void a_stale_index_entry_costs_one_no_op_and_is_removed() {
        String sagaId = start("event-1");
        settle(c -> false);
        deadlines.put(new SagaDeadlines.Entry(sagaId, Transfer.definition().type(), "old-command", 0,
                clock.instant(), 1, null)); // a writer that was very late, after the saga ended

        SagaSweeper.Sweep sweep = sweeper.sweep();

        assertThat(sweep).isEqualTo(new SagaSweeper.Sweep(1, 1, 0));
        assertThat(saga(sagaId).status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(deadlines.all()).isEmpty();
    }

    @Test
    void each_sweep_logs_one_line_with_the_number_of_sagas_past_due_and_no_payload() {
        List<String> lines;
        try (dev.nosqles.testsupport.LogLines log = dev.nosqles.testsupport.LogLines.of(SagaSweeper.class)) {
            start("event-1");
            start("event-2");
            clock.advance(Duration.ofSeconds(30));

            sweeper.sweep();
            lines = log.messages();
        }

        assertThat(lines).containsExactly("saga sweep: 2 sagas past due");
    }

    @Test
    void an_entry_for_a_saga_that_does_not_exist_is_removed() {
        deadlines.put(new SagaDeadlines.Entry("no-such-saga", Transfer.definition().type(), "c", 0,
                clock.instant(), 3, null));

        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(1, 1, 0));

        assertThat(deadlines.all()).isEmpty();
    }

    @Test
    void a_saga_of_a_type_no_manager_runs_is_counted_as_failed_and_left_for_later() {
        deadlines.put(new SagaDeadlines.Entry("s", "OtherSaga", "c", 0, clock.instant(), 3, null));

        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(1, 0, 1));
        assertThat(deadlines.all()).hasSize(1);
    }

    private static boolean isCompensation(CommandMessage c) {
        return c.commandType().equals("Deposit");
    }

    /** A saga whose orchestrator deduplicates within one hour, and whose first step waits two. */
    private SagaManager<Transfer.Data> slowSagas() {
        SagaDefinition<Transfer.Data> slow = SagaDefinition.builder("SlowTransferSaga", Transfer.Data.class)
                .step("withdraw")
                .invoke(Transfer.ACCOUNTS, Transfer.Data::from, d -> new BankAccount.Withdraw(d.amount()))
                .deadline(Duration.ofHours(2))
                .compensate(Transfer.ACCOUNTS, Transfer.Data::from, d -> new BankAccount.Deposit(d.amount()))
                .build();
        return new SagaManager<>(slow, AggregateRepository.builder(new SagaOrchestrator<>(slow)).eventStore(store)
                .clock(clock).deduplicationHorizon(Duration.ofHours(1)).build(), sender, deadlines, clock);
    }

    @Test
    void a_deadline_longer_than_the_orchestrators_deduplication_horizon_still_fires_from_its_message() {
        SagaManager<Transfer.Data> slow = slowSagas();
        String sagaId = slow.start("slow-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty()).saga()
                .sagaId();
        new Feed(store, new EventDispatcher(List.of(slow.commandSender()), new InMemoryCheckpointStore(), store))
                .pump(List.of(slow.repository().streamId(sagaId)));
        DeadlineMessage deadline = sender.all.stream().filter(DeadlineMessage.class::isInstance)
                .map(DeadlineMessage.class::cast).findFirst().orElseThrow();

        clock.advance(Duration.ofHours(2)); // the command was decided two hours ago, beyond the one-hour horizon
        slow.handle(deadline);

        assertThat(slow.find(sagaId).orElseThrow().reason()).isEqualTo("withdraw:deadline-expired");
    }

    @Test
    void a_deadline_longer_than_the_orchestrators_deduplication_horizon_still_fires_from_the_sweeper() {
        SagaManager<Transfer.Data> slow = slowSagas();
        String sagaId = slow.start("slow-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty()).saga()
                .sagaId();

        clock.advance(Duration.ofHours(2));
        SagaSweeper.Sweep sweep = new SagaSweeper(deadlines, List.of(slow), clock).sweep();

        assertThat(sweep.handled()).isEqualTo(1);
        assertThat(slow.find(sagaId).orElseThrow().reason()).isEqualTo("withdraw:deadline-expired");
    }

    @Test
    void the_index_never_shows_a_saga_due_before_its_deadline_even_by_a_fraction_of_a_millisecond() {
        assertThat(SagaManager.roundedUpToMillis(Instant.parse("2026-01-01T00:00:30.000000001Z")))
                .isEqualTo(Instant.parse("2026-01-01T00:00:30.001Z"));
        assertThat(SagaManager.roundedUpToMillis(Instant.parse("2026-01-01T00:00:30.001Z")))
                .isEqualTo(Instant.parse("2026-01-01T00:00:30.001Z"));
    }
}
