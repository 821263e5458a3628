package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandResult;
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

/** The whole conversation in memory: orchestrator, stream subscribers, participant, replies. */
class SagaManagerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final SagaManager<Transfer.Data> sagas =
            SagaManager.builder(Transfer.definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                    .sender(sender).clock(clock).build();
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).build();
    private final Feed feed = new Feed(store, new EventDispatcher(
            List.of(sagas.commandSender(), participant.replySender()), new InMemoryCheckpointStore(), store));
    private final List<StreamId> streams = new ArrayList<>();

    @BeforeEach
    void accounts() {
        for (String id : List.of("a", "b")) {
            accounts.create(id, new BankAccount.Open(id));
        }
        accounts.update("a", new BankAccount.Deposit(10));
        streams.addAll(List.of(accounts.streamId("a"), accounts.streamId("b"), accounts.streamId("audit")));
    }

    /** Runs stream -> queues -> handlers until nothing moves; every message is handled twice. */
    private void settle(String sagaId) {
        streams.add(sagas.repository().streamId(sagaId));
        while (feed.pump(streams) > 0 || !sender.commands.isEmpty() || !sender.replies.isEmpty()) {
            List<CommandMessage> commands = List.copyOf(sender.commands);
            sender.commands.clear();
            for (CommandMessage c : commands) {
                participant.handle(c);
                participant.handle(c);
            }
            List<SagaMessage.ReplyMessage> replies = List.copyOf(sender.replies);
            sender.replies.clear();
            for (SagaMessage.ReplyMessage r : replies) {
                sagas.handle(r);
                sagas.handle(r);
            }
        }
    }

    @Test
    void the_same_triggering_event_starts_one_saga_and_gets_a_duplicate_result_the_second_time() {
        SagaResult<Transfer.Data> first =
                sagas.start("event-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty());
        SagaResult<Transfer.Data> again =
                sagas.start("event-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty());

        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.saga().sagaId()).isEqualTo(sagas.sagaId("event-1")).isEqualTo(first.saga().sagaId());
        assertThat(first.commands()).extracting(SagaResult.Command::target, SagaResult.Command::commandType)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "Withdraw"));
        assertThat(again.commands()).isEmpty();
        assertThat(again.saga()).isEqualTo(first.saga()); // nothing happened in between
        assertThat(SagaManager.sagaIdOf(Transfer.definition().type(), "event-1")).isEqualTo(first.saga().sagaId());
    }

    @Test
    void a_start_redelivered_after_the_saga_completed_answers_with_the_saga_as_it_is_now() {
        accounts.create("audit", new BankAccount.Open("audit"));
        SagaResult<Transfer.Data> first =
                sagas.start("event-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty());
        settle(first.saga().sagaId());

        SagaResult<Transfer.Data> again =
                sagas.start("event-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty());

        assertThat(again.duplicate()).isTrue();
        assertThat(again.commands()).isEmpty();
        assertThat(again.saga().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(again.saga()).isEqualTo(sagas.find(first.saga().sagaId()).orElseThrow())
                .isNotEqualTo(first.saga());
    }

    @Test
    void a_manager_or_participant_missing_a_required_part_is_refused_when_built() {
        assertThatThrownBy(() -> SagaManager.builder(Transfer.definition()).sender(sender).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("event store");
        assertThatThrownBy(() -> SagaManager.builder(Transfer.definition()).eventStore(store).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sender");
        assertThatThrownBy(() -> SagaManager.builder(null).eventStore(store).sender(sender).build())
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SagaManager.builder(Transfer.definition()).eventStore(store).sender(sender)
                .clock(null).build()).isInstanceOf(NullPointerException.class).hasMessageContaining("clock");
        assertThatThrownBy(() -> SagaParticipant.builder(accounts, Transfer.ACCOUNTS, null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("sender");
        assertThatThrownBy(() -> SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).replyData(null)
                .build()).isInstanceOf(NullPointerException.class).hasMessageContaining("replyData");
    }

    @Test
    void a_saga_whose_participants_accept_completes_with_every_command_applied_once_despite_duplicates() {
        accounts.create("audit", new BankAccount.Open("audit"));
        String sagaId = sagas.start("event-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty()).saga()
                .sagaId();

        settle(sagaId);

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().deposits()).isEqualTo(1);
        assertThat(sender.deadlines).hasSize(3);
        assertThat(sender.delays).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(10),
                SagaDefinition.DEFAULT_DEADLINE);
    }

    @Test
    void a_deadline_of_a_step_the_saga_has_left_is_answered_from_a_read_and_writes_nothing_however_often_it_comes() {
        accounts.create("audit", new BankAccount.Open("audit"));
        String sagaId = sagas.start("event-9", new Transfer.Data("a", "b", 5, null), EventMetadata.empty()).saga()
                .sagaId();
        settle(sagaId);
        long version = sagas.repository().get(sagaId).version();
        clock.advance(Duration.ofHours(1)); // every deadline is due

        for (DeadlineMessage deadline : List.copyOf(sender.deadlines)) {
            for (int delivery = 0; delivery < 2; delivery++) {
                SagaResult<Transfer.Data> result = sagas.handle(deadline).orElseThrow();
                assertThat(result.recorded()).isFalse();
                assertThat(result.saga().status()).isEqualTo(SagaStatus.COMPLETED);
            }
        }

        assertThat(sender.deadlines).hasSize(3);
        assertThat(sagas.repository().get(sagaId).version()).as("nothing appended").isEqualTo(version);
        assertThat(sagas.repository().get(sagaId).state().neverAwaits("any")).isTrue();
    }

    @Test
    void a_rejected_first_step_ends_the_saga_compensated_with_nothing_changed() {
        String sagaId = sagas.start("event-2", new Transfer.Data("a", "b", 50, null), EventMetadata.empty()).saga()
                .sagaId();

        settle(sagaId);

        SagaInstance<Transfer.Data> state = sagas.find(sagaId).orElseThrow();
        assertThat(state.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(state.reason()).isEqualTo("withdraw:insufficient-funds");
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
        assertThat(accounts.get("b").state().balance()).isZero();
    }

    @Test
    void a_step_whose_target_does_not_exist_fails_and_the_earlier_steps_are_undone_once_each() {
        String sagaId = sagas.start("event-3", new Transfer.Data("a", "b", 5, null), EventMetadata.empty()).saga()
                .sagaId();

        settle(sagaId);

        SagaInstance<Transfer.Data> state = sagas.find(sagaId).orElseThrow();
        assertThat(state.status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(state.reason()).isEqualTo("audit:" + SagaParticipant.TARGET_NOT_FOUND);
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
        assertThat(accounts.get("b").state().balance()).isZero();
        assertThat(accounts.history("a")).extracting(e -> e.event().getClass().getSimpleName())
                .containsExactly("Opened", "Deposited", "Withdrawn", "Deposited");
    }

    @Test
    void a_deadline_is_scheduled_for_at_most_fifteen_minutes_and_an_early_one_is_scheduled_again() {
        SagaDefinition<Transfer.Data> slow = SagaDefinition.builder("SlowSaga", Transfer.Data.class)
                .step("wait").invoke(Transfer.ACCOUNTS, Transfer.Data::from, d -> new BankAccount.Deposit(1))
                .deadline(Duration.ofMinutes(40))
                .compensate(Transfer.ACCOUNTS, Transfer.Data::from, d -> new BankAccount.Withdraw(1))
                .build();
        SagaManager<Transfer.Data> manager = SagaManager.builder(slow).eventStore(store)
                .snapshotStore(SnapshotStore.none()).sender(sender).clock(clock).build();
        String sagaId = manager.start("event-4", new Transfer.Data("a", "b", 5, null), EventMetadata.empty()).saga()
                .sagaId();
        new Feed(store, new EventDispatcher(List.of(manager.commandSender()), new InMemoryCheckpointStore(), store))
                .pump(List.of(manager.repository().streamId(sagaId)));
        DeadlineMessage deadline = sender.deadlines.get(0);
        assertThat(sender.delays).containsExactly(Duration.ofMinutes(15));

        clock.advance(Duration.ofMinutes(15));
        assertThat(manager.handle(deadline)).isEmpty();
        assertThat(sender.delays).containsExactly(Duration.ofMinutes(15), Duration.ofMinutes(15));
        clock.advance(Duration.ofMinutes(15));
        manager.handle(deadline);
        clock.advance(Duration.ofMinutes(10));
        manager.handle(deadline);

        assertThat(sender.delays).containsExactly(Duration.ofMinutes(15), Duration.ofMinutes(15),
                Duration.ofMinutes(10));
        assertThat(manager.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(manager.find(sagaId).orElseThrow().reason()).isEqualTo("wait:deadline-expired");
    }
}
