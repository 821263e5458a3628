package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySagaDeadlines;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.FailingAfterAppendStore;
import dev.nosqles.testsupport.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Commands handled in the process of their orchestrator (ADR 0015): the manager's command sender hands a command on
 * a local participant's channel to that participant instead of its queue; what cannot be handled there goes to the
 * queue after all, and the participant's record of the command's message id keeps it to one effect.
 */
class InProcessCommandsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    /** The participant writes through this: its appends can be made to fail, after or before they land. */
    private final FailingAfterAppendStore participantStore = new FailingAfterAppendStore(store);
    /** The queues: what is sent through them. */
    private final RecordingSender queues = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();
    private final dev.nosqles.testsupport.CountingMetrics metrics = new dev.nosqles.testsupport.CountingMetrics();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(participantStore).clock(clock).metrics(metrics)
                    .build();
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, queues).eventStore(store).build();
    private final SagaManager<Transfer.Data> sagas =
            SagaManager.builder(Transfer.definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                    .sender(participant.inProcessCommands(queues)).deadlines(deadlines).clock(clock).build();
    /** The stream function: the command sender (commands in process) and the reply sender (replies in process). */
    private final Feed feed = new Feed(store, new EventDispatcher(List.of(sagas.commandSender(),
            SagaParticipant.replySender("replies", sagas.inProcessReplies(queues), new BankAccount().type())),
            new InMemoryCheckpointStore(), store));
    private final List<StreamId> streams = new ArrayList<>();

    @BeforeEach
    void accounts() {
        streams.addAll(Transfer.openAccounts(accounts));
    }

    private String start(String event) {
        return Transfer.start(sagas, event, streams);
    }

    /** Stream, then what reached the queues (the fallbacks), until nothing moves. */
    private void settle() {
        feed.settle(streams, queues, participant, sagas, command -> false);
    }

    @Test
    void a_saga_runs_to_its_end_with_every_command_handled_in_process_and_none_sent_through_its_queue() {
        String sagaId = start("event-1");

        settle();

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(queues.all).allSatisfy(m -> assertThat(m).isNotInstanceOf(CommandMessage.class)
                .isNotInstanceOf(SagaMessage.ReplyMessage.class));
        // every step's deadline is still scheduled before its command is handled: the net if handling stalls
        assertThat(queues.deadlines).hasSize(3);
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
    }

    @Test
    void a_command_handled_in_process_again_by_a_retried_batch_acts_once_and_its_reply_is_dropped() {
        String sagaId = start("event-1");
        settle();
        long version = sagas.find(sagaId).orElseThrow().version();

        // the stream batches again, from a reader without checkpoints: every command is handled a second time
        new Feed(store, new EventDispatcher(List.of(sagas.commandSender()), new InMemoryCheckpointStore(), store))
                .pump(streams);

        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
        assertThat(queues.commands).isEmpty();
        // the duplicates got their recorded replies again, through the queue; the saga drops them
        assertThat(queues.replies).hasSize(3);
        assertThat(queues.replies).allSatisfy(reply -> assertThat(sagas.handle(reply).orElseThrow().duplicate())
                .isTrue());
        assertThat(sagas.find(sagaId).orElseThrow().version()).isEqualTo(version);
    }

    @Test
    void a_command_whose_append_landed_but_whose_answer_was_lost_is_recognised_in_process_and_acts_once() {
        String sagaId = start("event-1");
        // the withdrawal's commit lands, and then its write fails as the SDK gave up on the answers
        participantStore.failNext(1, FailingAfterAppendStore.Fault.SDK_GAVE_UP_AFTER_WRITE);

        settle();

        // the repository found its own commit: handled, not sent to the queue, not applied twice
        assertThat(participantStore.faultsLeft()).as("the fault fired").isZero();
        assertThat(store.read(accounts.streamId("a")).events()).filteredOn(e -> e.type().equals("MoneyWithdrawn"))
                .hasSize(1);
        assertThat(queues.all).allSatisfy(m -> assertThat(m).isNotInstanceOf(CommandMessage.class));
        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
    }

    @Test
    void a_command_whose_append_never_landed_goes_to_its_queue_and_acts_from_there() {
        String sagaId = start("event-1");
        participantStore.failNext(1, FailingAfterAppendStore.Fault.SDK_GAVE_UP_BEFORE_WRITE);
        feed.pump(streams);

        assertThat(queues.commands).hasSize(1);
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
        assertThat(metrics.count(dev.nosqles.metrics.Metric.IN_PROCESS_FALLBACKS)).isEqualTo(1);

        settle();

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
    }

    @Test
    void commands_of_other_channels_replies_and_deadlines_go_to_their_queues() {
        SagaMessageSender inProcess = participant.inProcessCommands(queues);
        CommandMessage elsewhere = new CommandMessage("command-1", "Transfer", "s-1", "transfer-replies", "other",
                "a", "Deposit", "{\"amount\":1}", 0, clock.instant(), "corr-1");
        SagaMessage.ReplyMessage reply = new SagaMessage.ReplyMessage("reply-1", "Transfer", "s-1",
                "transfer-replies", "command-1", ReplyOutcome.SUCCESS, null, "{}", clock.instant(), "corr-1");
        SagaMessage.DeadlineMessage deadline = new SagaMessage.DeadlineMessage("deadline-1", "Transfer", "s-1",
                "transfer-replies", "command-1", clock.instant(), clock.instant(), "corr-1");

        inProcess.send(elsewhere);
        inProcess.send(reply);
        inProcess.schedule(deadline, java.time.Duration.ofSeconds(3));

        assertThat(queues.commands).containsExactly(elsewhere);
        assertThat(queues.replies).containsExactly(reply);
        assertThat(queues.deadlines).containsExactly(deadline);
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
    }

    @Test
    void a_command_that_cannot_be_read_goes_to_its_queue_where_it_fails_as_before() {
        CommandMessage unreadable = new CommandMessage("command-2", "Transfer", "s-2", "transfer-replies",
                Transfer.ACCOUNTS.name(), "a", "NoSuchCommand", "{}", 0, clock.instant(), "corr-2");

        participant.inProcessCommands(queues).send(unreadable);

        assertThat(queues.commands).containsExactly(unreadable);
        assertThat(accounts.get("a").version()).isEqualTo(2);
    }
}
