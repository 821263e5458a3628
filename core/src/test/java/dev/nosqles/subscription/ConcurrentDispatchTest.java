package dev.nosqles.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@link EventDispatcher#withConcurrency}: the aggregates of one batch handled at once, each aggregate's events still
 * exactly once and in order per subscriber, and the batch still failing at its smallest unhandled record. On DynamoDB
 * (moto): the events, the checkpoints and the handlers' effects.
 */
class ConcurrentDispatchTest {
    private final DynamoDbClient client = TestTables.client(new dev.nosqles.capacity.CapacityMeter());
    private DynamoDbEventStore store;
    private DynamoDbCheckpointStore checkpoints;
    private DispatchTables tables;
    private AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts;

    @BeforeEach
    void tables() {
        DispatchTables tables = DispatchTables.create(client, "parallel");
        store = tables.store();
        checkpoints = tables.checkpoints();
        this.tables = tables;
        accounts = AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    }

    private Map<String, Long> effectCounts() {
        return tables.effectCounts();
    }

    @Test
    void four_aggregates_are_handled_at_once_and_no_more_while_each_keeps_its_version_order() throws Exception {
        List<Map<String, AttributeValue>> batch = tables.writeHistory(accounts, 8, false);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        Subscriber slow = Subscriber.builder("slow").on(new BankAccount(), (event, ctx) -> {
            int now = inside.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            try {
                if (event.version() == 1) {
                    // the first event of each aggregate waits (at most 5 s) until four are inside at once
                    long until = System.nanoTime() + 5_000_000_000L;
                    while (most.get() < 4 && System.nanoTime() < until) {
                        Thread.sleep(5);
                    }
                }
                seen.computeIfAbsent(event.streamId().id(), k -> new CopyOnWriteArrayList<>()).add(event.version());
                ctx.writeWithCheckpoint(tables.countIt("slow", event));
            } finally {
                inside.decrementAndGet();
            }
        }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(slow), checkpoints, store).withConcurrency(4);

        EventDispatcher.Result result = dispatcher.dispatch(batch);

        assertThat(result.succeeded()).isTrue();
        assertThat(result.handled()).isEqualTo(8 * 5);
        assertThat(most.get()).as("aggregates inside a handler at once").isEqualTo(4);
        assertThat(seen).hasSize(8);
        seen.values().forEach(versions -> assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L));
        assertThat(effectCounts().values()).hasSize(8).containsOnly(5L);
    }

    @Test
    void one_after_another_is_the_default_and_every_aggregate_runs_in_the_calling_thread() {
        List<Map<String, AttributeValue>> batch = tables.writeHistory(accounts, 3, false);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Subscriber where = Subscriber.builder("where").on(new BankAccount(), (event, ctx) ->
                threads.add(Thread.currentThread())).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(where), checkpoints, store);

        assertThat(dispatcher.concurrency()).isEqualTo(1);
        assertThat(dispatcher.dispatch(batch).succeeded()).isTrue();
        assertThat(threads).containsExactly(Thread.currentThread());
    }

    @Test
    void failures_on_many_threads_report_the_smallest_unhandled_record_and_lambdas_retries_leave_every_effect_once() {
        List<Map<String, AttributeValue>> commits = tables.writeHistory(accounts, 10, false);
        Random random = new Random(7);
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        Set<String> tried = ConcurrentHashMap.newKeySet();
        List<Subscriber> subscribers = new ArrayList<>();
        for (String name : List.of("projection", "audit")) {
            subscribers.add(Subscriber.builder(name).on(new BankAccount(), (event, ctx) -> {
                // the first attempt at one event in four fails: the same events whatever the threads' order
                String key = event.streamId().value() + "@" + event.version();
                if (name.equals("projection") && Math.floorMod(key.hashCode(), 4) == 0 && tried.add(key)) {
                    throw new IllegalStateException("injected failure");
                }
                seen.computeIfAbsent(name + "|" + event.streamId().value(), k -> new CopyOnWriteArrayList<>())
                        .add(event.version());
                ctx.writeWithCheckpoint(tables.countIt(name, event));
            }).build());
        }
        EventDispatcher dispatcher = new EventDispatcher(subscribers, checkpoints, store).withConcurrency(8);
        List<Map<String, AttributeValue>> deliveries = new ArrayList<>();
        for (Map<String, AttributeValue> commit : commits) {
            deliveries.add(commit);
            if (random.nextBoolean()) {
                deliveries.add(commit); // delivered twice
            }
        }
        Collections.shuffle(deliveries, random); // out of order: gaps at every point, closed from the store
        int failures = 0;
        for (int from = 0; from < deliveries.size(); from += 20) {
            List<Map<String, AttributeValue>> remaining = deliveries.subList(from, Math.min(deliveries.size(),
                    from + 20));
            for (int attempt = 0; attempt < 1_000 && !remaining.isEmpty(); attempt++) {
                EventDispatcher.Result result = dispatcher.dispatch(remaining);
                if (result.succeeded()) {
                    break;
                }
                failures++;
                assertThat(result.failure()).hasMessage("injected failure");
                remaining = remaining.subList(result.failedIndex(), remaining.size());
            }
        }

        assertThat(failures).as("failures injected").isPositive();
        Map<String, Long> counts = effectCounts();
        assertThat(counts).hasSize(20);
        assertThat(counts.keySet()).isEqualTo(seen.keySet());
        assertThat(counts.values()).containsOnly(5L);
        seen.values().forEach(versions -> assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L));
    }

    @Test
    void the_smallest_failed_record_is_answered_when_a_later_aggregates_record_failed_first() throws Exception {
        // acc-0: records 0..3, acc-1: records 4..7
        List<Map<String, AttributeValue>> batch = tables.writeHistory(accounts, 2, false);
        java.util.concurrent.CountDownLatch laterFailed = new java.util.concurrent.CountDownLatch(1);
        Subscriber failing = Subscriber.builder("failing").on(new BankAccount(), (event, ctx) -> {
            if (event.streamId().id().equals("acc-1") && event.version() == 2) {
                laterFailed.countDown();
                throw new IllegalStateException("later record");
            }
            if (event.streamId().id().equals("acc-0") && event.version() == 3) {
                assertThat(laterFailed.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                throw new IllegalStateException("earlier record");
            }
        }).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(failing), checkpoints, store).withConcurrency(2);

        EventDispatcher.Result result = dispatcher.dispatch(batch);

        // acc-0's versions 3 and 4 are one commit, the batch's record 2; acc-1's version 2 is record 5
        assertThat(result.failedIndex()).isEqualTo(2);
        assertThat(result.failure()).hasMessage("earlier record");
    }

    @Test
    void the_workers_log_with_the_invoking_threads_context_and_leave_it_as_it_was() {
        List<Map<String, AttributeValue>> batch = tables.writeHistory(accounts, 4, false);
        Map<String, String> requestIds = new ConcurrentHashMap<>();
        Subscriber logging = Subscriber.builder("logging").on(new BankAccount(), (event, ctx) ->
                requestIds.put(event.streamId().id() + "@" + event.version() + " on " + Thread.currentThread().getName(),
                        String.valueOf(MDC.get("request_id")))).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(logging), checkpoints, store).withConcurrency(4);

        MDC.put("request_id", "r-1");
        try {
            assertThat(dispatcher.dispatch(batch).succeeded()).isTrue();
            assertThat(MDC.get("request_id")).isEqualTo("r-1");
        } finally {
            MDC.remove("request_id");
        }

        assertThat(requestIds).hasSize(4 * 5);
        assertThat(requestIds.values()).containsOnly("r-1");
        assertThat(requestIds.keySet()).allMatch(key -> key.contains("dispatch-worker"));
    }

    @Test
    void a_concurrency_outside_one_to_sixty_four_is_refused() {
        EventDispatcher dispatcher = new EventDispatcher(List.of(), checkpoints, store);
        assertThatThrownBy(() -> dispatcher.withConcurrency(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..64");
        assertThatThrownBy(() -> dispatcher.withConcurrency(65)).isInstanceOf(IllegalArgumentException.class);
        assertThat(dispatcher.withConcurrency(64).concurrency()).isEqualTo(64);
    }
}
