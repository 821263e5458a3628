package dev.nosqles.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.internal.Json;
import dev.nosqles.internal.PseudoEvents;
import dev.nosqles.store.AppendResult;
import dev.nosqles.store.CommitTooLargeException;
import dev.nosqles.store.ConcurrencyConflictException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.InvalidAppendException;
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
 *
 * <p><b>Lost answers.</b> The SDK may retry a write whose first attempt succeeded, so a conflict (or a create's
 * {@link StreamAlreadyExistsException}) may be our own commit, and an SDK or unknown failure may come after the
 * write landed. The repository never processes a command twice because of that: after such an outcome it
 * checks, on the reload it makes anyway, whether the commit it tried to write is in the stream (same version,
 * same event id). If it is, the command succeeded and is answered exactly as if the answer had arrived (its
 * events, the state after its commit, {@code duplicate() == false}), with or without a message id from the
 * caller. If it is not, a conflict is retried as usual and any other failure is rethrown.
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
     * Creates the aggregate. A create whose write landed but whose answer was lost is a success, not a
     * {@link StreamAlreadyExistsException}; a create whose message id (from the caller) is in the aggregate's first
     * commit was processed before and is answered with {@link CommandResult#duplicate()} set.
     *
     * @throws dev.nosqles.store.StreamAlreadyExistsException it exists already (created by another command)
     * @throws CommandRejectedException the command was rejected
     */
    public CommandResult<S, E> create(String id, C command, EventMetadata metadata) {
        StreamId streamId = streamId(id);
        Call call = new Call(streamId, metadata);
        S initial = aggregate.initialState();
        List<? extends E> events = aggregate.process(initial, command);
        Loaded<S> nothing = new Loaded<>(initial, 0, ExpectedVersion.noStream(), List.of(), 0, List.of());
        try {
            return append(call, nothing, events, List.of(), 1, null);
        } catch (ConcurrencyConflictException | UncertainAppend failure) {
            // the stream exists, or the write may have landed. Ours (the SDK retried a write whose answer was
            // lost), or an earlier delivery of the same message? Either is the first commit: one Query tells.
            List<RecordedEvent> first = store.read(streamId, ReadRequest.from(1).withToVersion(1)).events();
            Optional<CommandResult<S, E>> landed = landed(call, call.unconfirmed, first);
            if (landed.isPresent()) {
                return landed.get();
            }
            if (call.callerMessageId && !first.isEmpty()
                    && call.meta.messageId().equals(first.get(0).metadata().messageId())) {
                return duplicate(streamId, load(streamId));
            }
            if (failure instanceof UncertainAppend uncertain) {
                if (first.isEmpty()) {
                    throw uncertain.failure;
                }
                throw new StreamAlreadyExistsException(streamId, first.get(first.size() - 1).version());
            }
            throw (ConcurrencyConflictException) failure;
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
        Call call = new Call(streamId(id), metadata);
        return retrying(call, (loaded, attempt) -> {
            List<? extends E> events = aggregate.process(loaded.state(), command);
            if (events.isEmpty() && !call.callerMessageId) {
                return new CommandResult<>(new AggregateState<>(call.streamId, loaded.state(), loaded.version()),
                        List.of(), attempt, false);
            }
            List<NewEvent> pseudo = events.isEmpty() ? List.of(PseudoEvents.messageProcessed(ids.get())) : List.of();
            return append(call, loaded, events, pseudo, attempt, null);
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
        Call call = new Call(streamId(id), metadata);
        return retrying(call, (loaded, attempt) -> {
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
            return append(call, loaded, events, pseudo, attempt, rejection);
        });
    }

    /** One command: its stream, completed metadata, and the appends whose outcome was not confirmed. */
    private final class Call {
        final StreamId streamId;
        final EventMetadata meta;
        final boolean callerMessageId;
        final List<Pending<S, E>> unconfirmed = new ArrayList<>();

        Call(StreamId streamId, EventMetadata metadata) {
            this.streamId = streamId;
            this.meta = complete(metadata);
            this.callerMessageId = hasCallerMessageId(metadata);
        }
    }

    /**
     * An append that failed with an answer that does not prove nothing was written: a conflict (possibly with our
     * own commit, when the SDK retried a write whose answer was lost) or an unknown failure after the request left.
     */
    private record Pending<S, E>(Loaded<S> basis, List<NewEvent> encoded, List<? extends E> events, S after,
                                 CommandRejectedException rejection, int attempt) {
        long firstVersion() {
            return basis.version() + 1;
        }

        long lastVersion() {
            return basis.version() + encoded.size();
        }
    }

    /** The store failed in a way that leaves open whether the append landed; never leaves the repository. */
    private static final class UncertainAppend extends RuntimeException {
        final RuntimeException failure;

        UncertainAppend(RuntimeException failure) {
            super(null, failure, false, false);
            this.failure = failure;
        }
    }

    /** One attempt of an update against a freshly loaded, existing aggregate. */
    @FunctionalInterface
    private interface Attempt<S, E> {
        CommandResult<S, E> run(Loaded<S> loaded, int attempt);
    }

    /**
     * Loads and runs the attempt; on a concurrency conflict backs off, reloads and runs it again. Before every
     * attempt after an unconfirmed append, the reload tells whether that append landed after all; if so, its
     * outcome is the answer and the command is not processed again.
     */
    private CommandResult<S, E> retrying(Call call, Attempt<S, E> body) {
        ConcurrencyConflictException last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            Loaded<S> loaded = load(call.streamId);
            if (loaded.version() == 0) {
                throw new StreamNotFoundException(call.streamId);
            }
            Optional<CommandResult<S, E>> landed = landed(call, loaded);
            if (landed.isPresent()) {
                return landed.get();
            }
            if (call.callerMessageId && loaded.messageIds().contains(call.meta.messageId())) {
                return duplicate(call.streamId, loaded);
            }
            try {
                return body.run(loaded, attempt);
            } catch (ConcurrencyConflictException conflict) {
                last = conflict;
                if (attempt < retry.maxAttempts()) {
                    sleep(retry.delayAfter(attempt));
                }
            } catch (UncertainAppend uncertain) {
                Optional<CommandResult<S, E>> after = landed(call, load(call.streamId));
                if (after.isPresent()) {
                    return after.get();
                }
                throw uncertain.failure;
            }
        }
        // the last conflict may have been our own commit, answered late
        Optional<CommandResult<S, E>> landed = landed(call, load(call.streamId));
        if (landed.isPresent()) {
            return landed.get();
        }
        throw new ConcurrencyConflictException(call.streamId, last.expectedVersion(), last.actualVersion(),
                retry.maxAttempts());
    }

    /** Whether one of the call's unconfirmed appends landed: its first event is in the stream, with its id. */
    private Optional<CommandResult<S, E>> landed(Call call, Loaded<S> loaded) {
        for (Pending<S, E> p : call.unconfirmed) {
            if (p.firstVersion() > loaded.version()) {
                continue;
            }
            List<RecordedEvent> events = p.firstVersion() > loaded.snapshotVersion() ? loaded.events()
                    : store.read(call.streamId, ReadRequest.from(p.firstVersion()).withToVersion(p.firstVersion()))
                    .events();
            Optional<CommandResult<S, E>> landed = landed(call, List.of(p), events);
            if (landed.isPresent()) {
                return landed;
            }
        }
        return Optional.empty();
    }

    private Optional<CommandResult<S, E>> landed(Call call, List<Pending<S, E>> candidates,
                                                 List<RecordedEvent> events) {
        for (Pending<S, E> p : candidates) {
            for (RecordedEvent e : events) {
                if (e.version() == p.firstVersion() && e.eventId().equals(p.encoded().get(0).eventId())) {
                    return Optional.of(confirmed(call, p, e));
                }
            }
        }
        return Optional.empty();
    }

    /** The result of an append that landed although its answer was lost: as if the answer had arrived. */
    private CommandResult<S, E> confirmed(Call call, Pending<S, E> p, RecordedEvent first) {
        LOG.log(Level.INFO, "{0}: the append at version {1} landed although the store reported a failure; not"
                + " processed again", call.streamId, p.firstVersion());
        List<EventEnvelope<E>> envelopes = new ArrayList<>(p.events().size());
        for (int i = 0; i < p.events().size(); i++) {
            NewEvent n = p.encoded().get(i);
            envelopes.add(new EventEnvelope<>(n.eventId(), call.streamId, p.firstVersion() + i, n.type(), n.type(),
                    n.schemaVersion(), first.timestamp(), first.metadata(), p.events().get(i)));
        }
        maybeSnapshot(call.streamId, p.after(), p.basis().version(), p.lastVersion(), p.basis().messageIds(),
                call.meta.messageId());
        return new CommandResult<>(new AggregateState<>(call.streamId, p.after(), p.lastVersion()), envelopes,
                p.attempt(), false, p.rejection());
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
        StreamSlice slice = store.read(streamId, ReadRequest.afterCommitEnd(baseVersion).withToVersion(version));
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
        StreamSlice slice = store.read(streamId, ReadRequest.afterCommitEnd(baseVersion).withAsOf(instant));
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

    private CommandResult<S, E> append(Call call, Loaded<S> loaded, List<? extends E> events,
                                       List<NewEvent> pseudo, int attempt, CommandRejectedException rejection) {
        List<NewEvent> encoded = new ArrayList<>(events.size() + pseudo.size());
        for (E event : events) {
            encoded.add(codec.encode(ids.get(), event));
        }
        encoded.addAll(pseudo);
        S after = loaded.state();
        for (E event : events) {
            after = aggregate.apply(after, event);
        }
        AppendResult result;
        try {
            result = store.append(call.streamId, loaded.expected(), encoded, call.meta);
        } catch (InvalidAppendException | CommitTooLargeException nothingWritten) {
            throw nothingWritten;
        } catch (ConcurrencyConflictException conflict) {
            call.unconfirmed.add(new Pending<>(loaded, encoded, events, after, rejection, attempt));
            throw conflict;
        } catch (RuntimeException unknown) {
            call.unconfirmed.add(new Pending<>(loaded, encoded, events, after, rejection, attempt));
            throw new UncertainAppend(unknown);
        }
        List<EventEnvelope<E>> envelopes = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            RecordedEvent r = result.events().get(i);
            envelopes.add(new EventEnvelope<>(r.eventId(), call.streamId, r.version(), r.type(), r.type(),
                    r.schemaVersion(), r.timestamp(), r.metadata(), events.get(i)));
        }
        maybeSnapshot(call.streamId, after, loaded.version(), result.lastVersion(), loaded.messageIds(),
                call.meta.messageId());
        return new CommandResult<>(new AggregateState<>(call.streamId, after, result.lastVersion()), envelopes,
                attempt, false, rejection);
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

    /**
     * A loaded aggregate: its state and version, the version to append after, the message ids known to it, the
     * snapshot version it started from and the events read after it.
     */
    private record Loaded<S>(S state, long version, ExpectedVersion expected, List<String> messageIds,
                             long snapshotVersion, List<RecordedEvent> events) {
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
        StreamSlice slice = store.read(streamId, ReadRequest.afterCommitEnd(baseVersion));
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
        return new Loaded<>(state, slice.streamVersion(), slice.expectedVersion(), messageIds, baseVersion,
                slice.events());
    }

    private EventMetadata complete(EventMetadata metadata) {
        EventMetadata m = metadata == null ? EventMetadata.empty() : metadata;
        String messageId = m.messageId() != null ? m.messageId() : ids.get().toString();
        return new EventMetadata(
                m.correlationId() != null ? m.correlationId() : messageId,
                m.causationId() != null ? m.causationId() : messageId,
                messageId,
                m.principal() != null ? m.principal() : "system",
                m.messageSentAt());
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
