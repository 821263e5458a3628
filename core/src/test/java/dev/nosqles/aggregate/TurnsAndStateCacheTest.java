package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.memory.InMemorySnapshotStore;
import dev.nosqles.metrics.Metric;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamSlice;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.BankAccount.Open;
import dev.nosqles.testsupport.CountingMetrics;
import dev.nosqles.testsupport.MutableClock;
import dev.nosqles.testsupport.TestTables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * ADR 0018. Threads of one process updating one aggregate through one repository take turns, so they never lose a
 * race to each other; writers in other processes (other repositories) are kept apart by the conditional write as
 * before. With a state cache, a command is decided on the state in hand and costs its write alone; a cached state
 * another process moved on from loses its write and the command runs again on a fresh read, and idempotency holds
 * on the cached state as on a loaded one. Requests are counted on DynamoDB (moto) as Query/GetItem and PutItem on
 * the events table, in memory as calls to the stores.
 */
class TurnsAndStateCacheTest {
    enum Backend { MEMORY, DYNAMODB }

    /** Counts reads (events and snapshots) and appends of events. */
    private static final class Requests implements ExecutionInterceptor {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong appends = new AtomicLong();
        String eventsTable;

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof QueryRequest || context.request() instanceof GetItemRequest) {
                reads.incrementAndGet();
            } else if (context.request() instanceof PutItemRequest put && put.tableName().equals(eventsTable)) {
                appends.incrementAndGet();
            }
        }
    }

    /** An event store and a snapshot store that count into {@link Requests}. */
    private record Counted(EventStore events, SnapshotStore snapshots, Requests requests) {
    }

    private static Counted stores(Backend backend) {
        Requests requests = new Requests();
        if (backend == Backend.DYNAMODB) {
            DynamoDbClient client = dev.nosqles.localaws.LocalAws.shared().configure(DynamoDbClient.builder())
                    .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                    .overrideConfiguration(o -> o.addExecutionInterceptor(new CapacityMeter())
                            .addExecutionInterceptor(requests))
                    .build();
            requests.eventsTable = TestTables.newEventsTable(client, "turns");
            return new Counted(DynamoDbEventStore.builder().client(client).tableName(requests.eventsTable).build(),
                    DynamoDbSnapshotStore.builder().client(client)
                            .tableName(TestTables.newSnapshotsTable(client, "turns")).build(), requests);
        }
        InMemoryEventStore events = new InMemoryEventStore();
        InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
        EventStore countedEvents = new EventStore() {
            @Override
            public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> newEvents,
                                       EventMetadata metadata) {
                requests.appends.incrementAndGet();
                return events.append(streamId, expected, newEvents, metadata);
            }

            @Override
            public StreamSlice read(StreamId streamId, ReadRequest request) {
                requests.reads.incrementAndGet();
                return events.read(streamId, request);
            }

            @Override
            public Optional<MessageCommit> findMessageCommit(StreamId streamId, String messageId,
                                                             long atOrBelowVersion, Instant since) {
                requests.reads.incrementAndGet();
                return events.findMessageCommit(streamId, messageId, atOrBelowVersion, since);
            }
        };
        SnapshotStore countedSnapshots = new SnapshotStore() {
            @Override
            public Optional<Snapshot> load(StreamId streamId) {
                requests.reads.incrementAndGet();
                return snapshots.load(streamId);
            }

            @Override
            public void save(Snapshot snapshot) {
                snapshots.save(snapshot);
            }

            @Override
            public void delete(StreamId streamId) {
                snapshots.delete(streamId);
            }
        };
        return new Counted(countedEvents, countedSnapshots, requests);
    }

    private static AggregateRepository.Builder<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts(
            Counted stores) {
        return AggregateRepository.builder(new BankAccount(5, 1)).eventStore(stores.events())
                .snapshotStore(stores.snapshots());
    }

    /**
     * Given: account "a" opened, then a deposit through a repository with a state cache (which keeps the state in
     * hand), then deposits by another process, which that state does not know.
     *
     * @return the repository with the cache, behind the store by {@code byAnotherProcess.length} commits
     */
    private static AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event>
            givenACachedStateBehind(AggregateRepository.Builder<BankAccount.State, BankAccount.Command,
                    BankAccount.Event> cachedBuilder, Counted stores, long inHand, long... byAnotherProcess) {
        var cached = cachedBuilder.stateCache(100).build();
        var otherProcess = accounts(stores).build();
        cached.create("a", new Open("ann"));
        cached.update("a", new Deposit(inHand));
        for (long amount : byAnotherProcess) {
            otherProcess.update("a", new Deposit(amount));
        }
        return cached;
    }

    private static EventMetadata message(String id) {
        return new EventMetadata(null, null, id, null, Instant.now(), null);
    }

    @Test
    void sixteen_threads_of_one_process_on_one_aggregate_take_turns_and_never_conflict() throws Exception {
        Counted stores = stores(Backend.DYNAMODB);
        CountingMetrics metrics = new CountingMetrics();
        var accounts = accounts(stores).metrics(metrics).build();
        accounts.create("a", new Open("everyone"));

        int writers = 16;
        int updatesEach = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> attempts = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            attempts.add(pool.submit(() -> {
                start.await();
                int total = 0;
                for (int i = 0; i < updatesEach; i++) {
                    total += accounts.update("a", new Deposit(writer * 1_000L + i + 1)).attempts();
                }
                return total;
            }));
        }
        start.countDown();
        int totalAttempts = 0;
        for (Future<Integer> f : attempts) {
            totalAttempts += f.get();
        }
        pool.shutdown();

        assertThat(totalAttempts).isEqualTo(writers * updatesEach);
        assertThat(metrics.count(Metric.CONCURRENCY_CONFLICTS)).isZero();
        assertThat(stores.requests().appends.get()).isEqualTo(1 + writers * updatesEach);
        long expectedSum = 0;
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < updatesEach; i++) {
                expectedSum += w * 1_000L + i + 1;
            }
        }
        AggregateState<BankAccount.State> state = accounts.get("a");
        assertThat(state.state().balance()).isEqualTo(expectedSum);
        assertThat(state.version()).isEqualTo(1 + writers * updatesEach);
        assertThat(accounts.turnsInUse()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void with_a_state_cache_the_next_command_costs_its_write_and_no_read(Backend backend) {
        Counted stores = stores(backend);
        var cached = accounts(stores).stateCache(100).build();
        cached.create("a", new Open("ann"));

        long reads = stores.requests().reads.get();
        long appends = stores.requests().appends.get();
        for (int i = 1; i <= 12; i++) { // across two snapshots (every 5 events)
            assertThat(cached.update("a", new Deposit(i)).attempts()).isEqualTo(1);
        }

        assertThat(stores.requests().reads.get() - reads).isZero();
        assertThat(stores.requests().appends.get() - appends).isEqualTo(12);
        assertThat(cached.get("a").state().balance()).isEqualTo(78);
        assertThat(cached.get("a").version()).isEqualTo(13);

        // the same commands without the cache read before every write
        var uncached = accounts(stores).build();
        uncached.create("b", new Open("bob"));
        long readsBefore = stores.requests().reads.get();
        uncached.update("b", new Deposit(1));
        assertThat(stores.requests().reads.get() - readsBefore).isPositive();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_cached_state_another_process_moved_on_from_loses_its_write_and_the_command_runs_on_a_fresh_read(
            Backend backend) {
        Counted stores = stores(backend);
        var cached = givenACachedStateBehind(accounts(stores), stores, 1, 10, 100);

        long appends = stores.requests().appends.get();
        CommandResult<BankAccount.State, BankAccount.Event> result = cached.update("a", new Deposit(1_000));

        assertThat(result.attempts()).isEqualTo(2);
        assertThat(stores.requests().appends.get() - appends).isEqualTo(2); // the stale write, then the real one
        assertThat(result.state().version()).isEqualTo(5);
        assertThat(result.state().state().balance()).isEqualTo(1_111);
        assertThat(cached.get("a").state().balance()).isEqualTo(1_111);
        // and the state in hand is current again: the next command is a write alone
        long reads = stores.requests().reads.get();
        cached.update("a", new Deposit(10_000));
        assertThat(stores.requests().reads.get()).isEqualTo(reads);
        assertThat(cached.get("a").state().balance()).isEqualTo(11_111);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_redelivered_message_is_dropped_on_the_cached_state_with_nothing_written(Backend backend) {
        Counted stores = stores(backend);
        var cached = accounts(stores).stateCache(100).build();
        cached.create("a", new Open("ann"));
        cached.update("a", new Deposit(5), message("m-1"));

        long appends = stores.requests().appends.get();
        long reads = stores.requests().reads.get();
        CommandResult<BankAccount.State, BankAccount.Event> again = cached.update("a", new Deposit(5),
                message("m-1"));

        assertThat(again.duplicate()).isTrue();
        assertThat(stores.requests().appends.get()).isEqualTo(appends);
        assertThat(stores.requests().reads.get()).isEqualTo(reads); // known from the state in hand
        assertThat(cached.get("a").state().balance()).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_message_another_process_handled_is_dropped_although_the_cached_state_never_saw_it(Backend backend) {
        Counted stores = stores(backend);
        var cached = givenACachedStateBehind(accounts(stores), stores, 1);
        accounts(stores).build().update("a", new Deposit(7), message("m-2")); // another process

        long appends = stores.requests().appends.get();
        CommandResult<BankAccount.State, BankAccount.Event> redelivered = cached.update("a", new Deposit(7),
                message("m-2"));

        assertThat(redelivered.duplicate()).isTrue();
        // decided on the cached state, its write failed (the other commit stands where it would go); the fresh
        // load then knew the message
        assertThat(stores.requests().appends.get() - appends).isEqualTo(1);
        assertThat(cached.get("a").version()).isEqualTo(3);
        assertThat(cached.get("a").state().balance()).isEqualTo(8);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_new_message_to_a_hot_aggregate_costs_no_search_while_the_cache_remembers_the_skew_allowance(
            Backend backend) {
        Counted stores = stores(backend);
        // a window of 2 ids: a snapshot (every 5 events) remembers only the last two messages
        var cached = accounts(stores).stateCache(100).deduplicationWindow(2).build();
        cached.create("a", new Open("ann"));

        long reads = stores.requests().reads.get();
        for (int i = 1; i <= 12; i++) {
            assertThat(cached.update("a", new Deposit(i), message("m-" + i)).duplicate()).isFalse();
        }
        // every message was sent now: any commit holding it is within the clock skew allowance, all of which the
        // cached state remembers, so none needed the store's backward search
        assertThat(stores.requests().reads.get()).isEqualTo(reads);
        // and a redelivery of the first is still recognised, from memory
        assertThat(cached.update("a", new Deposit(1), message("m-1")).duplicate()).isTrue();
        assertThat(stores.requests().reads.get()).isEqualTo(reads);
        assertThat(cached.get("a").state().balance()).isEqualTo(78);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_message_the_cached_state_no_longer_remembers_is_still_found_by_the_store_search_and_dropped(
            Backend backend) {
        Counted stores = stores(backend);
        MutableClock clock = new MutableClock(Instant.now());
        var cached = accounts(stores).stateCache(100).deduplicationWindow(2).clock(clock).build();
        cached.create("a", new Open("ann"));
        for (int i = 1; i <= 6; i++) {
            cached.update("a", new Deposit(i), message("m-" + i));
        }
        // ten minutes on (the allowance is 5): the next command leaves the cached state the last two ids only
        clock.advance(java.time.Duration.ofMinutes(10));
        cached.update("a", new Deposit(7), message("m-7"));

        long appends = stores.requests().appends.get();
        long reads = stores.requests().reads.get();
        CommandResult<BankAccount.State, BankAccount.Event> redelivered = cached.update("a", new Deposit(1),
                message("m-1"));

        assertThat(redelivered.duplicate()).isTrue();
        assertThat(stores.requests().appends.get()).isEqualTo(appends);
        assertThat(stores.requests().reads.get()).isGreaterThan(reads); // the store's backward search found it
        assertThat(cached.get("a").state().balance()).isEqualTo(28);
        // a message still inside the window costs nothing
        long readsBefore = stores.requests().reads.get();
        assertThat(cached.update("a", new Deposit(7), message("m-7")).duplicate()).isTrue();
        assertThat(stores.requests().reads.get()).isEqualTo(readsBefore);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_rejection_on_the_cached_state_is_decided_again_on_the_store_before_it_is_believed(Backend backend) {
        Counted stores = stores(backend);
        var cached = givenACachedStateBehind(accounts(stores), stores, 3, 100);

        // the cached state holds 3: it would reject; the store holds 103
        CommandResult<BankAccount.State, BankAccount.Event> result = cached.update("a",
                new BankAccount.Withdraw(50));

        assertThat(result.state().state().balance()).isEqualTo(53);
        assertThat(cached.get("a").state().balance()).isEqualTo(53);
        // a rejection the store's state confirms is a rejection
        assertThatThrownBy(() -> cached.update("a", new BankAccount.Withdraw(1_000)))
                .isInstanceOf(CommandRejectedException.class);
        assertThat(cached.get("a").version()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_message_another_process_handled_is_a_duplicate_not_a_rejection_on_a_stale_cached_state(
            Backend backend) {
        Counted stores = stores(backend);
        var cached = accounts(stores).stateCache(100).build();
        var otherProcess = accounts(stores).build();
        cached.create("a", new Open("ann"));
        otherProcess.update("a", new Deposit(60));
        otherProcess.update("a", new BankAccount.Withdraw(50), message("w-1"));

        // on the cached state (balance 0) the withdrawal would be rejected: a rejection proves nothing about a
        // cached state, and the store's state knows the message
        CommandResult<BankAccount.State, BankAccount.Event> redelivered = cached.update("a",
                new BankAccount.Withdraw(50), message("w-1"));

        assertThat(redelivered.duplicate()).isTrue();
        assertThat(cached.get("a").state().balance()).isEqualTo(10);
        // and a second withdrawal of 50 is a rejection, decided on the store's state
        assertThatThrownBy(() -> cached.update("a", new BankAccount.Withdraw(50), message("w-2")))
                .isInstanceOf(CommandRejectedException.class);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_stale_cached_state_does_not_use_up_the_only_attempt_a_retry_policy_allows(Backend backend) {
        Counted stores = stores(backend);
        RetryPolicy oneAttempt = new RetryPolicy(1, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1));
        var cached = givenACachedStateBehind(accounts(stores).retry(oneAttempt), stores, 1, 10);

        CommandResult<BankAccount.State, BankAccount.Event> result = cached.update("a", new Deposit(100));

        assertThat(result.state().state().balance()).isEqualTo(111);
        assertThat(result.state().version()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void a_command_that_changes_nothing_on_the_cached_state_is_decided_again_on_the_store(Backend backend) {
        Counted stores = stores(backend);
        var cached = givenACachedStateBehind(accounts(stores), stores, 1, 10);

        CommandResult<BankAccount.State, BankAccount.Event> result = cached.update("a", new BankAccount.Noop());

        // the answer reports the store's state, not the cached one
        assertThat(result.state().version()).isEqualTo(3);
        assertThat(result.state().state().balance()).isEqualTo(11);
    }

    @Test
    void the_cache_is_refused_for_an_aggregate_that_declares_personal_data_and_must_not_be_negative() {
        assertThatThrownBy(() -> AggregateRepository.builder(new dev.nosqles.privacy.Member())
                .eventStore(new InMemoryEventStore()).stateCache(10).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("personal data");
        assertThatThrownBy(() -> AggregateRepository.builder(new BankAccount()).eventStore(new InMemoryEventStore())
                .stateCache(-1).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("stateCache");
        AggregateRepository.builder(new dev.nosqles.privacy.Member()).eventStore(new InMemoryEventStore()).build();
    }

    @Test
    void the_cache_keeps_at_most_the_aggregates_it_was_given_room_for() {
        Counted stores = stores(Backend.MEMORY);
        var cached = accounts(stores).stateCache(2).build();
        cached.create("a", new Open("a"));
        cached.create("b", new Open("b"));
        long reads = stores.requests().reads.get();
        cached.update("a", new Deposit(1)); // from the cache, and now the most recently used
        assertThat(stores.requests().reads.get()).isEqualTo(reads);
        cached.create("c", new Open("c")); // room for two: b, the least recently used, goes
        cached.update("c", new Deposit(1));
        cached.update("a", new Deposit(1));
        assertThat(stores.requests().reads.get()).isEqualTo(reads);
        cached.update("b", new Deposit(1));
        assertThat(stores.requests().reads.get()).isGreaterThan(reads);
    }

    // ---- faults: answers lost on a cached state (the SDK retries a write that landed; it gives up)

    private static AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> lossyCached(
            dev.nosqles.testsupport.LostResponseInterceptor lost, String purpose) {
        DynamoDbClient client = dev.nosqles.localaws.LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new CapacityMeter())
                        .addExecutionInterceptor(lost))
                .build();
        return AggregateRepository.builder(new BankAccount()).stateCache(100)
                .eventStore(DynamoDbEventStore.builder().client(client)
                        .tableName(TestTables.newEventsTable(client, purpose)).build())
                .build();
    }

    @Test
    void on_dynamodb_a_cached_update_whose_answer_was_lost_and_retried_by_the_sdk_is_applied_once() {
        var lost = dev.nosqles.testsupport.LostResponseInterceptor.ofFirst(0, PutItemRequest.class);
        var cached = lossyCached(lost, "cached-lost");
        cached.create("a", new Open("ann"));
        cached.update("a", new Deposit(100), message("d-1"));

        lost.loseNext(1); // the write lands, its answer is lost, the SDK retries it and meets its own commit
        CommandResult<BankAccount.State, BankAccount.Event> withdrawn = cached.update("a",
                new BankAccount.Withdraw(30), message("w-1"));
        CommandResult<BankAccount.State, BankAccount.Event> redelivered = cached.update("a",
                new BankAccount.Withdraw(30), message("w-1"));
        CommandResult<BankAccount.State, BankAccount.Event> next = cached.update("a", new Deposit(5));

        assertThat(lost.injected()).isEqualTo(1);
        assertThat(withdrawn.duplicate()).isFalse();
        assertThat(withdrawn.state().state().balance()).isEqualTo(70);
        assertThat(redelivered.duplicate()).isTrue();
        assertThat(next.state().state().balance()).isEqualTo(75);
        assertThat(next.state().version()).isEqualTo(4);
        assertThat(cached.get("a").state().balance()).isEqualTo(75);
        assertThat(cached.history("a")).hasSize(4);
    }

    @Test
    void on_dynamodb_a_cached_update_whose_answers_are_lost_until_the_sdk_gives_up_is_applied_once() {
        var lost = dev.nosqles.testsupport.LostResponseInterceptor.ofFirst(0, PutItemRequest.class);
        var cached = lossyCached(lost, "cached-gaveup");
        cached.create("a", new Open("ann"));
        cached.update("a", new Deposit(100));

        lost.loseNext(100); // every attempt: the first lands, the SDK retries until it gives up
        CommandResult<BankAccount.State, BankAccount.Event> withdrawn = cached.update("a",
                new BankAccount.Withdraw(30), message("w-1"));
        lost.loseNext(0);
        CommandResult<BankAccount.State, BankAccount.Event> next = cached.update("a", new Deposit(5));

        assertThat(lost.injected()).isGreaterThan(1);
        assertThat(withdrawn.state().state().balance()).isEqualTo(70);
        assertThat(next.state().state().balance()).isEqualTo(75);
        assertThat(cached.get("a").version()).isEqualTo(4);
        assertThat(cached.update("a", new BankAccount.Withdraw(30), message("w-1")).duplicate()).isTrue();
        assertThat(cached.get("a").state().balance()).isEqualTo(75);
    }
}
