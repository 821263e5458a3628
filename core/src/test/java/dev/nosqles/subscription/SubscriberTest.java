package dev.nosqles.subscription;

import dev.nosqles.memory.InMemoryCheckpointStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.UnknownEventTypeException;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.BankAccount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Subscriber routing, on the in-memory store and checkpoints. */
class SubscriberTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).build();

    /** The commit items of a stream, as the events table's stream would carry them. */
    private List<Map<String, AttributeValue>> commitsOf(String id) {
        List<RecordedEvent> events = store.read(StreamId.of("Account", id)).events();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (RecordedEvent e : events) {
            items.add(CommitItems.toItem(e.streamId(), e.version(),
                    List.of(new dev.nosqles.store.NewEvent(e.eventId(), e.type(), e.schemaVersion(), e.data())),
                    e.metadata(), e.timestamp()));
        }
        return items;
    }

    @Test
    void a_typed_handler_can_take_only_some_event_types() {
        accounts.create("t1", new BankAccount.Open("ann"));
        accounts.update("t1", new BankAccount.Deposit(4));
        accounts.update("t1", new BankAccount.Withdraw(1));
        List<Object> seen = new ArrayList<>();
        Subscriber withdrawals = Subscriber.builder("withdrawals")
                .on(new BankAccount(), Set.of(BankAccount.Withdrawn.class), (e, ctx) -> seen.add(e.event()))
                .build();
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();

        EventDispatcher.Result result = new EventDispatcher(List.of(withdrawals), checkpoints, store)
                .dispatch(commitsOf("t1"));

        assertThat(seen).containsExactly(new BankAccount.Withdrawn(1));
        assertThat(result.handled()).isEqualTo(1);
        // the checkpoint still moves past the events the handler did not want
        assertThat(checkpoints.position("withdrawals", StreamId.of("Account", "t1"))).isEqualTo(3);
    }

    /** Appends stored events one commit each, as a writer with other (newer or older) event types would. */
    private void storedHistory(String id, NewEvent... events) {
        StreamId stream = StreamId.of("Account", id);
        for (int i = 0; i < events.length; i++) {
            store.append(stream, i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(i), List.of(events[i]),
                    EventMetadata.empty());
        }
    }

    private static NewEvent stored(String type, int schemaVersion, String data) {
        return new NewEvent(UUID.randomUUID(), type, schemaVersion, data);
    }

    @Test
    void an_event_type_this_deployment_does_not_know_passes_by_handlers_that_did_not_ask_for_it() {
        // given a newer writer stored "AccountFrozen", which this deployment's BankAccount does not register
        storedHistory("u1", stored("AccountOpened", 1, "{\"owner\":\"ann\"}"), stored("AccountFrozen", 1, "{}"),
                stored("MoneyWithdrawn", 1, "{\"amount\":2}"));
        List<Object> seen = new ArrayList<>();
        Subscriber withdrawals = Subscriber.builder("withdrawals")
                .on(new BankAccount(), Set.of(BankAccount.Withdrawn.class), (e, ctx) -> seen.add(e.event()))
                .build();
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();

        EventDispatcher.Result result = new EventDispatcher(List.of(withdrawals), checkpoints, store)
                .dispatch(commitsOf("u1"));

        assertThat(result.succeeded()).isTrue();
        assertThat(seen).containsExactly(new BankAccount.Withdrawn(2));
        assertThat(checkpoints.position("withdrawals", StreamId.of("Account", "u1"))).isEqualTo(3);
    }

    @Test
    void an_old_stored_type_name_that_upcasts_to_a_wanted_type_is_still_delivered() {
        // "CashDeposited" v1 {sum} is today's "MoneyDeposited" v3 {amount, currency}
        storedHistory("u2", stored("AccountOpened", 1, "{\"owner\":\"ann\"}"),
                stored("CashDeposited", 1, "{\"sum\":5}"), stored("AccountFrozen", 1, "{}"));
        List<Object> seen = new ArrayList<>();
        Subscriber deposits = Subscriber.builder("deposits")
                .on(new BankAccount(), Set.of(BankAccount.Deposited.class), (e, ctx) -> seen.add(e.event()))
                .build();

        EventDispatcher.Result result = new EventDispatcher(List.of(deposits), new InMemoryCheckpointStore(), store)
                .dispatch(commitsOf("u2"));

        assertThat(result.succeeded()).isTrue();
        assertThat(seen).containsExactly(new BankAccount.Deposited(5, "EUR"));
    }

    @Test
    void a_handler_of_every_event_of_the_type_fails_loudly_on_an_unknown_type_and_its_checkpoint_stays() {
        storedHistory("u3", stored("AccountOpened", 1, "{\"owner\":\"ann\"}"), stored("AccountFrozen", 1, "{}"));
        List<Object> seen = new ArrayList<>();
        Subscriber everything = Subscriber.builder("everything")
                .on(new BankAccount(), (e, ctx) -> seen.add(e.event())).build();
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();

        EventDispatcher.Result result = new EventDispatcher(List.of(everything), checkpoints, store)
                .dispatch(commitsOf("u3"));

        assertThat(result.failedIndex()).isEqualTo(1);
        assertThat(result.failure()).isInstanceOf(UnknownEventTypeException.class);
        assertThat(seen).containsExactly(new BankAccount.Opened("ann"));
        assertThat(checkpoints.position("everything", StreamId.of("Account", "u3"))).isEqualTo(1);
    }

    @Test
    void other_aggregate_types_and_items_that_are_not_commits_are_ignored() {
        accounts.create("t2", new BankAccount.Open("ann"));
        List<Object> seen = new ArrayList<>();
        Subscriber orders = Subscriber.builder("orders-only").onRaw("Order", (e, ctx) -> seen.add(e)).build();
        List<Map<String, AttributeValue>> images = new ArrayList<>(commitsOf("t2"));
        images.add(Map.of("streamId", AttributeValue.fromS("something-else")));
        images.add(null);

        EventDispatcher.Result result = new EventDispatcher(List.of(orders), new InMemoryCheckpointStore(), store)
                .dispatch(images);

        assertThat(result.succeeded()).isTrue();
        assertThat(seen).isEmpty();
        assertThat(orders.aggregateTypes()).containsExactly("Order");
    }

    @Test
    void subscribers_are_named_have_handlers_and_are_unique_in_a_dispatcher() {
        assertThatThrownBy(() -> Subscriber.builder("has space")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Subscriber.builder("empty").build()).isInstanceOf(IllegalStateException.class);
        Subscriber a = Subscriber.builder("a").onRaw(Subscriber.ALL, (e, ctx) -> { }).build();
        assertThatThrownBy(() -> new EventDispatcher(List.of(a, a), new InMemoryCheckpointStore(), store))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_checkpoint_moved_by_someone_else_is_a_conflict() {
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        StreamId stream = StreamId.of("Account", "t3");
        checkpoints.advance("s", stream, 0, 2, List.of());
        assertThatThrownBy(() -> checkpoints.advance("s", stream, 0, 1, List.of()))
                .isInstanceOfSatisfying(CheckpointConflictException.class, c -> {
                    assertThat(c.expectedVersion()).isZero();
                    assertThat(c.streamId()).isEqualTo(stream);
                });
    }
}
