package dev.nosqles.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.StreamId;
import dev.nosqles.testsupport.BankAccount;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * A subscriber built without checkpoints (ADR 0011): a relay whose receiver deduplicates. On moto: the events, the
 * checkpoints of the other subscribers, and the receiver (an aggregate that records the relayed event's id as its
 * message id).
 */
class RelaySubscriberTest {
    private final AccountStreams streams = new AccountStreams("relay");
    private final DynamoDbEventStore store = streams.store;
    private final CountingCheckpoints checkpoints = streams.checkpoints;
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            streams.accounts;

    @Test
    void a_relay_is_handed_the_batch_in_stream_order_and_reads_and_writes_no_checkpoint() {
        history("a");
        history("b");
        List<String> seen = new CopyOnWriteArrayList<>();
        Subscriber relay = Subscriber.builder("relay").withoutCheckpoints()
                .onRaw("Account", (event, ctx) -> seen.add(event.streamId().id() + "@" + event.version())).build();

        EventDispatcher.Result result = new EventDispatcher(List.of(relay), checkpoints, store)
                .dispatch(commits("a", "b"));

        assertThat(result.succeeded()).isTrue();
        assertThat(result.handled()).isEqualTo(10);
        assertThat(seen).containsExactly("a@1", "a@2", "a@3", "a@4", "a@5", "b@1", "b@2", "b@3", "b@4", "b@5");
        assertThat(checkpoints.reads.get() + checkpoints.advances.get()).isZero();
        assertThat(relay.keepsCheckpoints()).isFalse();
    }

    @Test
    void a_relay_is_handed_a_redelivered_batch_again_and_fills_no_gap() {
        history("redelivered");
        List<Long> versions = new CopyOnWriteArrayList<>();
        Subscriber relay = Subscriber.builder("relay").withoutCheckpoints()
                .onRaw("Account", (event, ctx) -> versions.add(event.version())).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(relay), checkpoints, store);
        List<Map<String, AttributeValue>> commits = commits("redelivered");

        dispatcher.dispatch(commits);
        dispatcher.dispatch(commits);
        dispatcher.dispatch(commits.subList(3, commits.size())); // versions 1-3 are not in this batch: not read

        assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L, 1L, 2L, 3L, 4L, 5L, 4L, 5L);
        assertThat(checkpoints.reads.get() + checkpoints.advances.get()).isZero();
    }

    @Test
    void a_relay_whose_receiver_deduplicates_has_its_effects_exactly_once_under_failures_and_redeliveries() {
        List<String> ids = List.of("x", "y", "z");
        ids.forEach(this::history);
        accounts.create("ledger", new BankAccount.Open("ledger"));
        Random random = new Random(42);
        AtomicInteger attempts = new AtomicInteger();
        // the relay deposits 1 on the ledger per event, with the event id as message id: the ledger drops a repeat
        Subscriber relay = Subscriber.builder("to-ledger").withoutCheckpoints().onRaw("Account", (event, ctx) -> {
            if (event.streamId().id().equals("ledger")) {
                return;
            }
            attempts.incrementAndGet();
            if (random.nextDouble() < 0.3) {
                throw new IllegalStateException("injected failure before the effect");
            }
            accounts.update("ledger", new BankAccount.Deposit(1), EventMetadata.empty()
                    .withMessageId(event.eventId().toString()).withMessageSentAt(event.timestamp()));
            if (random.nextDouble() < 0.3) {
                throw new IllegalStateException("injected failure after the effect");
            }
        }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(relay), checkpoints, store);
        List<Map<String, AttributeValue>> batch = commits("x", "y", "z");

        for (int round = 0; round < 3; round++) { // the whole batch delivered three times, each retried to the end
            EventDispatcherTest.deliverLikeLambda(dispatcher, batch);
        }

        // 15 events, 3 Opened among them: 12 deposits of 1 and 3 others, each relayed; 15 deposits on the ledger
        assertThat(accounts.get("ledger").state().deposits()).isEqualTo(15);
        assertThat(accounts.get("ledger").state().balance()).isEqualTo(15);
        assertThat(attempts.get()).isGreaterThan(3 * 15); // failures made it hand events over again
        assertThat(checkpoints.reads.get() + checkpoints.advances.get()).isZero();
    }

    @Test
    void a_failing_relay_fails_the_batch_at_its_record_and_a_checkpointed_subscriber_skips_what_it_handled() {
        history("mixed");
        List<Map<String, AttributeValue>> batch = commits("mixed");
        List<Long> relayed = new CopyOnWriteArrayList<>();
        List<Long> counted = new CopyOnWriteArrayList<>();
        AtomicInteger failures = new AtomicInteger(1);
        Subscriber relay = Subscriber.builder("relay").withoutCheckpoints().onRaw("Account", (event, ctx) -> {
            if (event.version() == 3 && failures.getAndDecrement() > 0) {
                throw new IllegalStateException("injected");
            }
            relayed.add(event.version());
        }).build();
        Subscriber checkpointed = Subscriber.builder("checkpointed")
                .onRaw("Account", (event, ctx) -> counted.add(event.version())).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(relay, checkpointed), checkpoints, store);

        EventDispatcher.Result first = dispatcher.dispatch(batch);
        assertThat(first.succeeded()).isFalse();
        assertThat(first.failure()).hasMessage("injected");
        int failedIndex = first.failedIndex();
        assertThat(batch.get(failedIndex).get(EventTables.VERSION_ATTRIBUTE).n()).isEqualTo("3");
        EventDispatcher.Result retry = dispatcher.dispatch(batch.subList(failedIndex, batch.size()));

        assertThat(retry.succeeded()).isTrue();
        assertThat(relayed).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(counted).containsExactly(1L, 2L, 3L, 4L, 5L); // its checkpoint skipped 3-5 on the retry
        assertThat(retry.duplicates()).isEqualTo(3);
        assertThat(checkpoints.position("checkpointed", StreamId.of("Account", "mixed"))).isEqualTo(5);
        assertThat(checkpoints.position("relay", StreamId.of("Account", "mixed"))).isZero();
    }

    @Test
    void a_relay_cannot_write_with_a_checkpoint_or_attach_to_a_scope() {
        history("refused");
        Subscriber writes = Subscriber.builder("writes").withoutCheckpoints().onRaw("Account", (event, ctx) ->
                ctx.writeWithCheckpoint(TransactWriteItem.builder().update(Update.builder().tableName("any")
                        .key(Map.of("k", AttributeValue.fromS("v"))).updateExpression("SET a = :a")
                        .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("b"))).build()).build()))
                .build();
        Subscriber attaches = Subscriber.builder("attaches").withoutCheckpoints().onRaw("Account", (event, ctx) ->
                ctx.attachment("key", () -> { throw new AssertionError("not asked"); })).build();

        for (Subscriber relay : List.of(writes, attaches)) {
            EventDispatcher.Result result = new EventDispatcher(List.of(relay), checkpoints, store)
                    .dispatch(commits("refused"));
            assertThat(result.failedIndex()).isZero();
            assertThat(result.failure()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(relay.name() + " keeps no checkpoints");
        }
        assertThat(checkpoints.advances.get()).isZero();
    }

    private void history(String id) {
        streams.history(id);
    }

    private List<Map<String, AttributeValue>> commits(String... ids) {
        return streams.commits(ids);
    }

}
