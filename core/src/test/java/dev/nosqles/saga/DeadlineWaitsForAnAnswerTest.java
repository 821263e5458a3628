package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySagaDeadlines;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.metrics.Metric;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.CountingMetrics;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deadline that finds the participant's answer does not give up (ADR 0013, ADR 0016): when the channel names its
 * participant's aggregate type, the saga looks in the participant's stream before acting on a deadline. A participant
 * that recorded the command has answered and its reply is only late (a backlog between them); the saga takes the
 * reply the participant recorded with the command from that commit and decides on it at once, under the reply's own
 * message id, so the late reply is a duplicate when it comes. Only an answer recorded without a reply request (a
 * participant that records none) is re-sent instead, as before.
 */
class DeadlineWaitsForAnAnswerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();
    private final CountingMetrics metrics = new CountingMetrics();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final List<StreamId> streams = new ArrayList<>();

    private SagaManager<Transfer.Data> sagas;
    private SagaSweeper sweeper;
    private SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant;
    private Feed feed;

    private void wire(Channel<BankAccount.Command> channel) {
        wire(channel, ChannelBacklog.unknown());
    }

    private void wire(Channel<BankAccount.Command> channel, ChannelBacklog backlog) {
        sagas = SagaManager.builder(Transfer.definition(channel)).eventStore(store).snapshotStore(SnapshotStore.none())
                .sender(sender).deadlines(deadlines).clock(clock).metrics(metrics).channelBacklog(backlog).build();
        sweeper = new SagaSweeper(deadlines, List.of(sagas), clock);
        participant = SagaParticipant.builder(accounts, channel, sender).build();
        feed = new Feed(store, new EventDispatcher(List.of(sagas.commandSender(), participant.replySender()),
                new InMemoryCheckpointStore(), store));
    }

    @BeforeEach
    void accounts() {
        streams.addAll(Transfer.openAccounts(accounts));
    }

    private String start(String event) {
        return Transfer.start(sagas, event, streams);
    }

    /** The withdrawal is sent and handled; its reply is held back (a backlog): returned, not delivered. */
    private List<ReplyMessage> withdrawAndHoldTheReply() {
        feed.pump(streams);
        List<CommandMessage> commands = List.copyOf(sender.commands);
        sender.commands.clear();
        commands.forEach(participant::handle);
        feed.pump(streams); // the participant's reply request is relayed: the reply waits in its queue
        List<ReplyMessage> held = List.copyOf(sender.replies);
        sender.replies.clear();
        return held;
    }

    /** Everything flows from now on. */
    private void settle() {
        feed.settle(streams, sender, participant, sagas, c -> false);
    }

    @Test
    void a_deadline_finding_the_participants_answer_takes_its_reply_from_the_commit_and_the_late_reply_is_a_duplicate() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT);
        String sagaId = start("event-1");
        String withdrawal = sagas.find(sagaId).orElseThrow().awaitingCommandId();
        List<ReplyMessage> late = withdrawAndHoldTheReply();
        assertThat(late).hasSize(1);

        clock.advance(Duration.ofSeconds(30));
        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(1, 1, 0));

        SagaInstance<Transfer.Data> movedOn = sagas.find(sagaId).orElseThrow();
        assertThat(movedOn.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(movedOn.step()).isEqualTo(1); // the deposit: the withdrawal's reply was decided on
        assertThat(movedOn.awaits(withdrawal)).isFalse();
        assertThat(metrics.count(Metric.SAGA_LATE_REPLIES_TAKEN)).isEqualTo(1);
        long version = movedOn.version();
        assertThat(late.stream().map(sagas::handle)).allSatisfy(r -> assertThat(r.orElseThrow().duplicate()).isTrue());
        assertThat(sagas.find(sagaId).orElseThrow().version()).isEqualTo(version);
        feed.pump(streams);
        // the withdrawal was not sent again: only the deposit is on its way
        assertThat(sender.commands).extracting(CommandMessage::commandType).containsExactly("Deposit");
        settle();

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
        assertThat(accounts.history("a")).extracting(e -> e.event().getClass().getSimpleName())
                .filteredOn("Withdrawn"::equals).hasSize(1);
    }

    @Test
    void an_answer_whose_reply_the_saga_cannot_read_does_not_hold_the_saga_forever_the_deadline_compensates() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT);
        // a participant deployed with another reply shape: a receipt number the saga's Receipt cannot hold
        participant = SagaParticipant.builder(accounts, Transfer.ACCOUNTS_WITH_PARTICIPANT, sender)
                .replyData(outcome -> java.util.Map.of("number", List.of(1, 2))).build();
        feed = new Feed(store, new EventDispatcher(List.of(sagas.commandSender(), participant.replySender()),
                new InMemoryCheckpointStore(), store));
        String sagaId = start("event-1");
        List<ReplyMessage> unreadable = withdrawAndHoldTheReply();
        assertThat(unreadable).hasSize(1);
        assertThat(unreadable.get(0).outcome()).isEqualTo(ReplyOutcome.SUCCESS);

        for (int round = 0; round < 10 && !sagas.find(sagaId).orElseThrow().status().finished(); round++) {
            clock.advance(Duration.ofSeconds(30));
            sweeper.sweep();
            feed.pump(streams);
            List<CommandMessage> commands = List.copyOf(sender.commands);
            sender.commands.clear();
            commands.forEach(participant::handle);
            feed.pump(streams);
            List<ReplyMessage> replies = List.copyOf(sender.replies);
            sender.replies.clear();
            for (ReplyMessage reply : replies) {
                try {
                    sagas.handle(reply);
                } catch (SagaMessageException poison) {
                    // the withdrawal's reply, however often it comes: retried, then dead-lettered
                }
            }
        }

        // given up at its deadline and compensated: the 5 withdrawn from a are back
        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
        assertThat(accounts.get("b").state().balance()).isZero();
    }

    @Test
    void a_deadline_message_finding_the_answer_takes_the_reply_as_well_and_comes_again_to_nothing() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT);
        String sagaId = start("event-2");
        List<ReplyMessage> late = withdrawAndHoldTheReply();
        SagaMessage.DeadlineMessage deadline = sender.deadlines.getFirst();

        clock.advance(Duration.ofSeconds(30));
        SagaResult<Transfer.Data> taken = sagas.handle(deadline).orElseThrow();
        assertThat(taken.duplicate()).isFalse();
        assertThat(taken.saga().step()).isEqualTo(1);
        long version = taken.saga().version();
        assertThat(sagas.handle(deadline).orElseThrow().duplicate()).isFalse(); // moot now: answered from a read
        late.forEach(sagas::handle);
        assertThat(sagas.find(sagaId).orElseThrow().version()).isEqualTo(version);
        // the saga's history names the participant's reply, not the deadline, as the message it decided on
        assertThat(store.read(sagas.repository().streamId(sagaId)).events().getLast().metadata().messageId())
                .isEqualTo(late.getFirst().messageId());
        feed.pump(streams);
        assertThat(sender.commands).extracting(CommandMessage::commandType).containsExactly("Deposit");
    }

    @Test
    void an_answer_recorded_without_a_reply_request_is_re_sent_as_before() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT);
        String sagaId = start("event-older");
        feed.pump(streams);
        CommandMessage withdraw = sender.commands.getFirst();
        sender.commands.clear();
        // a participant that records the command's id with what it did, and asks for no reply
        accounts.update("a", new BankAccount.Withdraw(5), EventMetadata.empty().withMessageId(withdraw.messageId())
                .withMessageSentAt(withdraw.sentAt()));

        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        feed.pump(streams);

        SagaInstance<Transfer.Data> waiting = sagas.find(sagaId).orElseThrow();
        assertThat(waiting.step()).isZero();
        assertThat(waiting.attempt()).isEqualTo(1);
        assertThat(sender.commands).singleElement().satisfies(c -> {
            assertThat(c.messageId()).isEqualTo(withdraw.messageId());
            assertThat(c.attempt()).isEqualTo(1);
        });
        assertThat(metrics.count(Metric.SAGA_LATE_REPLIES_TAKEN)).isZero();
        assertThat(metrics.count(Metric.SAGA_COMMANDS_RESENT)).isEqualTo(1);
    }

    @Test
    void without_the_participant_named_the_same_deadline_compensates_as_before() {
        wire(Transfer.ACCOUNTS);
        String sagaId = start("event-3");
        withdrawAndHoldTheReply();

        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        settle();

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(sagas.find(sagaId).orElseThrow().reason()).isEqualTo("withdraw:deadline-expired");
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
    }

    @Test
    void a_participant_that_never_answered_is_given_up_at_once_and_an_answer_whose_replies_are_all_lost_still_decides() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT);
        String silent = start("event-silent");
        feed.pump(streams);
        sender.commands.clear(); // the command is lost: the participant never saw it
        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        assertThat(sagas.find(silent).orElseThrow().status()).isNotEqualTo(SagaStatus.RUNNING);
        settle();
        assertThat(sagas.find(silent).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(sagas.find(silent).orElseThrow().reason()).isEqualTo("withdraw:deadline-expired");
        assertThat(metrics.count(Metric.SAGA_COMMANDS_RESENT)).isZero();

        String unlucky = start("event-unlucky");
        withdrawAndHoldTheReply(); // and lost: it never comes
        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        settle();

        assertThat(sagas.find(unlucky).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(sagas.find(unlucky).orElseThrow().attempt()).isZero();
    }

    @Test
    void a_participant_with_no_record_while_its_queue_holds_messages_is_busy_and_the_command_is_re_sent() {
        java.util.List<String> asked = new ArrayList<>();
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT, channel -> {
            asked.add(channel);
            return java.util.OptionalLong.of(3); // the withdrawal waits behind others
        });
        String sagaId = start("event-busy");
        feed.pump(streams);
        List<CommandMessage> queued = List.copyOf(sender.commands);
        sender.commands.clear();

        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        feed.pump(streams);

        assertThat(asked).containsExactly("accounts");
        SagaInstance<Transfer.Data> waiting = sagas.find(sagaId).orElseThrow();
        assertThat(waiting.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(waiting.step()).isZero();
        assertThat(waiting.attempt()).isEqualTo(1);
        assertThat(sender.commands).singleElement().satisfies(c -> {
            assertThat(c.messageId()).isEqualTo(queued.getFirst().messageId());
            assertThat(c.attempt()).isEqualTo(1);
        });
        assertThat(metrics.count(Metric.SAGA_COMMANDS_RESENT)).isEqualTo(1);
        queued.forEach(participant::handle); // the participant gets to the first copy at last
        settle();

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(accounts.history("a")).extracting(e -> e.event().getClass().getSimpleName())
                .filteredOn("Withdrawn"::equals).hasSize(1);
    }

    @Test
    void a_busy_participant_is_given_up_once_the_re_sends_are_spent_and_an_idle_one_at_once() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT, channel -> java.util.OptionalLong.of(1));
        String busy = start("event-busy-forever");
        feed.pump(streams);
        sender.commands.clear(); // never handled
        for (int sweep = 0; sweep < SagaDefinition.DEFAULT_MAX_RESENDS; sweep++) {
            clock.advance(Duration.ofSeconds(30));
            sweeper.sweep();
            feed.pump(streams);
            sender.commands.clear();
            assertThat(sagas.find(busy).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
        }
        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        settle();
        assertThat(sagas.find(busy).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(sagas.find(busy).orElseThrow().reason()).isEqualTo("withdraw:deadline-expired");
        // each sweep re-sent once; the last one compensated, which sends the compensation (attempt 0): no re-send
        assertThat(metrics.count(Metric.SAGA_COMMANDS_RESENT)).isEqualTo(SagaDefinition.DEFAULT_MAX_RESENDS);

        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT, channel -> java.util.OptionalLong.of(0));
        String idle = start("event-idle");
        feed.pump(streams);
        sender.commands.clear();
        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        settle();
        assertThat(sagas.find(idle).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(sagas.find(idle).orElseThrow().attempt()).isZero();
    }
}
