package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Saga messages carry when they were first sent (the commit timestamp of the event that caused them), and the
 * receivers hand it to their repository as {@code EventMetadata.messageSentAt}, the bound of duplicate searches
 * (the metadata the receivers build is checked directly: the repository keeps it out of the stored commit).
 */
class SagaMessageSentAtTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore memory = new InMemoryEventStore(clock);
    private final EventStore store = memory;
    private final RecordingSender sender = new RecordingSender();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();
    private final SagaManager<Transfer.Data> sagas =
            SagaManager.builder(Transfer.definition()).eventStore(store).snapshotStore(SnapshotStore.none())
                    .sender(sender).clock(clock).build();
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).build();
    private final Feed feed = new Feed(memory, new EventDispatcher(
            List.of(sagas.commandSender(), participant.replySender()), new InMemoryCheckpointStore(), memory));

    private Instant committedAt(StreamId stream, String type) {
        return memory.read(stream, ReadRequest.all()).events().stream().filter(e -> e.type().equals(type))
                .findFirst().map(RecordedEvent::timestamp).orElseThrow();
    }

    @Test
    void command_and_reply_carry_the_commit_time_of_their_cause_into_the_receivers_metadata() {
        accounts.create("a", new BankAccount.Open("a"));
        accounts.update("a", new BankAccount.Deposit(10));
        StreamId account = accounts.streamId("a");
        clock.advance(Duration.ofSeconds(5));
        String sagaId = sagas.start("event-1", new Transfer.Data("a", "b", 5, null), EventMetadata.empty()).saga()
                .sagaId();
        StreamId saga = sagas.repository().streamId(sagaId);
        clock.advance(Duration.ofSeconds(5));
        feed.pump(List.of(saga));
        CommandMessage withdraw = sender.commands.get(0);
        clock.advance(Duration.ofSeconds(5)); // delivered later, maybe redriven days later: the same sentAt

        participant.handle(withdraw);
        clock.advance(Duration.ofSeconds(5));
        feed.pump(List.of(account));
        ReplyMessage reply = sender.replies.get(0);
        clock.advance(Duration.ofSeconds(5));
        sagas.handle(reply);

        assertThat(withdraw.sentAt()).isEqualTo(committedAt(saga, "SagaCommandEvent"))
                .isEqualTo(Instant.parse("2026-01-01T00:00:05Z"));
        assertThat(SagaParticipant.metadata(withdraw).messageSentAt()).isEqualTo(withdraw.sentAt());
        assertThat(reply.sentAt()).isEqualTo(committedAt(account, SagaParticipant.REPLY_REQUESTED))
                .isEqualTo(Instant.parse("2026-01-01T00:00:15Z"));
        assertThat(sagas.metadata(reply).messageSentAt()).isEqualTo(reply.sentAt());
        assertThat(sender.deadlines.get(0).sentAt()).isEqualTo(withdraw.sentAt());
    }

    @Test
    void a_command_re_sent_after_its_deadline_carries_when_it_was_first_decided_and_a_new_attempt() {
        SagaDefinition<Transfer.Data> unanswered = SagaDefinition.builder("AuditSaga", Transfer.Data.class)
                .step("audit").invoke(Transfer.ACCOUNTS, d -> "audit", d -> new BankAccount.Open("audit"))
                .deadline(Duration.ofSeconds(30)).build();
        SagaManager<Transfer.Data> audits = SagaManager.builder(unanswered).eventStore(store).sender(sender)
                .clock(clock).build();
        Feed commands = new Feed(memory, new EventDispatcher(List.of(audits.commandSender()),
                new InMemoryCheckpointStore(), memory));
        String sagaId = audits.start("event-2", new Transfer.Data("a", "b", 5, null), EventMetadata.empty())
                .saga().sagaId();
        StreamId saga = StreamId.of("AuditSaga", sagaId);
        commands.pump(List.of(saga));
        CommandMessage first = sender.commands.get(0);

        clock.advance(Duration.ofSeconds(30));
        SagaResult<Transfer.Data> expired = audits.handle(sender.deadlines.get(0)).orElseThrow();
        clock.advance(Duration.ofSeconds(5));
        commands.pump(List.of(saga));

        assertThat(expired.commands()).singleElement().satisfies(c -> {
            assertThat(c.messageId()).isEqualTo(first.messageId());
            assertThat(c.attempt()).isEqualTo(1);
        });
        CommandMessage again = sender.commands.get(1);
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(again.attempt()).isEqualTo(1);
        assertThat(again.deduplicationId()).isNotEqualTo(first.deduplicationId());
        assertThat(again.sentAt()).isEqualTo(first.sentAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }
}
