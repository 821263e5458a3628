package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamAlreadyExistsException;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The message id that caused a change is stored in its events; a redelivered message changes nothing. */
class IdempotentCommandsTest {
    private static EventStore events;
    private static SnapshotStore snapshots;

    @BeforeAll
    static void tables() {
        DynamoDbClient client = TestTables.client(new CapacityMeter());
        events = DynamoDbEventStore.builder().client(client).tableName(TestTables.newEventsTable(client, "idem")).build();
        snapshots = DynamoDbSnapshotStore.builder().client(client)
                .tableName(TestTables.newSnapshotsTable(client, "idem")).build();
    }

    private static AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts(int every,
                                                                                                            int window) {
        return AggregateRepository.builder(new BankAccount(every, 1)).eventStore(events).snapshotStore(snapshots)
                .deduplicationWindow(window).build();
    }

    private static EventMetadata message(String id) {
        return EventMetadata.empty().withMessageId(id);
    }

    @Test
    void a_message_processed_twice_produces_one_set_of_events() {
        var repo = accounts(0, 100);
        repo.create("twice", new BankAccount.Open("ann"), message("m-open"));
        CommandResult<BankAccount.State, BankAccount.Event> first = repo.update("twice", new BankAccount.Deposit(10),
                message("m-1"));
        CommandResult<BankAccount.State, BankAccount.Event> again = repo.update("twice", new BankAccount.Deposit(10),
                message("m-1"));

        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.events()).isEmpty();
        assertThat(again.state()).isEqualTo(first.state());
        assertThat(repo.get("twice").state().balance()).isEqualTo(10);
        assertThat(events.read(StreamId.of("Account", "twice")).events()).hasSize(2);
    }

    @Test
    void the_message_id_is_stored_inside_the_events_it_produced() {
        var repo = accounts(0, 100);
        repo.create("stored", new BankAccount.Open("ann"), message("m-open"));
        repo.update("stored", new BankAccount.DepositTwice(1, 2), message("m-2"));

        assertThat(events.read(StreamId.of("Account", "stored")).events())
                .extracting(e -> e.metadata().messageId())
                .containsExactly("m-open", "m-2", "m-2");
    }

    @Test
    void a_message_that_changes_nothing_is_recorded_by_a_pseudo_event_and_its_redelivery_dropped() {
        var repo = accounts(0, 100);
        repo.create("noop", new BankAccount.Open("ann"), message("m-open"));
        CommandResult<BankAccount.State, BankAccount.Event> first = repo.update("noop", new BankAccount.Noop(),
                message("m-noop"));
        CommandResult<BankAccount.State, BankAccount.Event> again = repo.update("noop", new BankAccount.Noop(),
                message("m-noop"));

        List<RecordedEvent> stored = events.read(StreamId.of("Account", "noop")).events();
        assertThat(stored).extracting(RecordedEvent::type).containsExactly("AccountOpened", "nosqles.MessageProcessed");
        assertThat(stored.get(1).metadata().messageId()).isEqualTo("m-noop");
        assertThat(first.events()).isEmpty();
        assertThat(first.duplicate()).isFalse();
        assertThat(first.state().version()).isEqualTo(2);
        assertThat(again.duplicate()).isTrue();
        // the pseudo event is not part of the domain history, and apply never sees it
        assertThat(repo.history("noop")).hasSize(1);
        assertThat(repo.get("noop").state()).isEqualTo(new BankAccount.State("ann", 0, 0, true));
    }

    @Test
    void a_duplicate_is_still_recognised_after_a_snapshot_in_between() {
        var repo = accounts(3, 100);
        repo.create("snap", new BankAccount.Open("ann"), message("m-open"));
        repo.update("snap", new BankAccount.Deposit(5), message("m-5"));
        repo.update("snap", new BankAccount.Deposit(7), message("m-7")); // version 3: snapshot
        repo.update("snap", new BankAccount.Deposit(9), message("m-9"));
        assertThat(snapshots.load(StreamId.of("Account", "snap")).orElseThrow().version()).isEqualTo(3);

        // m-5 is only known from the snapshot now; m-9 from the event after it
        assertThat(repo.update("snap", new BankAccount.Deposit(5), message("m-5")).duplicate()).isTrue();
        assertThat(repo.update("snap", new BankAccount.Deposit(9), message("m-9")).duplicate()).isTrue();
        assertThat(repo.get("snap").state().balance()).isEqualTo(21);
        assertThat(events.read(StreamId.of("Account", "snap")).events()).hasSize(4);
    }

    @Test
    void the_snapshot_carries_only_the_most_recent_message_ids() {
        var repo = accounts(4, 2);
        repo.create("window", new BankAccount.Open("ann"), message("w-0"));
        for (int i = 1; i <= 3; i++) {
            repo.update("window", new BankAccount.Deposit(i), message("w-" + i));
        }
        assertThat(snapshots.load(StreamId.of("Account", "window")).orElseThrow().recentMessageIds())
                .containsExactly("w-2", "w-3");
        assertThat(repo.update("window", new BankAccount.Deposit(3), message("w-3")).duplicate()).isTrue();
        // outside the window, still recognised: the events written since it was sent are searched
        assertThat(repo.update("window", new BankAccount.Deposit(1), message("w-1")).duplicate()).isTrue();
        assertThat(repo.get("window").state().balance()).isEqualTo(6);
    }

    @Test
    void a_redelivered_create_is_a_duplicate_but_another_create_of_the_same_id_is_a_conflict() {
        var repo = accounts(0, 100);
        repo.create("c", new BankAccount.Open("ann"), message("create-1"));

        assertThat(repo.create("c", new BankAccount.Open("ann"), message("create-1")).duplicate()).isTrue();
        assertThatThrownBy(() -> repo.create("c", new BankAccount.Open("bob"), message("create-2")))
                .isInstanceOf(StreamAlreadyExistsException.class);
        assertThatThrownBy(() -> repo.create("c", new BankAccount.Open("bob")))
                .isInstanceOf(StreamAlreadyExistsException.class);
    }

    @Test
    void commands_without_a_message_id_are_never_deduplicated() {
        var repo = accounts(0, 100);
        repo.create("plain", new BankAccount.Open("ann"));
        repo.update("plain", new BankAccount.Deposit(1));
        repo.update("plain", new BankAccount.Deposit(1));
        repo.update("plain", new BankAccount.Noop());
        assertThat(repo.get("plain").state().balance()).isEqualTo(2);
        assertThat(events.read(StreamId.of("Account", "plain")).events()).hasSize(3);
    }
}
