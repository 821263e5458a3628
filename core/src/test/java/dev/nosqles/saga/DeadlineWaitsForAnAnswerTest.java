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
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deadline that finds the participant's answer does not give up (ADR 0013): when the channel names its
 * participant's aggregate type, the saga looks in the participant's stream before acting on a deadline. A participant
 * that recorded the command has answered and its reply is only late (a backlog between them); the saga re-sends the
 * command instead of compensating, and decides on the reply when it comes.
 */
class DeadlineWaitsForAnAnswerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final List<StreamId> streams = new ArrayList<>();

    private SagaManager<Transfer.Data> sagas;
    private SagaSweeper sweeper;
    private SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant;
    private Feed feed;

    private void wire(Channel<BankAccount.Command> channel) {
        sagas = SagaManager.builder(Transfer.definition(channel)).eventStore(store).snapshotStore(SnapshotStore.none())
                .sender(sender).deadlines(deadlines).clock(clock).build();
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
    void a_deadline_finding_the_participants_answer_re_sends_and_the_late_reply_decides_the_saga_on_its_merits() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT);
        String sagaId = start("event-1");
        List<ReplyMessage> late = withdrawAndHoldTheReply();
        assertThat(late).hasSize(1);

        clock.advance(Duration.ofSeconds(30));
        assertThat(sweeper.sweep()).isEqualTo(new SagaSweeper.Sweep(1, 1, 0));

        SagaInstance<Transfer.Data> waiting = sagas.find(sagaId).orElseThrow();
        assertThat(waiting.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(waiting.attempt()).isEqualTo(1);
        late.forEach(sagas::handle); // the reply arrives after all
        settle();

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(accounts.get("a").state().balance()).isEqualTo(5);
        assertThat(accounts.get("b").state().balance()).isEqualTo(5);
        // the re-sent withdrawal was the same command: the account withdrew once
        assertThat(accounts.history("a")).extracting(e -> e.event().getClass().getSimpleName())
                .filteredOn("Withdrawn"::equals).hasSize(1);
    }

    @Test
    void a_deadline_message_finding_the_answer_re_sends_as_well() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT);
        String sagaId = start("event-2");
        withdrawAndHoldTheReply();
        SagaMessage.DeadlineMessage deadline = sender.deadlines.getFirst();

        clock.advance(Duration.ofSeconds(30));
        sagas.handle(deadline);
        feed.pump(streams); // the saga's re-send is relayed

        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(sender.commands).singleElement().satisfies(c -> {
            assertThat(c.commandType()).isEqualTo("Withdraw");
            assertThat(c.attempt()).isEqualTo(1);
        });
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
    void a_participant_that_never_answered_is_given_up_at_once_and_an_answer_whose_reply_never_comes_after_the_re_sends() {
        wire(Transfer.ACCOUNTS_WITH_PARTICIPANT);
        String silent = start("event-silent");
        feed.pump(streams);
        sender.commands.clear(); // the command is lost: the participant never saw it
        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        assertThat(sagas.find(silent).orElseThrow().status()).isNotEqualTo(SagaStatus.RUNNING);
        settle();

        String unlucky = start("event-unlucky");
        withdrawAndHoldTheReply();
        for (int sweep = 0; sweep < SagaDefinition.DEFAULT_MAX_RESENDS; sweep++) {
            clock.advance(Duration.ofSeconds(30));
            sweeper.sweep();
            feed.pump(streams);
            sender.commands.forEach(participant::handle); // answered again from its record: the reply is lost again
            sender.commands.clear();
            feed.pump(streams);
            sender.replies.clear();
            assertThat(sagas.find(unlucky).orElseThrow().status()).isEqualTo(SagaStatus.RUNNING);
        }
        clock.advance(Duration.ofSeconds(30));
        sweeper.sweep();
        settle();

        assertThat(sagas.find(unlucky).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(sagas.find(unlucky).orElseThrow().reason()).isEqualTo("withdraw:deadline-expired");
    }
}
