package dev.nosqles.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.internal.Json;
import dev.nosqles.internal.PseudoEvents;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.ConcurrencyConflictException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamAlreadyExistsException;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamNotFoundException;
import dev.nosqles.store.StreamSlice;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Creates, updates and loads aggregates of one type, as in the book:
 * <ul>
 *   <li>create: {@code process} the command against the initial state, append with "no stream" expected;</li>
 *   <li>update: load (latest snapshot + later events), {@code process}, append after the loaded version; on a
 *       concurrency conflict reload and process again, with jittered back-off, up to the {@link RetryPolicy};</li>
 *   <li>find: current state, state at a version, state as of an instant (time travel), and the history.</li>
 * </ul>
 * The repository fills the metadata the caller leaves out: a message id (random), the correlation and causation
 * ids (the message id) and the principal ({@code "system"}).
 */
public final class AggregateRepository<S, C, E> {
    private static final System.Logger LOG = System.getLogger(AggregateRepository.class.getName());

    private final Aggregate<S, C, E> aggregate;
    private final EventStore store;
    private final SnapshotStore snapshots;
    private final Clock clock;
    private final Supplier<UUID> ids;
    private final RetryPolicy retry;
    private final int deduplicationWindow;
    private final EventCodec<E> codec;
    private final ObjectMapper mapper = Json.mapper();

    private AggregateRepository(Builder<S, C, E> b) {
        this.aggregate = b.aggregate;
        this.store = b.store;
        this.snapshots = b.snapshots;
        this.clock = b.clock;
        this.ids = b.ids;
        this.retry = b.retry;
        this.deduplicationWindow = b.deduplicationWindow;
        this.codec = EventCodec.of(aggregate);
    }

    public static <S, C, E> Builder<S, C, E> builder(Aggregate<S, C, E> aggregate) {
        return new Builder<>(aggregate);
    }

    public Aggregate<S, C, E> aggregate() {
        return aggregate;
    }

    /** The stream id of the aggregate with this id. */
    public StreamId streamId(String id) {
        return StreamId.of(aggregate.type(), id);
    }

    public CommandResult<S, E> create(String id, C command) {
        return create(id, command, EventMetadata.empty());
    }

    /**
     * Creates the aggregate.
     *
     * @throws dev.nosqles.store.StreamAlreadyExistsException it exists already
     * @throws CommandRejectedException the command was rejected
     */
    public CommandResult<S, E> create(String id, C command, EventMetadata metadata) {
        StreamId streamId = streamId(id);
        EventMetadata meta = complete(metadata);
        S initial = aggregate.initialState();
        List<? extends E> events = aggregate.process(initial, command);
        try {
            return append(streamId, initial, 0, ExpectedVersion.noStream(), List.of(), events, List.of(), meta, 1);
        } catch (StreamAlreadyExistsException exists) {
            if (hasCallerMessageId(metadata)) {
                Loaded<S> loaded = load(streamId);
                if (loaded.messageIds().contains(meta.messageId())) {
                    return duplicate(streamId, loaded);
                }
            }
            throw exists;
        }
    }

    public CommandResult<S, E> update(String id, C command) {
        return update(id, command, EventMetadata.empty());
    }

    /**
     * Updates the aggregate, retrying on concurrency conflicts.
     *
     * <p>When the metadata carries a message id, the update is idempotent: the id is stored with the commit
     * (a {@code nosqles.MessageProcessed} pseudo event records it when the command produces no event), and a
     * message id seen before is recognised and dropped with {@link CommandResult#duplicate()} set. Ids are
     * remembered across snapshots for the last {@link Builder#deduplicationWindow(int)} messages.
     *
     * @throws StreamNotFoundException it does not exist
     * @throws CommandRejectedException the command was rejected
     * @throws ConcurrencyConflictException the conflicts outlived the retries
     */
    public CommandResult<S, E> update(String id, C command, EventMetadata metadata) {
        StreamId streamId = streamId(id);
        EventMetadata meta = complete(metadata);
        boolean idempotent = hasCallerMessageId(metadata);
        return retrying(streamId, (loaded, attempt) -> {
            if (idempotent && loaded.messageIds().contains(meta.messageId())) {
                return duplicate(streamId, loaded);
            }
            List<? extends E> events = aggregate.process(loaded.state(), command);
            if (events.isEmpty() && !idempotent) {
                return new CommandResult<>(new AggregateState<>(streamId, loaded.state(), loaded.version()), List.of(),
                        attempt, false);
            }
            List<NewEvent> pseudo = events.isEmpty() ? List.of(PseudoEvents.messageProcessed(ids.get())) : List.of();
            return append(streamId, loaded.state(), loaded.version(), loaded.expected(), loaded.messageIds(),
                    events, pseudo, meta, attempt);
        });
    }


    /**
     * Like {@link #update(String, Object, EventMetadata)}, but whatever the command's outcome — accepted with
     * events, accepted with none, or rejected by a business rule — the pseudo event that {@code recorder} makes
     * of it is appended in the same commit, atomically with the domain events. A rejection is then recorded and
     * returned in {@link CommandResult#rejection()}, not thrown. This is how a saga participant asks for its reply
     * (ADR 0005). A duplicate message (its id seen before) is dropped without calling {@code recorder}.
     *
     * @param metadata must carry the message id
     * @throws StreamNotFoundException the aggregate does not exist
     * @throws ConcurrencyConflictException the conflicts outlived the retries
     */
    public CommandResult<S, E> updateRecording(String id, C command, EventMetadata metadata,
                                               java.util.function.Function<CommandOutcome<S, E>, PseudoEvent> recorder) {
        Objects.requireNonNull(recorder, "recorder");
        if (!hasCallerMessageId(metadata)) {
            throw new IllegalArgumentException("updateRecording needs a message id in the metadata");
        }
        StreamId streamId = streamId(id);
        EventMetadata meta = complete(metadata);
        return retrying(streamId, (loaded, attempt) -> {
            if (loaded.messageIds().contains(meta.messageId())) {
                return duplicate(streamId, loaded);
            }
            List<? extends E> events;
            CommandOutcome<S, E> outcome;
            CommandRejectedException rejection = null;
            try {
                events = aggregate.process(loaded.state(), command);
                S after = loaded.state();
                for (E e : events) {
                    after = aggregate.apply(after, e);
                }
                outcome = new CommandOutcome.Accepted<>(loaded.state(), after, List.copyOf(events));
            } catch (CommandRejectedException rejected) {
                events = List.of();
                rejection = rejected;
                outcome = new CommandOutcome.Rejected<>(loaded.state(), rejected);
            }
            PseudoEvent recorded = recorder.apply(outcome);
            List<NewEvent> pseudo = recorded != null
                    ? List.of(new NewEvent(ids.get(), recorded.type(), recorded.schemaVersion(), recorded.data()))
                    : events.isEmpty() ? List.of(PseudoEvents.messageProcessed(ids.get())) : List.of();
            CommandResult<S, E> result = append(streamId, loaded.state(), loaded.version(), loaded.expected(),
                    loaded.messageIds(), events, pseudo, meta, attempt);
            return new CommandResult<>(result.state(), result.events(), attempt, false, rejection);
        });
    }

    /** One attempt of an update against a freshly loaded, existing aggregate. */
    @FunctionalInterface
    private interface Attempt<S, E> {
        CommandResult<S, E> run(Loaded<S> loaded, int attempt);
    }

    /** Loads and runs the attempt; on a concurrency conflict backs off, reloads and runs it again. */
    private CommandResult<S, E> retrying(StreamId streamId, Attempt<S, E> body) {
        ConcurrencyConflictException last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            Loaded<S> loaded = load(streamId);
            if (loaded.version() == 0) {
                throw new StreamNotFoundException(streamId);
            }
            try {
                return body.run(loaded, attempt);
            } catch (ConcurrencyConflictException conflict) {
                last = conflict;
                if (attempt < retry.maxAttempts()) {
                    sleep(retry.delayAfter(attempt));
                }
            }
        }
        throw new ConcurrencyConflictException(streamId, last.expectedVersion(), last.actualVersion(),
                retry.maxAttempts());
    }


    /** The current state, or empty when the aggregate does not exist. */
    public Optional<AggregateState<S>> find(String id) {
        StreamId streamId = streamId(id);
        Loaded<S> loaded = load(streamId);
        return loaded.version() == 0 ? Optional.empty()
                : Optional.of(new AggregateState<>(streamId, loaded.state(), loaded.version()));
    }

    /** The current state. @throws StreamNotFoundException it does not exist */
    public AggregateState<S> get(String id) {
        return find(id).orElseThrow(() -> new StreamNotFoundException(streamId(id)));
    }

    /**
     * The state after version {@code version} (or the current state if the stream is shorter); empty when the
     * aggregate does not exist or {@code version} is 0.
     */
    public Optional<AggregateState<S>> findAtVersion(String id, long version) {
        if (version < 1) {
            return Optional.empty();
        }
        StreamId streamId = streamId(id);
        Optional<Base<S>> base = snapshotBase(streamId).filter(b -> b.version() <= version);
        S state = base.map(Base::state).orElseGet(aggregate::initialState);
        long baseVersion = base.map(Base::version).orElse(0L);
        StreamSlice slice = store.read(streamId, ReadRequest.from(baseVersion + 1).withToVersion(version));
        return fold(streamId, state, baseVersion, slice.events());
    }

    /** The state as of an instant: every commit written at or before it. Empty if there was none. */
    public Optional<AggregateState<S>> findAsOf(String id, Instant instant) {
        Objects.requireNonNull(instant, "instant");
        StreamId streamId = streamId(id);
        // a snapshot taken at or before the instant holds only commits written before it
        Optional<Base<S>> base = snapshotBase(streamId).filter(b -> !b.takenAt().isAfter(instant));
        S state = base.map(Base::state).orElseGet(aggregate::initialState);
        long baseVersion = base.map(Base::version).orElse(0L);
        StreamSlice slice = store.read(streamId, ReadRequest.from(baseVersion + 1).withAsOf(instant));
        return fold(streamId, state, baseVersion, slice.events());
    }

    /**
     * Every domain event of the aggregate with its envelope (ids, version, time, who, correlation); empty if
     * unknown. The framework's pseudo events are left out, so versions may skip.
     */
    public List<EventEnvelope<E>> history(String id) {
        StreamSlice slice = store.read(streamId(id));
        List<EventEnvelope<E>> out = new ArrayList<>(slice.events().size());
        for (RecordedEvent recorded : slice.events()) {
            if (!PseudoEvents.isPseudo(recorded.type())) {
                out.add(codec.decode(recorded));
            }
        }
        return out;
    }

    private Optional<AggregateState<S>> fold(StreamId streamId, S state, long baseVersion, List<RecordedEvent> events) {
        long version = baseVersion;
        for (RecordedEvent recorded : events) {
            if (!PseudoEvents.isPseudo(recorded.type())) {
                state = aggregate.apply(state, codec.decode(recorded).event());
            }
            version = recorded.version();
        }
        return version == 0 ? Optional.empty() : Optional.of(new AggregateState<>(streamId, state, version));
    }

    private CommandResult<S, E> duplicate(StreamId streamId, Loaded<S> loaded) {
        return new CommandResult<>(new AggregateState<>(streamId, loaded.state(), loaded.version()), List.of(), 1, true);
    }

    private static boolean hasCallerMessageId(EventMetadata metadata) {
        return metadata != null && metadata.messageId() != null;
    }

    private CommandResult<S, E> append(StreamId streamId, S state, long before, ExpectedVersion expected,
                                       List<String> seenMessageIds, List<? extends E> events, List<NewEvent> pseudo,
                                       EventMetadata meta, int attempt) {
        List<NewEvent> encoded = new ArrayList<>(events.size() + pseudo.size());
        for (E event : events) {
            encoded.add(codec.encode(ids.get(), event));
        }
        encoded.addAll(pseudo);
        AppendResult result = store.append(streamId, expected, encoded, meta);
        List<EventEnvelope<E>> envelopes = new ArrayList<>(events.size());
        S after = state;
        for (int i = 0; i < events.size(); i++) {
            E event = events.get(i);
            after = aggregate.apply(after, event);
            RecordedEvent r = result.events().get(i);
            envelopes.add(new EventEnvelope<>(r.eventId(), streamId, r.version(), r.type(), r.type(),
                    r.schemaVersion(), r.timestamp(), r.metadata(), event));
        }
        maybeSnapshot(streamId, after, before, result.lastVersion(), seenMessageIds, meta.messageId());
        return new CommandResult<>(new AggregateState<>(streamId, after, result.lastVersion()), envelopes, attempt,
                false);
    }

    private void maybeSnapshot(StreamId streamId, S state, long before, long after, List<String> seenMessageIds,
                               String messageId) {
        Snapshotting<S> policy = aggregate.snapshotting();
        if (!policy.due(before, after)) {
            return;
        }
        List<String> recent = new ArrayList<>(seenMessageIds);
        recent.add(messageId);
        if (recent.size() > deduplicationWindow) {
            recent = recent.subList(recent.size() - deduplicationWindow, recent.size());
        }
        try {
            snapshots.save(new Snapshot(streamId, after, policy.stateType(), policy.schemaVersion(),
                    mapper.writeValueAsString(state), clock.instant(), recent));
        } catch (JsonProcessingException | RuntimeException e) {
            // the command succeeded; a missing snapshot only costs a longer replay
            LOG.log(Level.WARNING, "snapshot of {0} at version {1} not saved: {2}", streamId, after,
                    e.getClass().getSimpleName());
        }
    }

    private record Base<S>(S state, long version, Instant takenAt, List<String> messageIds) {
    }

    private record Loaded<S>(S state, long version, ExpectedVersion expected, List<String> messageIds) {
    }

    private Optional<Base<S>> snapshotBase(StreamId streamId) {
        Snapshotting<S> policy = aggregate.snapshotting();
        if (!policy.enabled()) {
            return Optional.empty();
        }
        return snapshots.load(streamId)
                .filter(s -> s.stateType().equals(policy.stateType()) && s.schemaVersion() == policy.schemaVersion())
                .flatMap(s -> {
                    try {
                        return Optional.of(new Base<>(mapper.readValue(s.data(), policy.stateClass()), s.version(),
                                s.timestamp(), s.recentMessageIds()));
                    } catch (JsonProcessingException | IllegalArgumentException e) {
                        LOG.log(Level.WARNING, "snapshot of {0} at version {1} unreadable ({2}); replaying all events",
                                streamId, s.version(), e.getClass().getSimpleName());
                        return Optional.empty();
                    }
                });
    }

    private Loaded<S> load(StreamId streamId) {
        Optional<Base<S>> base = snapshotBase(streamId);
        S state = base.map(Base::state).orElseGet(aggregate::initialState);
        long baseVersion = base.map(Base::version).orElse(0L);
        StreamSlice slice = store.read(streamId, ReadRequest.from(baseVersion + 1));
        List<String> messageIds = new ArrayList<>(base.map(Base::messageIds).orElse(List.of()));
        String lastMessageId = null;
        for (RecordedEvent recorded : slice.events()) {
            String messageId = recorded.metadata().messageId();
            if (messageId != null && !messageId.equals(lastMessageId)) {
                messageIds.add(messageId);
                lastMessageId = messageId;
            }
            if (!PseudoEvents.isPseudo(recorded.type())) {
                state = aggregate.apply(state, codec.decode(recorded).event());
            }
        }
        return new Loaded<>(state, slice.streamVersion(), slice.expectedVersion(), messageIds);
    }

    private EventMetadata complete(EventMetadata metadata) {
        EventMetadata m = metadata == null ? EventMetadata.empty() : metadata;
        String messageId = m.messageId() != null ? m.messageId() : ids.get().toString();
        return new EventMetadata(
                m.correlationId() != null ? m.correlationId() : messageId,
                m.causationId() != null ? m.causationId() : messageId,
                messageId,
                m.principal() != null ? m.principal() : "system");
    }

    private static void sleep(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }

    /** Configuration of an {@link AggregateRepository}. */
    public static final class Builder<S, C, E> {
        private final Aggregate<S, C, E> aggregate;
        private EventStore store;
        private SnapshotStore snapshots = SnapshotStore.none();
        private Clock clock = Clock.systemUTC();
        private Supplier<UUID> ids = UUID::randomUUID;
        private RetryPolicy retry = RetryPolicy.defaults();
        private int deduplicationWindow = 100;

        private Builder(Aggregate<S, C, E> aggregate) {
            this.aggregate = Objects.requireNonNull(aggregate, "aggregate");
        }

        /** The event store (required). */
        public Builder<S, C, E> eventStore(EventStore store) {
            this.store = store;
            return this;
        }

        /** Where snapshots go; none by default. The aggregate's {@link Snapshotting} decides when. */
        public Builder<S, C, E> snapshotStore(SnapshotStore snapshots) {
            this.snapshots = snapshots;
            return this;
        }

        /** Stamps snapshots; the system UTC clock by default. */
        public Builder<S, C, E> clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Event and message ids; random UUIDs by default. */
        public Builder<S, C, E> ids(Supplier<UUID> ids) {
            this.ids = ids;
            return this;
        }

        /** Optimistic-concurrency retries of updates; {@link RetryPolicy#defaults()} by default. */
        public Builder<S, C, E> retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        /**
         * How many of the most recent message ids a snapshot carries (100 by default), so that a redelivered
         * message is still recognised after a load that starts from the snapshot. Without snapshots every id is
         * seen on load. See ADR 0003 for why a count is enough.
         */
        public Builder<S, C, E> deduplicationWindow(int messages) {
            this.deduplicationWindow = messages;
            return this;
        }

        public AggregateRepository<S, C, E> build() {
            if (deduplicationWindow < 1) {
                throw new IllegalStateException("deduplicationWindow must be >= 1");
            }
            if (store == null) {
                throw new IllegalStateException("eventStore is required");
            }
            if (snapshots == null || clock == null || ids == null || retry == null) {
                throw new IllegalStateException("snapshotStore, clock, ids and retry must not be null");
            }
            StreamId.of(aggregate.type(), "x"); // validates the type name early
            return new AggregateRepository<>(this);
        }
    }
}
