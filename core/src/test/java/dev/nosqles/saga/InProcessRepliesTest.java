package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySagaDeadlines;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replies handled in the process of their orchestrator (ADR 0013): the participants' reply sender hands a reply to
 * the saga's manager instead of its queue; what cannot be handled there goes to the queue after all.
 */
class InProcessRepliesTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    /** The queues: what is sent through them. */
    private final RecordingSender queues = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final dev.nosqles.testsupport.CountingMetrics metrics = new dev.nosqles.testsupport.CountingMetrics();
    private final SagaManager<Transfer.Data> sagas =
            SagaManager.builder(Transfer.definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                    .sender(queues).deadlines(deadlines).clock(clock).metrics(metrics).build();
    private final SagaMessageSender inProcess = sagas.inProcessReplies(queues);
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, queues).build();
    /** The stream function: the command sender and the participants' reply sender, replying in process. */
    private final Feed feed = new Feed(store, new EventDispatcher(List.of(sagas.commandSender(),
            SagaParticipant.replySender("replies", inProcess, new BankAccount().type())), new InMemoryCheckpointStore(),
            store));
    private final List<StreamId> streams = new ArrayList<>();

    @BeforeEach
    void accounts() {
        streams.addAll(Transfer.openAccounts(accounts));
    }

    private String start(String event) {
        return Transfer.start(sagas, event, streams);
    }

    /** Stream -> command queues -> participants, until nothing moves; replies never need their queue here. */
    private void settle() {
        while (feed.pump(streams) > 0 || !queues.commands.isEmpty()) {
            List<CommandMessage> commands = List.copyOf(queues.commands);
            queues.commands.clear();
            commands.forEach(participant::handle);
        }
    }

    @Test
    void a_saga_runs_to_its_end_with_every_reply_handled_in_process_and_none_sent_through_its_queue() {
        String sagaId = start("event-1");

        settle();

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(queues.replies).isEmpty();
        assertThat(queues.all).allSatisfy(m -> assertThat(m).isNotInstanceOf(ReplyMessage.class));
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
        assertThat(deadlines.all()).isEmpty();
        assertThat(metrics.count(dev.nosqles.metrics.Metric.IN_PROCESS_FALLBACKS)).isZero();
    }

    @Test
    void a_reply_handled_in_process_twice_acts_once() {
        String sagaId = start("event-1");
        feed.pump(streams);
        participant.handle(queues.commands.removeFirst()); // the withdrawal: its reply is requested in a's stream
        List<ReplyMessage> sent = new ArrayList<>();
        SagaMessageSender recording = new SagaMessageSender() {
            @Override
            public void send(CommandMessage command) {
            }

            @Override
            public void send(ReplyMessage reply) {
                sent.add(reply);
                inProcess.send(reply);
            }

            @Override
            public void schedule(SagaMessage.DeadlineMessage deadline, java.time.Duration delay) {
            }
        };
        Feed replies = new Feed(store, new EventDispatcher(List.of(SagaParticipant.replySender("replies-again",
                recording, new BankAccount().type())), new InMemoryCheckpointStore(), store));
        replies.pump(streams);
        long version = sagas.find(sagaId).orElseThrow().version();

        sent.forEach(inProcess::send); // the same replies again: a retried stream batch

        assertThat(sent).isNotEmpty();
        assertThat(sagas.find(sagaId).orElseThrow().version()).isEqualTo(version);
        assertThat(queues.replies).isEmpty();
        // dropped by its message id, which the in-process handling recorded (not merely too late for the saga)
        assertThat(sent).allSatisfy(reply -> assertThat(sagas.handle(reply).orElseThrow().duplicate()).isTrue());
    }

    @Test
    void a_reply_the_manager_cannot_handle_goes_to_its_queue_and_other_saga_types_replies_go_there_directly() {
        ReplyMessage unknownSaga = new ReplyMessage("reply-1", Transfer.definition().type(), "no-such-saga",
                Transfer.definition().replyChannel(), "command-1", ReplyOutcome.SUCCESS, null, "{}",
                clock.instant(), "corr-1");
        ReplyMessage otherType = new ReplyMessage("reply-2", "OtherSaga", "s-2", "other-replies", "command-2",
                ReplyOutcome.SUCCESS, null, "{}", clock.instant(), "corr-2");

        inProcess.send(unknownSaga);
        inProcess.send(otherType);

        assertThat(queues.replies).containsExactly(unknownSaga, otherType);
        // only the reply that failed here fell back; the other type's went to its queue directly
        assertThat(metrics.count(dev.nosqles.metrics.Metric.IN_PROCESS_FALLBACKS)).isEqualTo(1);
    }

    @Test
    void commands_and_deadlines_always_go_to_their_queues() {
        // a manager sending through the in-process sender: its commands and deadlines are no replies
        SagaManager<Transfer.Data> sending = SagaManager.builder(Transfer.definition()).eventStore(store)
                .sender(inProcess).deadlines(deadlines).clock(clock).build();
        String sagaId = sending.start("event-9", new Transfer.Data("a", "b", 5, null), EventMetadata.empty()).saga()
                .sagaId();
        streams.add(sagas.repository().streamId(sagaId));
        new Feed(store, new EventDispatcher(List.of(sending.commandSender()), new InMemoryCheckpointStore(), store))
                .pump(streams);

        assertThat(queues.commands).singleElement().satisfies(c -> assertThat(c.sagaId()).isEqualTo(sagaId));
        assertThat(queues.deadlines).singleElement().satisfies(d -> assertThat(d.sagaId()).isEqualTo(sagaId));
    }
}
