package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SagaParticipantTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    private final RecordingSender sender = new RecordingSender();
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).build();

    @BeforeEach
    void account() {
        accounts.create("a", new BankAccount.Open("ann"));
        accounts.update("a", new BankAccount.Deposit(10));
    }

    private static CommandMessage message(String id, String target, String type, String json) {
        return new CommandMessage(id, "TransferSaga", "saga-1", "saga-replies", "accounts", target, type, json);
    }

    private List<RecordedEvent> stream(String id) {
        return store.read(accounts.streamId(id), ReadRequest.from(1)).events();
    }

    @Test
    void an_accepted_command_appends_its_events_and_a_success_reply_request_in_the_same_commit() {
        CommandResult<BankAccount.State, BankAccount.Event> result =
                participant.handle(message("m1", "a", "Withdraw", "{\"amount\":4}"));

        assertThat(result.rejected()).isFalse();
        List<RecordedEvent> events = stream("a");
        RecordedEvent withdrawn = events.get(2);
        RecordedEvent requested = events.get(3);
        assertThat(withdrawn.type()).isEqualTo("MoneyWithdrawn");
        assertThat(requested.type()).isEqualTo(SagaParticipant.REPLY_REQUESTED);
        assertThat(requested.metadata()).isEqualTo(withdrawn.metadata());
        assertThat(requested.metadata().messageId()).isEqualTo("m1");
        // a message without a correlation id (queued before messages carried one) correlates by the saga's id
        assertThat(requested.metadata().correlationId()).isEqualTo("saga-1");
        assertThat(requested.data()).contains("\"outcome\":\"SUCCESS\"").contains("\"inReplyTo\":\"m1\"");
    }

    @Test
    void a_rejected_command_is_recorded_as_a_failure_reply_request_with_the_rejection_reason_and_no_domain_event() {
        CommandResult<BankAccount.State, BankAccount.Event> result =
                participant.handle(message("m1", "a", "Withdraw", "{\"amount\":40}"));

        assertThat(result.rejected()).isTrue();
        List<RecordedEvent> events = stream("a");
        assertThat(events).hasSize(3);
        assertThat(events.get(2).type()).isEqualTo(SagaParticipant.REPLY_REQUESTED);
        assertThat(events.get(2).data()).contains("\"outcome\":\"FAILURE\"")
                .contains("\"reason\":\"" + result.rejection().reason() + "\"");
    }

    @Test
    void a_redelivered_command_is_a_duplicate_and_requests_no_second_reply() {
        participant.handle(message("m1", "a", "Withdraw", "{\"amount\":4}"));

        CommandResult<BankAccount.State, BankAccount.Event> again =
                participant.handle(message("m1", "a", "Withdraw", "{\"amount\":4}"));

        assertThat(again.duplicate()).isTrue();
        assertThat(stream("a")).hasSize(4);
        assertThat(accounts.get("a").state().balance()).isEqualTo(6);
    }

    @Test
    void the_commands_correlation_id_goes_into_its_events_and_every_reply_also_a_resent_and_a_direct_one() {
        SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> answering =
                SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).eventStore(store).build();
        CommandMessage withdraw = new CommandMessage("m1", "TransferSaga", "saga-1", "saga-replies", "accounts", "a",
                "Withdraw", "{\"amount\":4}", 0, null, "req-1");
        CommandMessage missing = new CommandMessage("m2", "TransferSaga", "saga-1", "saga-replies", "accounts",
                "nobody", "Deposit", "{\"amount\":4}", 0, null, "req-1");

        answering.handle(withdraw);
        answering.handle(withdraw); // redelivered: the recorded reply is sent again
        answering.handle(missing); // a direct failure reply

        assertThat(stream("a")).hasSize(4).last().satisfies(e -> assertThat(e.type())
                .isEqualTo(SagaParticipant.REPLY_REQUESTED));
        assertThat(stream("a").subList(2, 4)).allSatisfy(e -> {
            assertThat(e.metadata().correlationId()).isEqualTo("req-1");
            assertThat(e.metadata().causationId()).isEqualTo("m1");
        });
        assertThat(sender.replies).hasSize(2).allSatisfy(r -> {
            assertThat(r.correlationId()).isEqualTo("req-1");
            assertThat(r.sagaId()).isEqualTo("saga-1");
        });
    }

    @Test
    void a_command_to_a_missing_aggregate_gets_a_failure_reply_at_once_with_the_same_id_on_redelivery() {
        assertThat(participant.handle(message("m9", "nobody", "Deposit", "{\"amount\":4}"))).isNull();
        participant.handle(message("m9", "nobody", "Deposit", "{\"amount\":4}"));

        assertThat(sender.replies).hasSize(2);
        assertThat(sender.replies.get(0)).isEqualTo(sender.replies.get(1));
        assertThat(sender.replies.get(0).outcome()).isEqualTo(ReplyOutcome.FAILURE);
        assertThat(sender.replies.get(0).reason()).isEqualTo(SagaParticipant.TARGET_NOT_FOUND);
        assertThat(sender.replies.get(0).inReplyTo()).isEqualTo("m9");
        assertThat(sender.replies.get(0).messageId()).isNotEqualTo("m9");
    }

    @Test
    void given_its_event_store_a_participant_answers_a_redelivered_command_again_with_the_reply_it_recorded() {
        SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> answering =
                SagaParticipant.builder(accounts, Transfer.ACCOUNTS, sender).eventStore(store).build();
        answering.handle(message("m1", "a", "Withdraw", "{\"amount\":40}")); // rejected: a FAILURE reply recorded
        RecordedEvent recorded = stream("a").get(2);

        CommandResult<BankAccount.State, BankAccount.Event> again =
                answering.handle(message("m1", "a", "Withdraw", "{\"amount\":40}"));

        assertThat(again.duplicate()).isTrue();
        assertThat(stream("a")).hasSize(3);
        assertThat(sender.replies).singleElement().satisfies(reply -> {
            assertThat(reply.messageId()).isEqualTo(recorded.eventId().toString());
            assertThat(reply.inReplyTo()).isEqualTo("m1");
            assertThat(reply.outcome()).isEqualTo(ReplyOutcome.FAILURE);
            assertThat(reply.sentAt()).isEqualTo(recorded.timestamp());
        });
    }

    @Test
    void a_command_processed_long_ago_and_re_sent_gets_its_recorded_reply_from_one_commit_not_the_whole_history() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        InMemoryEventStore events = new InMemoryEventStore(clock);
        List<ReadRequest> reads = new ArrayList<>();
        EventStore counted = new EventStore() {
            public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> newEvents,
                                       EventMetadata metadata) {
                return events.append(streamId, expected, newEvents, metadata);
            }

            public StreamSlice read(StreamId streamId, ReadRequest request) {
                reads.add(request);
                return events.read(streamId, request);
            }

            public Optional<MessageCommit> findMessageCommit(StreamId streamId, String messageId, long atOrBelow,
                                                             Instant writtenSince) {
                return events.findMessageCommit(streamId, messageId, atOrBelow, writtenSince);
            }
        };
        var repository = AggregateRepository.builder(new BankAccount()).eventStore(counted).clock(clock).build();
        var answering = SagaParticipant.builder(repository, Transfer.ACCOUNTS, sender).eventStore(counted).build();
        repository.create("b", new BankAccount.Open("bob"));
        CommandMessage deposit = new CommandMessage("m1", "TransferSaga", "saga-1", "saga-replies", "accounts", "b",
                "Deposit", "{\"amount\":4}", 0, clock.instant());
        answering.handle(deposit);
        for (int i = 0; i < 50; i++) { // the account takes part in many other sagas since
            clock.advance(Duration.ofMinutes(1));
            repository.update("b", new BankAccount.Deposit(1));
        }
        reads.clear();

        answering.handle(new CommandMessage("m1", "TransferSaga", "saga-1", "saga-replies", "accounts", "b",
                "Deposit", "{\"amount\":4}", 1, deposit.sentAt())); // re-sent: its first reply was lost

        // (the first reply is the stream's reply sender's, not run here): the recorded reply is sent again
        assertThat(sender.replies).singleElement().satisfies(reply -> {
            assertThat(reply.inReplyTo()).isEqualTo("m1");
            assertThat(reply.outcome()).isEqualTo(ReplyOutcome.SUCCESS);
        });
        // the load, then the commit holding m1 (versions 2..3), never a read of the whole stream from version 1
        assertThat(reads).last().satisfies(r -> {
            assertThat(r.fromVersion()).isEqualTo(2);
            assertThat(r.toVersion()).isEqualTo(3);
        });
        assertThat(accounts.get("a").state().balance()).isEqualTo(10);
        assertThat(repository.get("b").state().balance()).isEqualTo(54);
    }
}
