package dev.nosqles.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamSlice;
import dev.nosqles.store.StreamId;
import dev.nosqles.testsupport.BankAccount;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A subscriber with a batch handler (ADR 0022): the events of many aggregates per call, in rounds of at most one
 * event per aggregate, each aggregate's checkpoint moved once per batch. On moto: the events and the checkpoints.
 */
class BatchSubscriberTest {
    private final AccountStreams streams = new AccountStreams("batched");
    private final DynamoDbEventStore store = streams.store;
    private final CountingCheckpoints checkpoints = streams.checkpoints;
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            streams.accounts;

    @ParameterizedTest(name = "{0} aggregate(s) at once")
    @ValueSource(ints = {1, 4})
    void each_round_holds_the_next_event_of_every_aggregate_and_each_checkpoint_moves_once(int concurrency) {
        List.of("a", "b", "c").forEach(this::history);
        List<List<String>> rounds = new CopyOnWriteArrayList<>();
        Subscriber batched = Subscriber.builder("batched").onRawBatch(Set.of("Account"), events -> {
            rounds.add(events.stream().map(BatchSubscriberTest::name).toList());
            return Map.of();
        }).build();

        EventDispatcher.Result result = new EventDispatcher(List.of(batched), checkpoints, store)
                .withConcurrency(concurrency).dispatch(commits("a", "b", "c"));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.handled()).isEqualTo(15);
        assertThat(rounds).containsExactly(List.of("a@1", "b@1", "c@1"), List.of("a@2", "b@2", "c@2"),
                List.of("a@3", "b@3", "c@3"), List.of("a@4", "b@4", "c@4"), List.of("a@5", "b@5", "c@5"));
        assertThat(checkpoints.reads.get()).isEqualTo(1); // one batch read of the three positions
        assertThat(checkpoints.advances.get()).isEqualTo(3); // one move per aggregate, not per event
        for (String id : List.of("a", "b", "c")) {
            assertThat(checkpoints.position("batched", account(id))).isEqualTo(5);
        }
    }

    @Test
    void a_failed_event_stops_its_aggregate_there_and_the_retry_hands_over_only_what_did_not_take_effect() {
        List.of("a", "b").forEach(this::history);
        List<Map<String, AttributeValue>> batch = commits("a", "b");
        List<String> took = new CopyOnWriteArrayList<>();
        AtomicInteger refusals = new AtomicInteger(1);
        Subscriber batched = Subscriber.builder("batched").onRawBatch(Set.of("Account"), events -> {
            Map<Integer, Exception> failed = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                RecordedEvent event = events.get(i);
                if (name(event).equals("a@3") && refusals.getAndDecrement() > 0) {
                    failed.put(i, new BatchEntryRejectedException(event.streamId(), event.version(), "InternalError",
                            false));
                } else {
                    took.add(name(event));
                }
            }
            return failed;
        }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(batched), checkpoints, store);

        EventDispatcher.Result first = dispatcher.dispatch(batch);

        // a stopped at 3 (4 and 5 not handed over after it), b went on to its end
        assertThat(first.succeeded()).isFalse();
        assertThat(first.failure()).isInstanceOf(BatchEntryRejectedException.class);
        assertThat(((BatchEntryRejectedException) first.failure()).version()).isEqualTo(3);
        assertThat(batch.get(first.failedIndex()).get(EventTables.STREAM_ID_ATTRIBUTE).s())
                .isEqualTo(account("a").value());
        assertThat(batch.get(first.failedIndex()).get(EventTables.VERSION_ATTRIBUTE).n()).isEqualTo("3");
        assertThat(took).containsExactly("a@1", "b@1", "a@2", "b@2", "b@3", "b@4", "b@5");
        assertThat(checkpoints.position("batched", account("a"))).isEqualTo(2);
        assertThat(checkpoints.position("batched", account("b"))).isEqualTo(5);

        // Lambda retries from the failed record: b's records after it are duplicates to its checkpoint
        EventDispatcher.Result retry = dispatcher.dispatch(batch.subList(first.failedIndex(), batch.size()));
        assertThat(retry.succeeded()).isTrue();
        assertThat(retry.duplicates()).isEqualTo(5);
        assertThat(took).containsExactly("a@1", "b@1", "a@2", "b@2", "b@3", "b@4", "b@5", "a@3", "a@4", "a@5");
        assertThat(checkpoints.position("batched", account("a"))).isEqualTo(5);
    }

    @Test
    void a_handler_that_throws_fails_every_event_of_its_round_and_what_took_effect_before_is_committed() {
        List.of("a", "b").forEach(this::history);
        List<Map<String, AttributeValue>> batch = commits("a", "b");
        AtomicInteger calls = new AtomicInteger();
        Subscriber batched = Subscriber.builder("batched").onRawBatch(Set.of("Account"), events -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("injected: the service did not answer");
            }
            return Map.of();
        }).build();

        EventDispatcher.Result result = new EventDispatcher(List.of(batched), checkpoints, store).dispatch(batch);

        assertThat(calls.get()).isEqualTo(2); // no round after every aggregate failed
        assertThat(result.failure()).hasMessage("injected: the service did not answer");
        assertThat(batch.get(result.failedIndex()).get(EventTables.VERSION_ATTRIBUTE).n()).isEqualTo("2");
        assertThat(batch.get(result.failedIndex()).get(EventTables.STREAM_ID_ATTRIBUTE).s())
                .isEqualTo(account("a").value()); // the smaller record index of the two
        assertThat(checkpoints.position("batched", account("a"))).isEqualTo(1);
        assertThat(checkpoints.position("batched", account("b"))).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"null", "an index past the round", "a negative index", "a null index"})
    void a_result_the_dispatcher_cannot_trust_fails_every_event_of_its_round_instead_of_taking_them_as_done(
            String result) {
        List.of("a", "b").forEach(this::history);
        List<Map<String, AttributeValue>> batch = commits("a", "b");
        AtomicInteger calls = new AtomicInteger();
        Subscriber batched = Subscriber.builder("batched").onRawBatch(Set.of("Account"), events -> {
            if (calls.incrementAndGet() < 3) {
                return Map.of();
            }
            Map<Integer, Exception> untrusted = new HashMap<>();
            switch (result) {
                case "null" -> untrusted = null;
                case "an index past the round" -> untrusted.put(events.size(), new IllegalStateException("off by one"));
                case "a negative index" -> untrusted.put(-1, new IllegalStateException("off by one"));
                default -> untrusted.put(null, new IllegalStateException("no index"));
            }
            return untrusted;
        }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(batched), checkpoints, store);

        EventDispatcher.Result first = dispatcher.dispatch(batch);

        // the third round (a@3, b@3) did not take effect: both checkpoints stay at 2, the batch fails at a@3
        assertThat(calls.get()).isEqualTo(3);
        assertThat(first.failure()).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("batched: ");
        assertThat(batch.get(first.failedIndex()).get(EventTables.STREAM_ID_ATTRIBUTE).s())
                .isEqualTo(account("a").value());
        assertThat(batch.get(first.failedIndex()).get(EventTables.VERSION_ATTRIBUTE).n()).isEqualTo("3");
        assertThat(checkpoints.position("batched", account("a"))).isEqualTo(2);
        assertThat(checkpoints.position("batched", account("b"))).isEqualTo(2);
    }

    @Test
    void an_event_named_failed_without_a_cause_fails_alone() {
        List.of("a", "b").forEach(this::history);
        List<Map<String, AttributeValue>> batch = commits("a", "b");
        List<String> took = new CopyOnWriteArrayList<>();
        Subscriber batched = Subscriber.builder("batched").onRawBatch(Set.of("Account"), events -> {
            Map<Integer, Exception> failed = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                if (name(events.get(i)).equals("b@2")) {
                    failed.put(i, null);
                } else {
                    took.add(name(events.get(i)));
                }
            }
            return failed;
        }).build();

        EventDispatcher.Result first = new EventDispatcher(List.of(batched), checkpoints, store).dispatch(batch);

        assertThat(first.failure()).isInstanceOf(IllegalStateException.class).hasMessageContaining("without a cause");
        assertThat(batch.get(first.failedIndex()).get(EventTables.STREAM_ID_ATTRIBUTE).s())
                .isEqualTo(account("b").value());
        assertThat(batch.get(first.failedIndex()).get(EventTables.VERSION_ATTRIBUTE).n()).isEqualTo("2");
        assertThat(took).containsExactly("a@1", "b@1", "a@2", "a@3", "a@4", "a@5");
        assertThat(checkpoints.position("batched", account("a"))).isEqualTo(5);
        assertThat(checkpoints.position("batched", account("b"))).isEqualTo(1);
    }

    @Test
    void events_the_handler_does_not_take_pass_by_without_a_round_and_the_checkpoint_moves_past_them() {
        history("a");
        List<List<String>> rounds = new CopyOnWriteArrayList<>();
        RawBatchHandler depositsOnly = new RawBatchHandler() {
            @Override
            public Map<Integer, Exception> handle(List<RecordedEvent> events) {
                rounds.add(events.stream().map(BatchSubscriberTest::name).toList());
                return Map.of();
            }

            @Override
            public boolean takes(RecordedEvent event) {
                return event.type().equals("MoneyDeposited");
            }
        };
        Subscriber batched = Subscriber.builder("batched").onRawBatch(Set.of("Account"), depositsOnly).build();

        EventDispatcher.Result result = new EventDispatcher(List.of(batched), checkpoints, store)
                .dispatch(commits("a"));

        assertThat(result.succeeded()).isTrue();
        assertThat(rounds).containsExactly(List.of("a@2"), List.of("a@3"), List.of("a@4"));
        assertThat(checkpoints.position("batched", account("a"))).isEqualTo(5); // past the withdrawal it passed by
    }

    @Test
    void a_batch_that_starts_after_the_checkpoint_has_the_gap_filled_from_the_store() {
        history("a");
        List<String> took = new CopyOnWriteArrayList<>();
        Subscriber batched = takingAll(took);

        EventDispatcher.Result result = new EventDispatcher(List.of(batched), checkpoints, store)
                .dispatch(commits("a").subList(3, 5));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.filledFromStore()).isEqualTo(3);
        assertThat(took).containsExactly("a@1", "a@2", "a@3", "a@4", "a@5");
    }

    @Test
    void under_random_failures_before_and_after_the_effect_and_redeliveries_every_aggregate_takes_effect_in_order() {
        List<String> ids = List.of("p", "q", "r", "s");
        ids.forEach(this::history);
        Random random = new Random(7);
        Map<StreamId, List<Long>> effects = new ConcurrentHashMap<>(); // what a receiver got, repeats included
        Subscriber batched = Subscriber.builder("batched").onRawBatch(Set.of("Account"), events -> {
            Map<Integer, Exception> failed = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                RecordedEvent event = events.get(i);
                double draw = random.nextDouble();
                if (draw < 0.2) { // refused before the effect
                    failed.put(i, new BatchEntryRejectedException(event.streamId(), event.version(), "Throttled",
                            false));
                    continue;
                }
                effects.computeIfAbsent(event.streamId(), k -> new CopyOnWriteArrayList<>()).add(event.version());
                if (draw < 0.35) { // took effect, the answer said otherwise
                    failed.put(i, new BatchEntryRejectedException(event.streamId(), event.version(), "InternalError",
                            false));
                }
            }
            if (random.nextDouble() < 0.1) {
                throw new IllegalStateException("injected: the answer was lost after the round took effect");
            }
            return failed;
        }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(batched), checkpoints, store).withConcurrency(3);
        List<Map<String, AttributeValue>> batch = commits("p", "q", "r", "s");

        for (int delivery = 0; delivery < 3; delivery++) { // the whole batch three times, each retried to its end
            EventDispatcherTest.deliverLikeLambda(dispatcher, batch);
        }

        for (String id : ids) {
            List<Long> got = effects.get(account(id));
            // in order: a repeat is of the version just taken (the receiver drops it by the event id), never a jump back
            for (int i = 1; i < got.size(); i++) {
                assertThat(got.get(i)).as("%s after %s", got.get(i), got.subList(0, i))
                        .isIn(got.get(i - 1), got.get(i - 1) + 1);
            }
            assertThat(new LinkedHashSet<>(got)).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(checkpoints.position("batched", account(id))).isEqualTo(5);
        }
    }

    @Test
    void a_relay_with_a_batch_handler_is_handed_the_batch_in_rounds_without_checkpoints() {
        List.of("a", "b").forEach(this::history);
        List<List<String>> rounds = new CopyOnWriteArrayList<>();
        Subscriber relay = Subscriber.builder("relay").withoutCheckpoints().onRawBatch(Set.of(Subscriber.ALL),
                events -> {
                    rounds.add(events.stream().map(BatchSubscriberTest::name).toList());
                    return Map.of();
                }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(relay), checkpoints, store);
        List<Map<String, AttributeValue>> batch = commits("a", "b");

        dispatcher.dispatch(batch);
        EventDispatcher.Result again = dispatcher.dispatch(batch.subList(3, batch.size())); // a redelivery

        assertThat(again.succeeded()).isTrue();
        assertThat(rounds).hasSize(10).startsWith(List.of("a@1", "b@1"))
                .contains(List.of("a@4", "b@1"), List.of("a@5", "b@2"), List.of("b@5"));
        assertThat(checkpoints.reads.get() + checkpoints.advances.get()).isZero();
    }

    @Test
    void a_relay_whose_event_fails_is_handed_it_again_from_its_record_on_the_retry() {
        List.of("a", "b").forEach(this::history);
        List<Map<String, AttributeValue>> batch = commits("a", "b");
        List<String> took = new CopyOnWriteArrayList<>();
        Subscriber relay = relayRefusingOnce("a@3", took);
        EventDispatcher dispatcher = new EventDispatcher(List.of(relay), checkpoints, store);

        EventDispatcher.Result first = dispatcher.dispatch(batch);

        // the failed index is a@3's record itself: a relay has no checkpoint to fill a gap from
        assertThat(batch.get(first.failedIndex()).get(EventTables.STREAM_ID_ATTRIBUTE).s())
                .isEqualTo(account("a").value());
        assertThat(batch.get(first.failedIndex()).get(EventTables.VERSION_ATTRIBUTE).n()).isEqualTo("3");
        EventDispatcher.Result retry = dispatcher.dispatch(batch.subList(first.failedIndex(), batch.size()));

        assertThat(retry.succeeded()).isTrue();
        assertThat(took.stream().filter(n -> n.startsWith("a@")).toList())
                .containsExactly("a@1", "a@2", "a@3", "a@4", "a@5");
        assertThat(took.stream().filter(n -> n.startsWith("b@")).toList()) // b again: at least once, in order
                .containsExactly("b@1", "b@2", "b@3", "b@4", "b@5", "b@1", "b@2", "b@3", "b@4", "b@5");
    }

    @Test
    void a_relay_whose_batch_holds_an_aggregates_commits_out_of_order_is_handed_a_failed_event_again_on_the_retry() {
        history("a");
        List<Map<String, AttributeValue>> inOrder = commits("a");
        // a@2's commit before a@1's: the failure of a@1 must not be reported after a@2's record
        List<Map<String, AttributeValue>> batch = List.of(inOrder.get(1), inOrder.get(0), inOrder.get(2),
                inOrder.get(3), inOrder.get(4));
        List<String> took = new CopyOnWriteArrayList<>();
        Subscriber relay = relayRefusingOnce("a@1", took);
        EventDispatcher dispatcher = new EventDispatcher(List.of(relay), checkpoints, store);

        EventDispatcher.Result first = dispatcher.dispatch(batch);

        assertThat(took).containsExactly("a@2");
        assertThat(first.failedIndex()).isZero(); // not a@3's record: the retry must hold a@1 again
        EventDispatcher.Result retry = dispatcher.dispatch(batch.subList(first.failedIndex(), batch.size()));
        assertThat(retry.succeeded()).isTrue();
        assertThat(took).containsExactly("a@2", "a@2", "a@1", "a@3", "a@4", "a@5");
    }

    @Test
    void a_gap_the_store_does_not_fill_stops_the_aggregate_before_it_instead_of_moving_the_checkpoint_past_it() {
        history("a");
        List<String> took = new CopyOnWriteArrayList<>();
        Subscriber batched = takingAll(took);
        // a store whose read of the gap comes back without its first event (a restore, a wrong table)
        EventStore losing = new EventStore() {
            @Override
            public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                                       EventMetadata metadata) {
                return store.append(streamId, expected, events, metadata);
            }

            @Override
            public StreamSlice read(StreamId streamId, ReadRequest request) {
                StreamSlice slice = store.read(streamId, request);
                return new StreamSlice(streamId, slice.events().subList(1, slice.events().size()), false,
                        slice.streamVersion());
            }
        };

        EventDispatcher.Result result = new EventDispatcher(List.of(batched), checkpoints, losing)
                .dispatch(commits("a").subList(3, 5)); // versions 4 and 5: 1 to 3 read from the store, 1 missing

        assertThat(result.succeeded()).isFalse();
        assertThat(result.failure()).hasMessageContaining("expected version 1 but read 2");
        assertThat(took).isEmpty();
        assertThat(checkpoints.position("batched", account("a"))).isZero();
    }

    @Test
    void a_batch_handler_is_a_subscribers_only_handler() {
        RawBatchHandler none = events -> Map.of();
        assertThatThrownBy(() -> Subscriber.builder("mixed").onRawBatch(Set.of("Account"), none)
                .onRaw("Account", (event, ctx) -> { }).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no other handler");
        assertThatThrownBy(() -> Subscriber.builder("twice").onRawBatch(Set.of("Account"), none)
                .onRawBatch(Set.of("Other"), none))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at most one batch handler");
        assertThatThrownBy(() -> Subscriber.builder("none").onRawBatch(Set.of(), none))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A relay that refuses {@code refused} the first time it is handed over and notes every event that took effect. */
    private static Subscriber relayRefusingOnce(String refused, List<String> took) {
        AtomicInteger refusals = new AtomicInteger(1);
        return Subscriber.builder("relay").withoutCheckpoints().onRawBatch(Set.of("Account"), events -> {
            Map<Integer, Exception> failed = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                if (name(events.get(i)).equals(refused) && refusals.getAndDecrement() > 0) {
                    failed.put(i, new IllegalStateException("injected: refused"));
                } else {
                    took.add(name(events.get(i)));
                }
            }
            return failed;
        }).build();
    }

    /** A batched subscriber whose every event takes effect: it notes each one's name. */
    private static Subscriber takingAll(List<String> took) {
        return Subscriber.builder("batched").onRawBatch(Set.of("Account"), events -> {
            events.forEach(e -> took.add(name(e)));
            return Map.of();
        }).build();
    }

    private static String name(RecordedEvent event) {
        return event.streamId().id() + "@" + event.version();
    }

    private static StreamId account(String id) {
        return AccountStreams.account(id);
    }

    private void history(String id) {
        streams.history(id);
    }

    private List<Map<String, AttributeValue>> commits(String... ids) {
        return streams.commits(ids);
    }

}
