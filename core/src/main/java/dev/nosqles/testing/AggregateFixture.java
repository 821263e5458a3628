package dev.nosqles.testing;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.CommandRejectedException;
import dev.nosqles.aggregate.CommandResult;
import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.aggregate.RetryPolicy;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Specification-style tests of an aggregate, on the in-memory store and through the real repository and codec:
 *
 * <pre>{@code
 * AggregateFixture.of(new CustomerAggregate())
 *     .given(new CustomerCreated("c1", "Ann", new BigDecimal("100")))
 *     .when(new ReserveCredit("o1", new BigDecimal("30")))
 *     .thenEvents(new CreditReserved("o1", new BigDecimal("30")));
 * }</pre>
 *
 * With no {@code given} events the command runs as a create; otherwise as an update. Assertions throw
 * {@link AssertionError}, so the fixture works with any test framework.
 */
public final class AggregateFixture<S, C, E> {
    private final Aggregate<S, C, E> aggregate;
    private final List<E> given = new ArrayList<>();
    private String id = "fixture-1";
    private dev.nosqles.privacy.SubjectKeys keys;

    private AggregateFixture(Aggregate<S, C, E> aggregate) {
        this.aggregate = Objects.requireNonNull(aggregate, "aggregate");
    }

    public static <S, C, E> AggregateFixture<S, C, E> of(Aggregate<S, C, E> aggregate) {
        return new AggregateFixture<>(aggregate);
    }

    /** The aggregate id to use ({@code fixture-1} by default). */
    public AggregateFixture<S, C, E> withId(String id) {
        this.id = id;
        return this;
    }

    /**
     * The subject keys personal fields are encrypted with; by default fresh {@code InMemorySubjectKeys} when the
     * aggregate declares personal data. Pass your own to forget a subject between {@code given} and {@code when}.
     */
    public AggregateFixture<S, C, E> withSubjectKeys(dev.nosqles.privacy.SubjectKeys keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
        return this;
    }

    @SafeVarargs
    public final AggregateFixture<S, C, E> given(E... events) {
        given.addAll(List.of(events));
        return this;
    }

    public AggregateFixture<S, C, E> given(List<? extends E> events) {
        given.addAll(events);
        return this;
    }

    /** No events yet: the command will create the aggregate. */
    public AggregateFixture<S, C, E> givenNoPriorActivity() {
        given.clear();
        return this;
    }

    /** Runs the command; failures are kept for the {@code then} step. */
    public Outcome<S, E> when(C command) {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        InMemoryEventStore store = new InMemoryEventStore(clock);
        dev.nosqles.privacy.SubjectKeys subjectKeys = keys != null ? keys
                : aggregate.eventTypes().declaresPersonalData() ? new dev.nosqles.memory.InMemorySubjectKeys()
                : null;
        EventCodec<E> codec = EventCodec.of(aggregate, subjectKeys);
        StreamId streamId = StreamId.of(aggregate.type(), id);
        long version = 0;
        if (!given.isEmpty()) {
            List<NewEvent> encoded = new ArrayList<>();
            for (E e : given) {
                encoded.add(codec.encode(streamId, UUID.randomUUID(), e));
            }
            version = store.append(streamId, ExpectedVersion.noStream(), encoded, EventMetadata.empty()).lastVersion();
        }
        AggregateRepository<S, C, E> repository = AggregateRepository.builder(aggregate)
                .eventStore(store).clock(clock).retry(RetryPolicy.noRetry()).subjectKeys(subjectKeys).build();
        try {
            CommandResult<S, E> result = given.isEmpty() ? repository.create(id, command) : repository.update(id, command);
            return new Outcome<>(result, null, version);
        } catch (RuntimeException e) {
            return new Outcome<>(null, e, version);
        }
    }

    /** The result of {@code when}, with assertions. */
    public static final class Outcome<S, E> {
        private final CommandResult<S, E> result;
        private final RuntimeException failure;
        private final long versionBefore;

        private Outcome(CommandResult<S, E> result, RuntimeException failure, long versionBefore) {
            this.result = result;
            this.failure = failure;
            this.versionBefore = versionBefore;
        }

        /** The command produced exactly these events, in this order. */
        @SafeVarargs
        public final Outcome<S, E> thenEvents(E... expected) {
            List<E> actual = events();
            if (!actual.equals(List.of(expected))) {
                throw new AssertionError("expected events " + List.of(expected) + " but got " + actual);
            }
            return this;
        }

        /** The command was accepted and changed nothing. */
        public Outcome<S, E> thenNoEvents() {
            return thenEvents();
        }

        /** The state after the command satisfies the check. */
        public Outcome<S, E> thenState(Consumer<S> check) {
            succeeded();
            check.accept(result.state().state());
            return this;
        }

        /** The state after the command equals this one. */
        public Outcome<S, E> thenState(S expected) {
            succeeded();
            if (!Objects.equals(result.state().state(), expected)) {
                throw new AssertionError("expected state " + expected + " but got " + result.state().state());
            }
            return this;
        }

        /** The command was rejected with this exception type; nothing was appended. */
        public <X extends CommandRejectedException> X thenRejected(Class<X> type) {
            if (failure == null) {
                throw new AssertionError("expected rejection " + type.getSimpleName() + " but the command produced "
                        + result.events().stream().map(EventEnvelope::event).toList());
            }
            if (!type.isInstance(failure)) {
                throw new AssertionError("expected " + type.getSimpleName() + " but got " + failure, failure);
            }
            return type.cast(failure);
        }

        /** The command failed with this exception type (a rejection or anything else). */
        public <X extends RuntimeException> X thenFailed(Class<X> type) {
            if (!type.isInstance(failure)) {
                throw new AssertionError("expected " + type.getSimpleName() + " but got "
                        + (failure == null ? "success" : failure), failure);
            }
            return type.cast(failure);
        }

        public AggregateState<S> state() {
            succeeded();
            return result.state();
        }

        public List<E> events() {
            succeeded();
            return result.events().stream().map(EventEnvelope::event).toList();
        }

        public long versionBefore() {
            return versionBefore;
        }

        private void succeeded() {
            if (failure != null) {
                throw new AssertionError("the command failed: " + failure, failure);
            }
        }
    }
}
