package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.store.AppendResult;
import dev.nosqles.store.ConcurrencyConflictException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.StreamAlreadyExistsException;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.store.StreamSlice;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.BankAccount.Deposit;
import dev.nosqles.testsupport.BankAccount.DepositTwice;
import dev.nosqles.testsupport.BankAccount.InsufficientFunds;
import dev.nosqles.testsupport.BankAccount.Open;
import dev.nosqles.testsupport.BankAccount.Withdraw;
import dev.nosqles.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AggregateRepositoryTest {
    private final MutableClock clock = MutableClock.at("2026-05-01T09:00:00Z");
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts =
            AggregateRepository.builder(new BankAccount()).eventStore(store).clock(clock).build();

    @Test
    void create_processes_against_the_initial_state_and_appends_the_events() {
        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.create("a1", new Open("ann"));

        assertThat(result.state().version()).isEqualTo(1);
        assertThat(result.state().state()).isEqualTo(new BankAccount.State("ann", 0, 0, true));
        assertThat(result.events()).extracting(EventEnvelope::type).containsExactly("AccountOpened");
        assertThat(store.read(StreamId.of("Account", "a1")).events()).hasSize(1);
    }

    @Test
    void creating_an_existing_aggregate_fails_and_writes_nothing() {
        accounts.create("a1", new Open("ann"));
        assertThatThrownBy(() -> accounts.create("a1", new Open("bob")))
                .isInstanceOf(StreamAlreadyExistsException.class);
        assertThat(accounts.get("a1").state().owner()).isEqualTo("ann");
    }

    @Test
    void update_loads_processes_and_appends_after_the_loaded_version() {
        accounts.create("a1", new Open("ann"));
        accounts.update("a1", new Deposit(50));
        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.update("a1", new DepositTwice(5, 7));

        assertThat(result.events()).extracting(EventEnvelope::version).containsExactly(3L, 4L);
        assertThat(accounts.get("a1")).isEqualTo(new AggregateState<>(StreamId.of("Account", "a1"),
                new BankAccount.State("ann", 62, 3, true), 4));
    }

    @Test
    void a_rejected_command_throws_its_typed_rejection_and_writes_nothing() {
        accounts.create("a1", new Open("ann"));
        accounts.update("a1", new Deposit(10));

        assertThatThrownBy(() -> accounts.update("a1", new Withdraw(11)))
                .isInstanceOfSatisfying(InsufficientFunds.class, r -> {
                    assertThat(r.balance()).isEqualTo(10);
                    assertThat(r.requested()).isEqualTo(11);
                    assertThat(r.reason()).isEqualTo("insufficient-funds");
                });
        assertThat(accounts.get("a1").version()).isEqualTo(2);
    }

    @Test
    void updating_an_unknown_aggregate_is_not_found() {
        assertThatThrownBy(() -> accounts.update("nobody", new Deposit(1)))
                .isInstanceOfSatisfying(StreamNotFoundException.class,
                        e -> assertThat(e.streamId()).isEqualTo(StreamId.of("Account", "nobody")));
        assertThat(accounts.find("nobody")).isEmpty();
        assertThat(accounts.history("nobody")).isEmpty();
    }

    @Test
    void a_command_that_changes_nothing_appends_nothing() {
        accounts.create("a1", new Open("ann"));
        CommandResult<BankAccount.State, BankAccount.Event> result = accounts.update("a1", new BankAccount.Noop());
        assertThat(result.events()).isEmpty();
        assertThat(result.state().version()).isEqualTo(1);
        assertThat(store.read(StreamId.of("Account", "a1")).events()).hasSize(1);
    }

    @Test
    void the_state_can_be_read_at_a_version_and_as_of_an_instant() {
        accounts.create("a1", new Open("ann"));
        clock.advance(Duration.ofHours(1));
        accounts.update("a1", new Deposit(10));
        Instant afterTen = clock.instant();
        clock.advance(Duration.ofHours(1));
        accounts.update("a1", new DepositTwice(1, 2));

        assertThat(accounts.findAtVersion("a1", 2).orElseThrow().state().balance()).isEqualTo(10);
        // version 3 is inside the commit of versions 3-4: the answer is the state at that commit's boundary
        assertThat(accounts.findAtVersion("a1", 3).orElseThrow()).satisfies(s -> {
            assertThat(s.version()).isEqualTo(2);
            assertThat(s.state().balance()).isEqualTo(10);
        });
        assertThat(accounts.findAtVersion("a1", 4).orElseThrow().state().balance()).isEqualTo(13);
        assertThat(accounts.findAtVersion("a1", 99).orElseThrow().version()).isEqualTo(4);
        assertThat(accounts.findAtVersion("a1", 0)).isEmpty();
        assertThat(accounts.findAsOf("a1", afterTen).orElseThrow()).satisfies(s -> {
            assertThat(s.version()).isEqualTo(2);
            assertThat(s.state().balance()).isEqualTo(10);
        });
        assertThat(accounts.findAsOf("a1", Instant.parse("2026-05-01T08:59:59Z"))).isEmpty();
    }

    @Test
    void a_version_inside_a_commit_is_answered_at_the_commit_boundary_and_inside_the_first_commit_not_at_all() {
        EventCodec<BankAccount.Event> codec = EventCodec.of(new BankAccount());
        store.append(StreamId.of("Account", "a2"), ExpectedVersion.noStream(),
                List.of(codec.encode(UUID.randomUUID(), new BankAccount.Opened("ann")),
                        codec.encode(UUID.randomUUID(), new BankAccount.Deposited(5, "EUR"))), EventMetadata.empty());
        accounts.update("a2", new DepositTwice(1, 2)); // versions 3-4

        assertThat(accounts.findAtVersion("a2", 1)).isEmpty();
        assertThat(accounts.findAtVersion("a2", 2).orElseThrow().state().balance()).isEqualTo(5);
        assertThat(accounts.findAtVersion("a2", 3).orElseThrow().version()).isEqualTo(2);
        assertThat(accounts.findAtVersion("a2", 4).orElseThrow().state().balance()).isEqualTo(8);
    }

    @Test
    void the_history_is_an_audit_trail_with_filled_in_metadata() {
        accounts.create("a1", new Open("ann"), EventMetadata.empty().withPrincipal("alice").withMessageId("m-1"));
        accounts.update("a1", new Deposit(10), new EventMetadata("corr-9", null, "m-2", null));

        List<EventEnvelope<BankAccount.Event>> history = accounts.history("a1");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).metadata()).isEqualTo(new EventMetadata("m-1", "m-1", "m-1", "alice"));
        assertThat(history.get(1).metadata()).isEqualTo(new EventMetadata("corr-9", "m-2", "m-2", "system"));
        assertThat(history.get(1).event()).isEqualTo(new BankAccount.Deposited(10, "EUR"));
        assertThat(history).extracting(EventEnvelope::eventId).doesNotHaveDuplicates().doesNotContainNull();
        assertThat(history.get(0).timestamp()).isEqualTo(Instant.parse("2026-05-01T09:00:00Z"));
    }

    @Test
    void a_conflict_reloads_and_processes_the_command_again() {
        ConflictingOnce racing = new ConflictingOnce(store);
        AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> repo =
                AggregateRepository.builder(new BankAccount()).eventStore(racing).build();
        repo.create("a1", new Open("ann"));
        racing.armed = true;

        CommandResult<BankAccount.State, BankAccount.Event> result = repo.update("a1", new Deposit(5));

        assertThat(result.attempts()).isEqualTo(2);
        // the other writer's deposit of 100 happened first; ours was processed again on top of it
        assertThat(repo.get("a1").state().balance()).isEqualTo(105);
        assertThat(repo.get("a1").version()).isEqualTo(3);
    }

    @Test
    void a_conflict_that_outlives_the_retries_names_stream_and_versions() {
        AlwaysConflicting racing = new AlwaysConflicting(store);
        AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> repo =
                AggregateRepository.builder(new BankAccount()).eventStore(racing)
                        .retry(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2))).build();
        repo.create("a1", new Open("ann"));

        assertThatThrownBy(() -> repo.update("a1", new Deposit(5)))
                .isInstanceOfSatisfying(ConcurrencyConflictException.class, c -> {
                    assertThat(c.streamId()).isEqualTo(StreamId.of("Account", "a1"));
                    assertThat(c.attempts()).isEqualTo(3);
                    assertThat(c.expectedVersion()).isEqualTo(1);
                    assertThat(c.actualVersion()).isEqualTo(2);
                });
        assertThat(racing.appends.get()).isEqualTo(3);
    }

    @Test
    void retry_delays_are_jittered_and_capped() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(10), Duration.ofMillis(40));
        for (int attempt = 1; attempt <= 10; attempt++) {
            long ceiling = Math.min(40, 10L << (attempt - 1));
            assertThat(policy.delayAfter(attempt)).isBetween(Duration.ZERO, Duration.ofMillis(ceiling));
        }
        assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> policy.delayAfter(5)).distinct().count())
                .isGreaterThan(1);
    }

    /** Lets another writer append once, just before our append. */
    private static final class ConflictingOnce implements EventStore {
        private final EventStore delegate;
        volatile boolean armed;

        ConflictingOnce(EventStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                                   EventMetadata metadata) {
            if (armed) {
                armed = false;
                delegate.append(streamId, expected, List.of(new NewEvent(UUID.randomUUID(), "MoneyDeposited", 3,
                        "{\"amount\":100,\"currency\":\"EUR\"}")), EventMetadata.empty());
            }
            return delegate.append(streamId, expected, events, metadata);
        }

        @Override
        public StreamSlice read(StreamId streamId, ReadRequest request) {
            return delegate.read(streamId, request);
        }
    }

    /** Every update append conflicts. */
    private static final class AlwaysConflicting implements EventStore {
        private final EventStore delegate;
        final AtomicInteger appends = new AtomicInteger();

        AlwaysConflicting(EventStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public AppendResult append(StreamId streamId, ExpectedVersion expected, List<NewEvent> events,
                                   EventMetadata metadata) {
            if (expected.version() == 0) {
                return delegate.append(streamId, expected, events, metadata);
            }
            appends.incrementAndGet();
            throw new ConcurrencyConflictException(streamId, expected.version(), expected.version() + 1);
        }

        @Override
        public StreamSlice read(StreamId streamId, ReadRequest request) {
            return delegate.read(streamId, request);
        }
    }
}
