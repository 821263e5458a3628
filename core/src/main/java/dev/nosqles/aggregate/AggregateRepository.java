package dev.nosqles.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nosqles.internal.Json;
import dev.nosqles.internal.PseudoEvents;
import dev.nosqles.internal.TraceHeaders;
import dev.nosqles.logging.LogContext;
import dev.nosqles.metrics.Metric;
import dev.nosqles.metrics.Metrics;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
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
 *       concurrency conflict, fold the competing commit the conflict carries into the state in hand and process
 *       again at once, without a read, when it is the one commit the state was missing; otherwise (or when the
 *       attempt on a folded state conflicts too) reload after a jittered back-off, up to the {@link RetryPolicy};</li>
 *   <li>find: current state, state at a version, state as of an instant (time travel), and the history.</li>
 * </ul>
 * Threads that update the same aggregate through one repository take turns (one command per aggregate at a time in
 * the process), so they never lose a race to each other; writers in other processes are kept apart by the
 * conditional write. With a {@link Builder#stateCache(int) state cache}, an update starts from the state in hand
 * after the aggregate's last command instead of a load (ADR 0018).
 * The repository fills the metadata the caller leaves out: a message id (random), the correlation and causation
 * ids (the message id) and the principal ({@code "system"}).
 *
 * <p><b>Lost answers.</b> The SDK may retry a write whose first attempt succeeded, so a conflict (or a create's
 * {@link StreamAlreadyExistsException}) may be our own commit, and an SDK or unknown failure may come after the
 * write landed. The repository never processes a command twice because of that: after such an outcome it
 * checks, on the reload it makes anyway or in the competing commit a conflict carries, whether the commit it tried
 * to write is in the stream (same version, same event id). If it is, the command succeeded and is answered exactly as if the answer had arrived (its
 * events, the state after its commit, {@code duplicate() == false}), with or without a message id from the
 * caller. If it is not, a conflict is retried as usual and any other failure is rethrown.
 */
public final class AggregateRepository<S, C, E> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AggregateRepository.class);

    private final Aggregate<S, C, E> aggregate;
    private final EventStore store;
    private final SnapshotStore snapshots;
    private final Clock clock;
    private final Supplier<UUID> ids;
    private final RetryPolicy retry;
    private final int deduplicationWindow;
    private final Duration deduplicationHorizon;
    private final Duration clockSkew;
    private final EventCodec<E> codec;
    /** Null: none configured. */
    private final dev.nosqles.privacy.SubjectKeys keys;
    /** Whether snapshots are encrypted with the stream subject's key (the aggregate declares personal data). */
    private final boolean personal;
    private final Metrics metrics;
    /** The most message ids the cache keeps per aggregate, unless the deduplication window is larger. */
    static final int CACHED_MESSAGES_MAX = 10_000;
    /** How much longer than the clock skew allowance the cache keeps message ids. */
    static final Duration CACHED_MESSAGES_MARGIN = Duration.ofMinutes(1);
    /** One command per aggregate at a time in this process (ADR 0018). */
    private final Turns turns = new Turns();
    /** The state in hand after each aggregate's last command, least recently used first; null: no cache. */
    private final java.util.Map<StreamId, Loaded<S>> cache;

    private AggregateRepository(Builder<S, C, E> b) {
        this.aggregate = b.aggregate;
        this.store = b.store;
        this.snapshots = b.snapshots;
        this.clock = b.clock;
        this.ids = b.ids;
        this.retry = b.retry;
        this.deduplicationWindow = b.deduplicationWindow;
        this.deduplicationHorizon = b.deduplicationHorizon;
        this.clockSkew = b.clockSkew;
        this.keys = b.keys;
        this.metrics = b.metrics;
        this.personal = aggregate.eventTypes().declaresPersonalData();
        this.codec = EventCodec.of(aggregate, keys);
        int capacity = b.stateCache;
        this.cache = capacity == 0 ? null : java.util.Collections.synchronizedMap(
                new java.util.LinkedHashMap<StreamId, Loaded<S>>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(java.util.Map.Entry<StreamId, Loaded<S>> eldest) {
                        return size() > capacity;
                    }
                });
    }

    public static <S, C, E> Builder<S, C, E> builder(Aggregate<S, C, E> aggregate) {
        return new Builder<>(aggregate);
    }

    /**
     * Whether a message sent at {@code sentAt} is older than this repository's {@link
     * Builder#deduplicationHorizon(Duration) deduplication horizon}, by its clock: a command carrying it as its
     * {@code messageSentAt} is then refused with {@link MessageTooOldException} unless its id is among the ids this
     * aggregate still remembers, because a first delivery can no longer be told from a redelivery.
     */
    public boolean beyondDeduplicationHorizon(Instant sentAt) {
        return sentAt.isBefore(clock.instant().minus(deduplicationHorizon));
    }

    /** Where this repository counts what it does (a saga manager reports to the same place). */
    public Metrics metrics() {
        return metrics;
    }

    public Aggregate<S, C, E> aggregate() {
        return aggregate;
    }

    /**
     * How far before a message's {@link EventMetadata#messageSentAt() sent time} a commit holding it may be stamped
     * (writers' clocks differ); the bound of every search for a message's commit.
     */
    public java.time.Duration clockSkewAllowance() {
        return clockSkew;
    }

    /** The stream id of the aggregate with this id. */
    public StreamId streamId(String id) {
        return StreamId.of(aggregate.type(), id);
    }

    public CommandResult<S, E> create(String id, C command) {
        return create(id, command, EventMetadata.empty());
    }

    /**
     * Creates the aggregate: one conditional write ("no stream"), nothing read.
     *
     * <p>When the stream exists already, the failed write hands back the stream's first commit (DynamoDB returns the
     * item with the failure, no read; the in-memory store does the same), and the answer comes from that commit
     * alone, with no further request:
     * <ul>
     *   <li>it is this call's own commit (the SDK retried a write whose answer was lost): a success, exactly as if
     *       the answer had arrived, not a duplicate;</li>
     *   <li>it holds the caller's message id (an earlier delivery of this create): {@link CommandResult#duplicate()}
     *       set, no events, and the state <b>as created</b>: folded from the first commit alone, at that commit's
     *       last version, whatever happened to the aggregate since. That is what a caller compares a retried
     *       request with (an HTTP API tells a retry from a reuse of its {@code Idempotency-Key} by it); the
     *       current state is one {@link #find(String)} away;</li>
     *   <li>otherwise: {@link StreamAlreadyExistsException}, with that first commit as its
     *       {@link StreamAlreadyExistsException#competingCommit() competing commit}.</li>
     * </ul>
     * Only when the store failed without an answer (the SDK gave up) is the first commit read, once.
     *
     * @throws dev.nosqles.store.StreamAlreadyExistsException it exists already, created by another message
     * @throws CommandRejectedException the command was rejected
     */
    public CommandResult<S, E> create(String id, C command, EventMetadata metadata) {
        try (LogContext log = LogContext.open().stream(streamId(id))) {
            return counted(command, () -> doCreate(id, command, metadata, log));
        }
    }

    private CommandResult<S, E> doCreate(String id, C command, EventMetadata metadata, LogContext log) {
        StreamId streamId = streamId(id);
        Call call = new Call(streamId, metadata, log);
        S initial = aggregate.initialState();
        List<? extends E> events = aggregate.process(initial, command);
        Loaded<S> nothing = new Loaded<>(initial, 0, ExpectedVersion.noStream(), 0, List.of(), List.of(), 0, null);
        try {
            return append(call, nothing, events, List.of(), 1, null);
        } catch (ConcurrencyConflictException | UncertainAppend failure) {
            // the stream exists, or the write may have landed. Ours (the SDK retried a write whose answer was
            // lost), or an earlier delivery of the same message? Either is the first commit, which a conflict
            // carries; only an append that failed without an answer reads it
            List<RecordedEvent> first = failure instanceof ConcurrencyConflictException conflict
                    && !conflict.competingCommit().isEmpty() && streamId.equals(conflict.streamId())
                    ? conflict.competingCommit() : firstCommit(streamId);
            Optional<CommandResult<S, E>> landed = landed(call, call.unconfirmed, first);
            if (landed.isPresent()) {
                return landed.get();
            }
            if (call.callerMessageId && !first.isEmpty()
                    && call.meta.messageId().equals(first.get(0).metadata().messageId())) {
                AggregateState<S> asCreated = fold(streamId, initial, 0, first).orElseThrow();
                return new CommandResult<>(asCreated, List.of(), 1, true);
            }
            if (failure instanceof UncertainAppend uncertain) {
                if (first.isEmpty()) {
                    throw uncertain.failure;
                }
                // a real conflict: commit 1 is another message's (our own commit or a retry is none)
                metrics.increment(Metric.CONCURRENCY_CONFLICTS);
                throw new StreamAlreadyExistsException(streamId, first.get(first.size() - 1).version());
            }
            metrics.increment(Metric.CONCURRENCY_CONFLICTS);
            throw (ConcurrencyConflictException) failure;
        }
    }

    /**
     * The stream's first commit, whole (empty when there is none). One Query unless the commit holds more events
     * than asked for; then twice as many, until the read shows where it ends.
     */
    private List<RecordedEvent> firstCommit(StreamId streamId) {
        for (long to = 2; ; to = to > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : to * 2) {
            List<RecordedEvent> events = store.read(streamId, ReadRequest.from(1).withToVersion(to)).events();
            int end = events.isEmpty() ? 0 : 1;
            while (end > 0 && end < events.size() && sameCommit(events.get(end - 1), events.get(end))) {
                end++;
            }
            if (end < events.size() || events.size() < to || to == Long.MAX_VALUE) {
                return List.copyOf(events.subList(0, end));
            }
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
     * message id seen before is recognised and dropped with {@link CommandResult#duplicate()} set. A message is
     * recognised whenever it comes back within the {@link Builder#deduplicationHorizon(Duration) horizon} of when
     * it was first sent ({@link EventMetadata#messageSentAt()}), however many messages came between: the snapshot
     * remembers the most recent ids, and a message sent before what they cover costs one backward Query of the
     * events written since it was sent (ADR 0003). A message without {@code messageSentAt} is taken as sent at the
     * start of the horizon (the most the search can cost). A message sent before the horizon that is not among
     * the remembered ids is refused with {@link MessageTooOldException}; nothing is written.
     *
     * @throws StreamNotFoundException it does not exist
     * @throws MessageTooOldException the message was sent before the deduplication horizon
     * @throws CommandRejectedException the command was rejected
     * @throws ConcurrencyConflictException the conflicts outlived the retries
     */
    public CommandResult<S, E> update(String id, C command, EventMetadata metadata) {
        StreamId streamId = streamId(id);
        try (LogContext log = LogContext.open().stream(streamId)) {
            return turns.take(streamId, () -> counted(command, () -> doUpdate(id, command, metadata, log)));
        }
    }

    private CommandResult<S, E> doUpdate(String id, C command, EventMetadata metadata, LogContext log) {
        Call call = new Call(streamId(id), metadata, log);
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
        StreamId streamId = streamId(id);
        try (LogContext log = LogContext.open().stream(streamId)) {
            return turns.take(streamId,
                    () -> counted(command, () -> doUpdateRecording(id, command, metadata, recorder, log)));
        }
    }

    private CommandResult<S, E> doUpdateRecording(String id, C command, EventMetadata metadata,
                                                  java.util.function.Function<CommandOutcome<S, E>, PseudoEvent> recorder,
                                                  LogContext log) {
        Objects.requireNonNull(recorder, "recorder");
        if (!hasCallerMessageId(metadata)) {
            throw new IllegalArgumentException("updateRecording needs a message id in the metadata");
        }
        Call call = new Call(streamId(id), metadata, log);
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

    /** Reports what a command came to: handled, rejected, a duplicate dropped; and its retries. */
    private CommandResult<S, E> counted(C command, Supplier<CommandResult<S, E>> run) {
        String name = command == null ? "command" : command.getClass().getSimpleName();
        CommandResult<S, E> result;
        try {
            result = run.get();
        } catch (CommandRejectedException rejected) {
            metrics.increment(Metric.COMMANDS_REJECTED);
            LOG.info("{} rejected: {}", name, rejected.reason());
            throw rejected;
        }
        if (result.duplicate()) {
            metrics.increment(Metric.DUPLICATES_DROPPED);
            LOG.info("{} dropped: its message was processed before", name);
        } else if (result.rejected()) {
            metrics.increment(Metric.COMMANDS_REJECTED);
            LOG.info("{} rejected: {}; recorded at version {}", name, result.rejection().reason(),
                    result.state().version());
        } else {
            metrics.increment(Metric.COMMANDS_HANDLED);
            LOG.info("{} handled: {} event(s), now at version {}", name, result.events().size(),
                    result.state().version());
        }
        if (result.attempts() > 1) {
            metrics.add(Metric.COMMAND_RETRIES, result.attempts() - 1L);
        }
        return result;
    }

    /** One command: its stream, completed metadata, and the appends whose outcome was not confirmed. */
    private final class Call {
        final StreamId streamId;
        final EventMetadata meta;
        final boolean callerMessageId;
        final List<Pending<S, E>> unconfirmed = new ArrayList<>();
        /** No commit up to this version holds the caller's message id (as far as earlier attempts looked). */
        long checkedUpTo;

        Call(StreamId streamId, EventMetadata metadata, LogContext log) {
            this.streamId = streamId;
            this.meta = complete(metadata);
            this.callerMessageId = hasCallerMessageId(metadata);
            log.metadata(meta); // the ids the commit will carry, generated ones included
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
        Loaded<S> folded = null;
        // a try on a cached state that turned out stale does not use up an attempt of the retry policy
        int extra = 0;
        for (int attempt = 1; attempt <= retry.maxAttempts() + extra; attempt++) {
            // the state in hand with the competing commit folded in, the state the cache holds (first attempt
            // only), or a fresh load
            Loaded<S> cached = folded == null && attempt == 1 && cache != null ? cache.get(call.streamId) : null;
            Loaded<S> loaded = folded != null ? folded : cached != null ? cached : load(call.streamId);
            boolean ranOnFold = folded != null;
            folded = null;
            if (loaded.version() == 0) {
                throw new StreamNotFoundException(call.streamId);
            }
            if (cached == null && !ranOnFold) {
                remember(call.streamId, loaded.state(), loaded.version(), loaded.expected(), loaded.recent(),
                        loaded.evictedVersion(), loaded.evictedAt());
            }
            Optional<CommandResult<S, E>> landed = landed(call, loaded);
            if (landed.isPresent()) {
                return landed.get();
            }
            if (call.callerMessageId && processedBefore(call, loaded)) {
                return duplicate(call.streamId, loaded);
            }
            try {
                CommandResult<S, E> result = body.run(loaded, attempt);
                if (cached != null && result.state().version() == loaded.version()) {
                    // decided on the cached state without a write, so no conditional write checked that state:
                    // decide again on the store's
                    cache.remove(call.streamId);
                    extra = 1;
                    continue;
                }
                return result;
            } catch (CommandRejectedException rejected) {
                if (cached == null) {
                    throw rejected;
                }
                // a rejection writes nothing, so it proves nothing about the cached state: decide again on the
                // store's (another process may have changed what the rule looks at, or handled this very message)
                cache.remove(call.streamId);
                extra = 1;
            } catch (ConcurrencyConflictException conflict) {
                metrics.increment(Metric.CONCURRENCY_CONFLICTS);
                last = conflict;
                forgetLost(call, conflict);
                forget(call.streamId); // whatever the basis, the state it cached is behind
                if (cached != null) {
                    // the cached state was stale: another process wrote since. Read what it wrote, at once
                    // (this is the read the cache saved), rather than fold one commit and maybe lose again
                    extra = 1;
                } else if (attempt < retry.maxAttempts() + extra) {
                    // one commit behind: fold the competing commit the conflict carries and decide again at once,
                    // without a read. A conflict on a folded state means the stream had moved on further: read it,
                    // after a back-off (a failed write costs a write unit per KB, a read of the commits missed
                    // half a unit per 4 KB)
                    folded = ranOnFold ? null : folded(call, loaded, conflict);
                    if (folded == null) {
                        sleep(retry.delayAfter(attempt - extra));
                    }
                }
            } catch (UncertainAppend uncertain) {
                forget(call.streamId);
                Optional<CommandResult<S, E>> after = landed(call, load(call.streamId));
                if (after.isPresent()) {
                    return after.get();
                }
                throw uncertain.failure;
            } catch (RuntimeException other) {
                forget(call.streamId);
                throw other;
            }
        }
        // the last conflict may have been our own commit, answered late
        forget(call.streamId);
        Optional<CommandResult<S, E>> landed = landed(call, load(call.streamId));
        if (landed.isPresent()) {
            return landed.get();
        }
        throw new ConcurrencyConflictException(call.streamId, last.expectedVersion(), last.actualVersion(),
                retry.maxAttempts());
    }

    /**
     * Whether the caller's message id is in a commit of the stream: among the ids the snapshot remembers and those
     * of the events after it (free), else, when the message was sent before what those cover, found by one
     * backward search of the commits written since it was sent (minus the clock skew allowance).
     */
    private boolean processedBefore(Call call, Loaded<S> loaded) {
        String messageId = call.meta.messageId();
        for (Snapshot.RecentMessage m : loaded.recent()) {
            if (m.messageId().equals(messageId)) {
                return true;
            }
        }
        Instant sentAt = call.meta.messageSentAt();
        if (sentAt != null && beyondDeduplicationHorizon(sentAt)) {
            throw new MessageTooOldException(call.streamId, messageId, sentAt, deduplicationHorizon);
        }
        Instant since = (sentAt != null ? sentAt : clock.instant().minus(deduplicationHorizon)).minus(clockSkew);
        boolean found = loaded.evictedVersion() > call.checkedUpTo && !since.isAfter(loaded.evictedAt())
                && store.findMessageCommit(call.streamId, messageId, loaded.evictedVersion(), since).isPresent();
        if (!found) {
            call.checkedUpTo = loaded.version();
        }
        return found;
    }

    /**
     * Drops the unconfirmed appends the conflict proves never landed: another commit starts where they would have
     * (so no later reload has to read that commit again to tell).
     */
    private void forgetLost(Call call, ConcurrencyConflictException conflict) {
        List<RecordedEvent> commit = conflict.competingCommit();
        if (commit.isEmpty() || !call.streamId.equals(conflict.streamId())) {
            return;
        }
        RecordedEvent first = commit.get(0);
        call.unconfirmed.removeIf(p -> p.firstVersion() == first.version()
                && !p.encoded().get(0).eventId().equals(first.eventId()));
    }

    /** Whether one of the call's unconfirmed appends landed: its first event is in the stream, with its id. */
    private Optional<CommandResult<S, E>> landed(Call call, Loaded<S> loaded) {
        for (Iterator<Pending<S, E>> it = call.unconfirmed.iterator(); it.hasNext(); ) {
            Pending<S, E> p = it.next();
            if (p.firstVersion() > loaded.version()) {
                continue; // the stream does not reach it (yet)
            }
            List<RecordedEvent> events = p.firstVersion() > loaded.snapshotVersion() ? loaded.events()
                    : store.read(call.streamId, ReadRequest.from(p.firstVersion()).withToVersion(p.firstVersion()))
                    .events();
            Optional<RecordedEvent> at = events.stream().filter(e -> e.version() == p.firstVersion()).findFirst();
            if (at.isPresent() && at.get().eventId().equals(p.encoded().get(0).eventId())) {
                return Optional.of(confirmed(call, p, at.get()));
            }
            if (at.isPresent()) {
                // another commit starts at that version (it was a commit boundary): this append can never land
                it.remove();
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
        LOG.info("{}: the append at version {} landed although the store reported a failure; not"
                + " processed again", call.streamId, p.firstVersion());
        forget(call.streamId);
        List<EventEnvelope<E>> envelopes = new ArrayList<>(p.events().size());
        for (int i = 0; i < p.events().size(); i++) {
            NewEvent n = p.encoded().get(i);
            envelopes.add(new EventEnvelope<>(n.eventId(), call.streamId, p.firstVersion() + i, n.type(), n.type(),
                    n.schemaVersion(), first.timestamp(), first.metadata(), p.events().get(i)));
        }
        maybeSnapshot(call.streamId, p.after(), p.basis(), p.firstVersion(), p.lastVersion(),
                p.encoded().get(p.encoded().size() - 1).eventId(), first.timestamp(), call.meta.messageId());
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
     * The state at the end of the last commit at or before version {@code version} (the current state if the
     * stream is shorter). A commit is atomic: when {@code version} falls inside a commit of several events, the
     * answer is the state before that commit (at its boundary), never a state that was never committed. Empty when
     * the aggregate does not exist, no commit ends at or before {@code version}, or {@code version} is 0.
     *
     * <p>Below the aggregate's snapshot interval ({@link Snapshotting#everyEvents()}; a snapshot is only taken
     * when the stream crosses a multiple of it) the events are read alone, one Query, without looking for a
     * snapshot: {@code findAtVersion(id, 1)}, the aggregate as created, costs one request.
     */
    public Optional<AggregateState<S>> findAtVersion(String id, long version) {
        if (version < 1) {
            return Optional.empty();
        }
        StreamId streamId = streamId(id);
        // one event more than asked: it tells whether the commit holding `version` goes on after it
        long to = version == Long.MAX_VALUE ? version : version + 1;
        Snapshotting<S> policy = aggregate.snapshotting();
        Optional<Base<S>> base = (!policy.enabled() || version < policy.everyEvents() ? Optional.<Base<S>>empty()
                : snapshotBase(streamId))
                .filter(b -> b.snapshot().version() <= version && b.snapshot().recordsItsCommit());
        if (base.isPresent()) {
            Snapshot snapshot = base.get().snapshot();
            StreamSlice slice = store.read(streamId, ReadRequest.from(snapshot.commitFirstVersion()).withToVersion(to));
            List<RecordedEvent> after = proven(snapshot, slice, true);
            if (after != null) {
                return fold(streamId, base.get().state(), snapshot.version(), toCommitBoundary(after, version));
            }
        }
        StreamSlice slice = store.read(streamId, ReadRequest.from(1).withToVersion(to));
        return fold(streamId, aggregate.initialState(), 0, toCommitBoundary(slice.events(), version));
    }

    /** The events up to {@code version}, without the part of a commit that goes on after it. */
    private static List<RecordedEvent> toCommitBoundary(List<RecordedEvent> events, long version) {
        int end = events.size();
        while (end > 0 && events.get(end - 1).version() > version) {
            end--;
        }
        if (end < events.size()) {
            RecordedEvent next = events.get(end);
            while (end > 0 && sameCommit(events.get(end - 1), next)) {
                end--;
            }
        }
        return events.subList(0, end);
    }

    /**
     * Whether two neighbouring events were written by one commit: they share its timestamp and metadata (every
     * commit the repository writes carries its own message id).
     */
    private static boolean sameCommit(RecordedEvent a, RecordedEvent b) {
        return a.timestamp().equals(b.timestamp()) && Objects.equals(a.metadata(), b.metadata());
    }

    /** The state as of an instant: every commit written at or before it. Empty if there was none. */
    public Optional<AggregateState<S>> findAsOf(String id, Instant instant) {
        Objects.requireNonNull(instant, "instant");
        StreamId streamId = streamId(id);
        // a snapshot taken at or before the instant holds only commits written before it
        Optional<Base<S>> base = snapshotBase(streamId)
                .filter(b -> !b.snapshot().timestamp().isAfter(instant) && b.snapshot().recordsItsCommit());
        if (base.isPresent()) {
            Snapshot snapshot = base.get().snapshot();
            StreamSlice slice = store.read(streamId, ReadRequest.from(snapshot.commitFirstVersion()).withAsOf(instant));
            // not proven may be benign here: the snapshot's commit written just after the instant (clock skew)
            List<RecordedEvent> after = proven(snapshot, slice, false);
            if (after != null) {
                return fold(streamId, base.get().state(), snapshot.version(), after);
            }
        }
        StreamSlice slice = store.read(streamId, ReadRequest.asOf(instant));
        return fold(streamId, aggregate.initialState(), 0, slice.events());
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
                state = aggregate.apply(state, codec.decodeEvent(recorded));
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
        // the commit that creates the stream: its own subject's key is new (put without a read first)
        boolean creating = loaded.version() == 0;
        for (E event : events) {
            encoded.add(codec.encode(call.streamId, ids.get(), event, creating));
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
        maybeSnapshot(call.streamId, after, loaded, result.firstVersion(), result.lastVersion(),
                result.events().get(result.events().size() - 1).eventId(), result.timestamp(), call.meta.messageId());
        if (cache != null) {
            List<Snapshot.RecentMessage> recent = new ArrayList<>(loaded.recent().size() + 1);
            recent.addAll(loaded.recent());
            recent.add(new Snapshot.RecentMessage(call.meta.messageId(), result.lastVersion(), result.timestamp()));
            remember(call.streamId, after, result.lastVersion(), result.nextExpectedVersion(), recent,
                    loaded.evictedVersion(), loaded.evictedAt());
        }
        return new CommandResult<>(new AggregateState<>(call.streamId, after, result.lastVersion()), envelopes,
                attempt, false, rejection);
    }

    /**
     * Keeps the state in hand for the aggregate's next command, when there is a cache: its state and version, and
     * the message ids of its recent commits. The cache keeps more ids than a snapshot: the last
     * {@link Builder#deduplicationWindow(int) window}, and also every id committed within the clock skew allowance
     * (plus a minute; in all at most the larger of the window and {@link #CACHED_MESSAGES_MAX}), so that a new message to a hot aggregate (more messages
     * within the allowance than the window holds) is known to be new without the store's backward search. The ids
     * dropped are accounted for exactly as a snapshot does (they are still found by that search, ADR 0003). Not
     * kept when an id to drop does not record its commit (from a snapshot of the old form).
     */
    private void remember(StreamId streamId, S state, long version, ExpectedVersion expected,
                          List<Snapshot.RecentMessage> recent, long evictedVersion, Instant evictedAt) {
        if (cache == null) {
            return;
        }
        Instant keepSince = clock.instant().minus(clockSkew).minus(CACHED_MESSAGES_MARGIN);
        int windowStart = Math.max(0, recent.size() - deduplicationWindow);
        int capStart = Math.max(0, recent.size() - Math.max(deduplicationWindow, CACHED_MESSAGES_MAX));
        int evict = 0;
        while (evict < windowStart) {
            Snapshot.RecentMessage dropped = recent.get(evict);
            if (dropped.version() <= 0 || dropped.committedAt() == null) {
                cache.remove(streamId);
                return;
            }
            if (evict >= capStart && !dropped.committedAt().isBefore(keepSince)) {
                break; // committed within the allowance: kept, and so is every later one
            }
            evictedVersion = Math.max(evictedVersion, dropped.version());
            evictedAt = evictedAt == null || dropped.committedAt().isAfter(evictedAt) ? dropped.committedAt()
                    : evictedAt;
            evict++;
        }
        cache.put(streamId, new Loaded<>(state, version, expected, version, List.of(),
                List.copyOf(recent.subList(evict, recent.size())), evictedVersion, evictedAt));
    }

    /** Aggregates whose turn a thread holds or waits for (for tests: none once every command returned). */
    int turnsInUse() {
        return turns.active();
    }

    private void forget(StreamId streamId) {
        if (cache != null) {
            cache.remove(streamId);
        }
    }

    /**
     * Saves a snapshot when the policy says so: the state, the commit it ends (to prove it on load), and the most
     * recent message ids with the span of commits they cover (to recognise redeliveries, ADR 0003).
     */
    private void maybeSnapshot(StreamId streamId, S state, Loaded<S> basis, long firstVersion, long lastVersion,
                               UUID lastEventId, Instant committedAt, String messageId) {
        Snapshotting<S> policy = aggregate.snapshotting();
        if (!policy.due(basis.version(), lastVersion)) {
            return;
        }
        List<Snapshot.RecentMessage> recent = new ArrayList<>(basis.recent());
        recent.add(new Snapshot.RecentMessage(messageId, lastVersion, committedAt));
        long evictedVersion = basis.evictedVersion();
        Instant evictedAt = basis.evictedAt();
        int evict = Math.max(0, recent.size() - deduplicationWindow);
        for (Snapshot.RecentMessage dropped : recent.subList(0, evict)) {
            // an entry without its commit comes from a snapshot of the old form, whose mark already covers it
            long v = dropped.version() > 0 ? dropped.version() : basis.snapshotVersion();
            Instant t = dropped.committedAt() != null ? dropped.committedAt() : basis.evictedAt();
            if (t == null) {
                v = basis.version();
                t = committedAt;
            }
            evictedVersion = Math.max(evictedVersion, v);
            evictedAt = evictedAt == null || t.isAfter(evictedAt) ? t : evictedAt;
        }
        recent = recent.subList(evict, recent.size());
        try {
            snapshots.save(new Snapshot(streamId, lastVersion, policy.stateType(), policy.schemaVersion(),
                    snapshotData(streamId, Json.mapper().writeValueAsString(state)), clock.instant(), firstVersion,
                    lastEventId, new Snapshot.MessageWindow(recent, evictedVersion, evictedAt)));
        } catch (java.io.IOException | RuntimeException e) {
            // (IOException: Jackson's JsonProcessingException, named by its JDK superclass so that verifying this
            // class loads no Jackson type, ADR 0020)
            // the command succeeded; a missing snapshot only costs a longer replay
            LOG.warn("snapshot of {} at version {} not saved: {}", streamId, lastVersion,
                    e.getClass().getSimpleName());
        }
    }

    private record Base<S>(S state, Snapshot snapshot) {
    }

    /**
     * A loaded aggregate: its state and version, the version to append after, the snapshot version it started
     * from and the events read after it, and the message ids known to it (the snapshot's and those of the events
     * after it, oldest first) with the newest commit they no longer cover ({@code evictedVersion} 0: none).
     */
    private record Loaded<S>(S state, long version, ExpectedVersion expected, long snapshotVersion,
                             List<RecordedEvent> events, List<Snapshot.RecentMessage> recent, long evictedVersion,
                             Instant evictedAt) {
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
                        Optional<String> data = snapshotState(s);
                        if (data.isEmpty()) {
                            return Optional.empty();
                        }
                        return Optional.of(new Base<>(Json.mapper().readValue(data.get(), policy.stateClass()), s));
                    } catch (java.io.IOException | IllegalArgumentException e) {
                        // IOException: Jackson's JsonProcessingException (see maybeSnapshot)
                        LOG.warn("snapshot of {} at version {} unreadable ({}); replaying all events",
                                streamId, s.version(), e.getClass().getSimpleName());
                        return Optional.empty();
                    }
                });
    }

    /**
     * The stored form of a snapshot's state: as is, or, when the aggregate declares personal data, encrypted as a
     * whole with the key of the stream's subject (its aggregate id), so that forgetting the subject leaves no
     * readable copy (ADR 0008).
     */
    private String snapshotData(StreamId streamId, String state) {
        if (!personal) {
            return state;
        }
        if (keys == null) {
            throw new dev.nosqles.privacy.MissingSubjectKeysException(aggregate.snapshotting().stateType());
        }
        return dev.nosqles.privacy.internal.FieldCipher.encrypt(keys, streamId.id(),
                dev.nosqles.privacy.internal.FieldCipher.SNAPSHOT_FIELD, state).toString();
    }

    /**
     * The state JSON of a snapshot; empty when it is to be ignored: its subject was forgotten, or it is a plaintext
     * snapshot of an aggregate that declares personal data (written before it did).
     *
     * @throws dev.nosqles.privacy.KeyServiceUnavailableException the key service could not be reached
     */
    private Optional<String> snapshotState(Snapshot s) throws JsonProcessingException {
        if (!personal) {
            return Optional.of(s.data());
        }
        com.fasterxml.jackson.databind.JsonNode tree = Json.mapper().readTree(s.data());
        if (!dev.nosqles.privacy.internal.FieldCipher.isToken(tree)) {
            LOG.info("plaintext snapshot of {} at version {} ignored (the aggregate declares personal"
                    + " data); replaying", s.streamId(), s.version());
            return Optional.empty();
        }
        if (keys == null) {
            throw new dev.nosqles.privacy.MissingSubjectKeysException(s.stateType());
        }
        Optional<String> state = dev.nosqles.privacy.internal.FieldCipher.decrypt(keys,
                dev.nosqles.privacy.internal.FieldCipher.SNAPSHOT_FIELD, tree);
        if (state.isEmpty()) {
            LOG.info("snapshot of {} at version {} belongs to a forgotten subject; ignored, replaying",
                    s.streamId(), s.version());
        }
        return state;
    }

    /**
     * Loads the aggregate: the latest snapshot if the events prove it, and the events after it. A snapshot that
     * records its commit is read back from that commit's first version (one Query whose first commit must be the
     * snapshot's: same versions, same last event id); one of the old form by the store's look-back (the stream must
     * reach its version). A snapshot the events do not prove (beyond the stream's end, say after the events table
     * was restored to an earlier point) is ignored with a warning and the events are replayed from version 1.
     */
    private Loaded<S> load(StreamId streamId) {
        Optional<Base<S>> base = snapshotBase(streamId);
        if (base.isPresent()) {
            Snapshot snapshot = base.get().snapshot();
            long from = snapshot.recordsItsCommit() ? snapshot.commitFirstVersion() : snapshot.version() + 1;
            StreamSlice slice = store.read(streamId, ReadRequest.from(from));
            List<RecordedEvent> after = proven(snapshot, slice, true);
            if (after != null) {
                return loaded(base.get().state(), snapshot, slice, after);
            }
        }
        StreamSlice slice = store.read(streamId, ReadRequest.all());
        return loaded(aggregate.initialState(), null, slice, slice.events());
    }

    /** The events after the snapshot, when the read proves it; otherwise null (with a warning if asked). */
    private static List<RecordedEvent> proven(Snapshot snapshot, StreamSlice slice, boolean warn) {
        List<RecordedEvent> events = slice.events();
        if (snapshot.recordsItsCommit()) {
            long at = snapshot.version() - snapshot.commitFirstVersion();
            if (!events.isEmpty() && events.get(0).version() == snapshot.commitFirstVersion() && events.size() > at
                    && events.get((int) at).version() == snapshot.version()
                    && events.get((int) at).eventId().equals(snapshot.lastEventId())) {
                return events.subList((int) at + 1, events.size());
            }
        } else if (slice.reachedEnd() && slice.streamVersion() >= snapshot.version()) {
            return events;
        }
        if (warn) {
            LOG.warn("snapshot of {} at version {} is not backed by the events (beyond the stream's"
                    + " end, or taken after a commit that is no longer there); ignored, replaying from version 1",
                    snapshot.streamId(), snapshot.version());
        }
        return null;
    }

    private Loaded<S> loaded(S state, Snapshot snapshot, StreamSlice slice, List<RecordedEvent> after) {
        List<Snapshot.RecentMessage> recent = new ArrayList<>(snapshot == null ? List.of()
                : snapshot.messages().recent());
        for (RecordedEvent recorded : after) {
            state = take(state, recorded, recent);
        }
        return new Loaded<>(state, slice.streamVersion(), slice.expectedVersion(),
                snapshot == null ? 0 : snapshot.version(), after, recent,
                snapshot == null ? 0 : snapshot.messages().evictedVersion(),
                snapshot == null ? null : snapshot.messages().evictedAt());
    }

    /** Takes one event read from the stream: its message id among the recent ones, its domain event into the state. */
    private S take(S state, RecordedEvent recorded, List<Snapshot.RecentMessage> recent) {
        String messageId = recorded.metadata().messageId();
        if (messageId != null) {
            Snapshot.RecentMessage last = recent.isEmpty() ? null : recent.get(recent.size() - 1);
            if (last != null && last.messageId().equals(messageId)
                    && recorded.timestamp().equals(last.committedAt())) {
                recent.set(recent.size() - 1, new Snapshot.RecentMessage(messageId, recorded.version(),
                        recorded.timestamp()));
            } else {
                recent.add(new Snapshot.RecentMessage(messageId, recorded.version(), recorded.timestamp()));
            }
        }
        return PseudoEvents.isPseudo(recorded.type()) ? state : aggregate.apply(state, codec.decodeEvent(recorded));
    }

    /**
     * The state in hand with the competing commit a conflict carries folded in, exactly as a reload would have
     * read it (upcast, its message id remembered), when that commit is the one the state is missing: it starts
     * right after the state's version. Null otherwise (no commit came with the conflict, or another stream's).
     */
    private Loaded<S> folded(Call call, Loaded<S> loaded, ConcurrencyConflictException conflict) {
        List<RecordedEvent> commit = conflict.competingCommit();
        Optional<ExpectedVersion> after = conflict.afterCompetingCommit();
        if (commit.isEmpty() || after.isEmpty() || !call.streamId.equals(conflict.streamId())
                || commit.get(0).version() != loaded.version() + 1 || !commit.get(0).streamId().equals(call.streamId)
                || after.get().version() != commit.get(commit.size() - 1).version()) {
            return null;
        }
        S state = loaded.state();
        List<Snapshot.RecentMessage> recent = new ArrayList<>(loaded.recent());
        for (RecordedEvent recorded : commit) {
            state = take(state, recorded, recent);
        }
        List<RecordedEvent> events = new ArrayList<>(loaded.events().size() + commit.size());
        events.addAll(loaded.events());
        events.addAll(commit);
        return new Loaded<>(state, after.get().version(), after.get(), loaded.snapshotVersion(), events, recent,
                loaded.evictedVersion(), loaded.evictedAt());
    }

    private EventMetadata complete(EventMetadata metadata) {
        EventMetadata m = metadata == null ? EventMetadata.empty() : metadata;
        String messageId = m.messageId() != null ? m.messageId() : ids.get().toString();
        return new EventMetadata(
                m.correlationId() != null ? m.correlationId() : messageId,
                m.causationId() != null ? m.causationId() : messageId,
                messageId,
                m.principal() != null ? m.principal() : "system",
                m.messageSentAt(),
                m.traceHeader() != null ? m.traceHeader() : TraceHeaders.handled());
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
        private Metrics metrics = Metrics.none();
        private int deduplicationWindow = 100;
        private Duration deduplicationHorizon = Duration.ofDays(15);
        private Duration clockSkew = Duration.ofMinutes(5);
        private dev.nosqles.privacy.SubjectKeys keys;
        private int stateCache;

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
         * How many of the most recent message ids a snapshot carries (100 by default). A cost knob, not a limit of
         * deduplication: a redelivered message whose id is among them (or in the events after the snapshot) is
         * recognised for free; an older one costs one backward Query (see {@link #deduplicationHorizon}, ADR 0003).
         * An aggregate that takes more than this many messages within the clock skew allowance pays that Query
         * for every message with a message id: raise it then.
         */
        public Builder<S, C, E> deduplicationWindow(int messages) {
            this.deduplicationWindow = messages;
            return this;
        }

        /**
         * How long after it was first sent a redelivered message is still recognised, however many messages came
         * between: 15 days by default (SQS keeps a message at most 14 days; a day more for a DLQ redrive; a FIFO
         * queue's dead-letter queue restarts the retention, so a FIFO message can be older: see ADR 0003). A message
         * sent earlier that is not among the remembered ids is refused with {@link MessageTooOldException}.
         */
        public Builder<S, C, E> deduplicationHorizon(Duration horizon) {
            this.deduplicationHorizon = horizon;
            return this;
        }

        /**
         * How far the clock that stamps a message's {@code messageSentAt} and the clock that stamps commits may
         * disagree: 5 minutes by default. A commit holding a message is looked for among the commits written since
         * {@code messageSentAt} minus this.
         */
        public Builder<S, C, E> clockSkewAllowance(Duration skew) {
            this.clockSkew = skew;
            return this;
        }

        /**
         * The subject keys personal fields (and, for an aggregate that declares personal data, its snapshots) are
         * encrypted with (ADR 0008). Required to write or read personal data: without them such a write is refused
         * with {@link dev.nosqles.privacy.MissingSubjectKeysException}.
         */
        public Builder<S, C, E> subjectKeys(dev.nosqles.privacy.SubjectKeys keys) {
            this.keys = keys;
            return this;
        }

        /**
         * Where commands handled, rejected, conflicts, retries and duplicates dropped are counted; {@link
         * Metrics#none()} by default.
         */
        public Builder<S, C, E> metrics(Metrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Keeps the state of up to this many aggregates in memory after each command, so that the next command for
         * one of them is decided on the state in hand and costs only its conditional write, no read (ADR 0018).
         * Off (0) by default. A state another process has moved on since costs one failed write (a write unit)
         * and then the read the cache saved, and a rejection (or a command that changes nothing) decided on a
         * cached state is decided again on a fresh load, since no write checked it. So turn it on where one
         * process is the aggregate's usual writer: a consumer of a FIFO queue grouped by aggregate id, a
         * long-running service. Reads
         * ({@link AggregateRepository#find(String) find}, {@link AggregateRepository#get(String) get}) always read
         * the store. Not offered for an aggregate that declares personal data (its decrypted state is not kept in
         * memory between commands, ADR 0008).
         */
        public Builder<S, C, E> stateCache(int aggregates) {
            this.stateCache = aggregates;
            return this;
        }

        public AggregateRepository<S, C, E> build() {
            if (stateCache < 0) {
                throw new IllegalStateException("stateCache must be >= 0 (0: off)");
            }
            if (stateCache > 0 && aggregate.eventTypes().declaresPersonalData()) {
                throw new IllegalStateException("stateCache is not offered for an aggregate that declares personal"
                        + " data (ADR 0018)");
            }
            if (deduplicationHorizon == null || deduplicationHorizon.isNegative() || deduplicationHorizon.isZero()
                    || clockSkew == null || clockSkew.isNegative()) {
                throw new IllegalStateException("deduplicationHorizon must be positive, clockSkewAllowance >= 0");
            }
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
