package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.memory.InMemoryEventStore;
import dev.nosqles.testsupport.BankAccount;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SagaParticipantTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    private final RecordingSender sender = new RecordingSender();
    private final SagaParticipant<BankAccount.State, BankAccount.Command, BankAccount.Event> participant =
            new SagaParticipant<>(accounts, Transfer.ACCOUNTS, sender);

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
                new SagaParticipant<>(accounts, Transfer.ACCOUNTS, sender, store);
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
}
