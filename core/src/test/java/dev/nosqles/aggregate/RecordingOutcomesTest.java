package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.BankAccount;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** updateRecording: a pseudo event recording the outcome, in the same commit as the domain events. */
class RecordingOutcomesTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    private final Function<CommandOutcome<BankAccount.State, BankAccount.Event>, PseudoEvent> reply = outcome ->
            switch (outcome) {
                case CommandOutcome.Accepted<BankAccount.State, BankAccount.Event> a ->
                        new PseudoEvent("nosqles.Reply", 1, "{\"ok\":true,\"balance\":" + a.stateAfter().balance() + "}");
                case CommandOutcome.Rejected<BankAccount.State, BankAccount.Event> r ->
                        new PseudoEvent("nosqles.Reply", 1, "{\"ok\":false,\"reason\":\"" + r.rejection().reason() + "\"}");
            };

    private List<RecordedEvent> stored(String id) {
        return store.read(StreamId.of("Account", id)).events();
    }

    @Test
    void an_accepted_command_commits_its_events_and_the_pseudo_event_together() {
        accounts.create("r1", new BankAccount.Open("ann"));
        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.updateRecording("r1",
                new BankAccount.Deposit(7), EventMetadata.empty().withMessageId("cmd-1"), reply);

        assertThat(result.rejected()).isFalse();
        List<RecordedEvent> events = stored("r1");
        assertThat(events).extracting(RecordedEvent::type).containsExactly("AccountOpened", "MoneyDeposited",
                "nosqles.Reply");
        assertThat(events.get(2).data()).isEqualTo("{\"ok\":true,\"balance\":7}");
        assertThat(events.get(1).timestamp()).isEqualTo(events.get(2).timestamp());
        assertThat(events.get(2).metadata().messageId()).isEqualTo("cmd-1");
    }

    @Test
    void a_rejected_command_records_the_rejection_instead_of_throwing() {
        accounts.create("r2", new BankAccount.Open("ann"));
        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.updateRecording("r2",
                new BankAccount.Withdraw(5), EventMetadata.empty().withMessageId("cmd-2"), reply);

        assertThat(result.rejection()).isInstanceOf(BankAccount.InsufficientFunds.class);
        assertThat(stored("r2")).extracting(RecordedEvent::data).last().isEqualTo(
                "{\"ok\":false,\"reason\":\"insufficient-funds\"}");
        assertThat(accounts.get("r2").state().balance()).isZero();
    }

    @Test
    void a_redelivered_message_records_nothing_more() {
        accounts.create("r3", new BankAccount.Open("ann"));
        accounts.updateRecording("r3", new BankAccount.Deposit(1), EventMetadata.empty().withMessageId("cmd-3"), reply);
        CommandResult<BankAccount.State, BankAccount.Event> again = accounts.updateRecording("r3",
                new BankAccount.Deposit(1), EventMetadata.empty().withMessageId("cmd-3"), reply);

        assertThat(again.duplicate()).isTrue();
        assertThat(stored("r3")).hasSize(3);
        assertThat(accounts.get("r3").state().balance()).isEqualTo(1);
    }

    @Test
    void an_aggregate_that_does_not_exist_is_not_found_and_a_message_id_is_required() {
        assertThatThrownBy(() -> accounts.updateRecording("nobody", new BankAccount.Deposit(1),
                EventMetadata.empty().withMessageId("cmd-4"), reply)).isInstanceOf(StreamNotFoundException.class);
        assertThatThrownBy(() -> accounts.updateRecording("nobody", new BankAccount.Deposit(1),
                EventMetadata.empty(), reply)).isInstanceOf(IllegalArgumentException.class);
    }
}
