package dev.nosqles.subscription;

import dev.nosqles.dynamodb.internal.CommitItems.Commit;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.dynamodb.internal.TransactWrites;
import dev.nosqles.logging.LogContext;
import dev.nosqles.metrics.Metric;
import dev.nosqles.metrics.Metrics;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Turns at-least-once, per-item-ordered stream records into exactly-once, in-order delivery per subscriber and
 * aggregate (ADR 0003):
 * <ul>
 *   <li>each subscriber's checkpoint holds the last version it handled of each aggregate;</li>
 *   <li>a commit at or below the checkpoint is a duplicate and skipped;</li>
 *   <li>a commit that starts beyond the next version first has the missing events read from the event store,
 *       so nothing is handled out of order or lost;</li>
 *   <li>the commits of a batch are grouped by aggregate (stream order kept within an aggregate); each subscriber
 *       gets each aggregate's pending events in one <em>scope</em> ({@link HandlerContext}), and its checkpoint for
 *       that aggregate moves <b>once per batch</b> with a conditional write, together with the scope's writes
 *       ({@link HandlerContext#writeWithCheckpoint}, {@link HandlerContext#attachment}) in one transaction of at
 *       most {@value #MAX_WRITES} writes plus the checkpoint (committed early, at an event boundary, before that
 *       limit or a second write of one item).</li>
 * </ul>
 * A subscriber built {@link Subscriber.Builder#withoutCheckpoints() without checkpoints} (a relay whose receivers
 * deduplicate, ADR 0011) is handed each aggregate's events of the batch as delivered, with no checkpoint read or
 * write and no gap filled: at least once, in stream order.
 * A subscriber with a {@link RawBatchHandler} ({@link Subscriber.Builder#onRawBatch}, ADR 0022) is handed the
 * batch's events after every aggregate's own turn, in rounds of at most one event per aggregate (its next one), a
 * round per call; each aggregate's checkpoint then moves once, to its last event that took effect.
 * <p>A handler failure ends its scope: the events handled before it are committed first, then the failure is
 * reported; the other aggregates and subscribers of the batch are still served. {@link Result#failedIndex()}
 * names the smallest record index not fully handled by every subscriber: Lambda retries from there, and what was
 * handled after it is skipped as a duplicate by its checkpoint.
 */
public final class EventDispatcher {
    /** Writes a scope may commit with one checkpoint move (a transaction holds 100 items, one is the checkpoint). */
    public static final int MAX_WRITES = 99;
    /** The most aggregates of one batch dispatched at once ({@link #withConcurrency}). */
    public static final int MAX_CONCURRENCY = 64;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventDispatcher.class);

    private final Function<Set<String>, List<Subscriber>> subscribers;
    private final List<Subscriber> fixed;
    private final CheckpointStore checkpoints;
    private final EventStore store;
    private final Metrics metrics;
    /** Aggregates of one batch dispatched at once (1: one after another, in the calling thread). */
    private final int concurrency;

    public EventDispatcher(List<Subscriber> subscribers, CheckpointStore checkpoints, EventStore store) {
        this.fixed = unique(List.copyOf(subscribers));
        this.subscribers = types -> fixed;
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Metrics.none();
        this.concurrency = 1;
    }

    /**
     * Subscribers chosen per batch (read models whose versions come and go): {@code subscribers} is called once
     * per dispatch of a batch that holds a commit, after the batch's records were received, with the aggregate
     * types of the batch's commits (a chooser may then skip reading what no subscriber of those types needs). When
     * it throws, the batch fails at its first commit (and is retried).
     */
    public EventDispatcher(Function<Set<String>, List<Subscriber>> subscribers, CheckpointStore checkpoints,
                           EventStore store) {
        this.fixed = null;
        this.subscribers = Objects.requireNonNull(subscribers, "subscribers");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Metrics.none();
        this.concurrency = 1;
    }

    private EventDispatcher(EventDispatcher other, Metrics metrics, int concurrency) {
        this.fixed = other.fixed;
        this.subscribers = other.subscribers;
        this.checkpoints = other.checkpoints;
        this.store = other.store;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.concurrency = concurrency;
    }

    /**
     * This dispatcher, counting the events it dispatched and the duplicates it skipped (per dispatch, {@link
     * Metric#EVENTS_DISPATCHED} and {@link Metric#DUPLICATES_DROPPED}) in {@code metrics}.
     */
    public EventDispatcher withMetrics(Metrics metrics) {
        return new EventDispatcher(this, metrics, concurrency);
    }

    /**
     * This dispatcher, handling up to {@code aggregates} aggregates of a batch at once, each on its own thread
     * (ADR 0019). Each aggregate's events still reach each subscriber in version order, and its subscribers one
     * after another in their order; only different aggregates overlap, as they do when they sit on different
     * shards. A stream batch's time is then its slowest aggregate's rather than the sum of all of them: what a
     * single shard's one invocation at a time can get through grows with it. The subscribers' handlers (and what
     * they share: repositories, senders, metrics) must then be safe to call from several threads. 1 (the default):
     * one aggregate after another, in the calling thread.
     *
     * @throws IllegalArgumentException when {@code aggregates} is not 1..{@value #MAX_CONCURRENCY}
     */
    public EventDispatcher withConcurrency(int aggregates) {
        if (aggregates < 1 || aggregates > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be 1.." + MAX_CONCURRENCY + ", was " + aggregates);
        }
        return new EventDispatcher(this, metrics, aggregates);
    }

    /** The aggregates of a batch this dispatcher handles at once (1: one after another). */
    public int concurrency() {
        return concurrency;
    }

    private static List<Subscriber> unique(List<Subscriber> subscribers) {
        long names = subscribers.stream().map(Subscriber::name).distinct().count();
        if (names != subscribers.size()) {
            throw new IllegalArgumentException("subscriber names must be unique");
        }
        return subscribers;
    }

    /**
     * What a dispatch did.
     *
     * @param handled events handed to handlers (and committed with their checkpoint)
     * @param duplicates events skipped because a checkpoint was already past them
     * @param filledFromStore events read from the event store to close a gap
     * @param failedIndex index of the first record not fully handled, or -1
     * @param failure its cause, or null
     */
    public record Result(int handled, int duplicates, int filledFromStore, int failedIndex, Exception failure) {
        public boolean succeeded() {
            return failedIndex < 0;
        }
    }

    /** A commit item and its index in the batch. */
    private record Indexed(int index, Commit commit) {
    }

    /**
     * Dispatches the NEW_IMAGEs of inserted commit items delivered in this order. Items that are not commits are
     * ignored.
     */
    public Result dispatch(List<Map<String, AttributeValue>> newImages) {
        Counters counters = new Counters();
        Failure first = new Failure();
        Map<StreamId, List<Indexed>> byStream = new LinkedHashMap<>();
        for (int i = 0; i < newImages.size(); i++) {
            Map<String, AttributeValue> image = newImages.get(i);
            if (image == null || !image.containsKey(CommitItems.EVENTS)) {
                continue;
            }
            try {
                Commit commit = CommitItems.fromItem(image);
                byStream.computeIfAbsent(commit.streamId(), k -> new ArrayList<>()).add(new Indexed(i, commit));
            } catch (Exception e) {
                LOG.error("record {} of {} is not a readable commit: {}", i, newImages.size(),
                        dev.nosqles.logging.LoggableFailures.describe(e), dev.nosqles.logging.LoggableFailures.loggable(e));
                first.offer(i, e); // the records from here on are retried; those before it are served now
                break;
            }
        }
        if (byStream.isEmpty()) {
            return first.result(counters);
        }
        List<Subscriber> batchSubscribers;
        try {
            batchSubscribers = fixed != null ? fixed
                    : unique(List.copyOf(subscribers.apply(typesOf(byStream.keySet()))));
        } catch (Exception e) {
            int firstCommit = byStream.values().stream().mapToInt(l -> l.get(0).index()).min().orElseThrow();
            first.offer(firstCommit, e);
            return first.result(counters);
        }
        Map<String, Map<StreamId, Long>> positions = new HashMap<>();
        for (Subscriber subscriber : batchSubscribers) {
            List<StreamId> wanted = byStream.keySet().stream().filter(id -> subscriber.wants(id.type())).toList();
            if (wanted.isEmpty() || !subscriber.keepsCheckpoints()) {
                continue;
            }
            try {
                positions.put(subscriber.name(), checkpoints.positions(subscriber.name(), wanted));
            } catch (Exception e) {
                for (StreamId id : wanted) {
                    first.offer(byStream.get(id).get(0).index(), e);
                }
            }
        }
        if (concurrency > 1 && byStream.size() > 1) {
            inParallel(byStream, batchSubscribers, positions, counters, first);
        } else {
            for (Map.Entry<StreamId, List<Indexed>> stream : byStream.entrySet()) {
                dispatchAggregate(stream.getKey(), stream.getValue(), batchSubscribers, positions, counters, first);
            }
        }
        for (Subscriber subscriber : batchSubscribers) {
            if (subscriber.batchHandler() != null) {
                new Rounds(subscriber, byStream, positions, counters, first).run();
            }
        }
        if (first.index >= 0) {
            LOG.warn("record {} of {} failed: {}", first.index, newImages.size(),
                    first.cause.getClass().getName());
        }
        metrics.add(Metric.EVENTS_DISPATCHED, counters.handled);
        metrics.add(Metric.DUPLICATES_DROPPED, counters.duplicates);
        return first.result(counters);
    }

    /**
     * The aggregates of a batch on up to {@link #concurrency} threads at once: each aggregate's records, with every
     * subscriber in order, on one thread. Each worker counts on its own; the smallest failed record wins as before.
     * The workers see the invoking thread's log context (SLF4J MDC: the request id, the trace header).
     */
    private void inParallel(Map<StreamId, List<Indexed>> byStream, List<Subscriber> batchSubscribers,
                            Map<String, Map<StreamId, Long>> positions, Counters counters, Failure first) {
        List<Future<Counters>> done = new ArrayList<>();
        try (ExecutorService workers = Executors.newFixedThreadPool(Math.min(concurrency, byStream.size()),
                Thread.ofPlatform().name("dispatch-worker").daemon().factory())) {
            for (Map.Entry<StreamId, List<Indexed>> stream : byStream.entrySet()) {
                done.add(workers.submit(LogContext.carried(() -> {
                    Counters own = new Counters();
                    try {
                        dispatchAggregate(stream.getKey(), stream.getValue(), batchSubscribers, positions, own, first);
                    } catch (RuntimeException e) {
                        // dispatchAggregate reports its failures; anything else fails the aggregate's first record
                        first.offer(stream.getValue().get(0).index(), e);
                    }
                    return own; // an Error ends the invocation, as it does without workers: thrown below
                })));
            }
        } // close() waits for every worker, whatever an earlier one did
        Throwable broken = null;
        for (Future<Counters> result : done) {
            switch (result.state()) {
                case SUCCESS -> {
                    Counters own = result.resultNow();
                    counters.handled += own.handled;
                    counters.duplicates += own.duplicates;
                    counters.filled += own.filled;
                }
                case FAILED -> broken = broken != null ? broken : result.exceptionNow();
                case RUNNING, CANCELLED -> broken = broken != null ? broken
                        : new IllegalStateException("interrupted before a dispatch worker ran");
            }
        }
        if (broken instanceof Error error) {
            throw error;
        }
        if (broken != null) {
            throw new IllegalStateException("dispatch worker failed", broken);
        }
    }

    /** One aggregate's records of the batch, to every subscriber that wants them, in order. */
    private void dispatchAggregate(StreamId streamId, List<Indexed> records, List<Subscriber> batchSubscribers,
                                   Map<String, Map<StreamId, Long>> positions, Counters counters, Failure first) {
        for (Subscriber subscriber : batchSubscribers) {
            if (subscriber.batchHandler() != null) {
                continue; // handed over in rounds, after every aggregate's turn (Rounds)
            }
            if (!subscriber.keepsCheckpoints()) {
                if (subscriber.wants(streamId.type())) {
                    relay(subscriber, streamId, records, counters, first);
                }
                continue;
            }
            Map<StreamId, Long> known = positions.get(subscriber.name());
            if (!subscriber.wants(streamId.type()) || known == null) {
                continue;
            }
            int duplicates = counters.duplicates;
            int filled = counters.filled;
            Scope scope = new Scope(subscriber, streamId, known.getOrDefault(streamId, 0L), counters);
            Exception failure = scope.run(records);
            if (failure != null && TransactWrites.isRace(failure)) {
                // another feeder of this subscriber (a rebuild, another shard's batch) moved the checkpoint or
                // changed a row this scope read: read the position again and run the scope once more here,
                // rather than failing the record (Lambda would redeliver it to every subscriber of the batch)
                try {
                    long position = checkpoints.positions(subscriber.name(), List.of(streamId))
                            .getOrDefault(streamId, 0L);
                    counters.duplicates = duplicates;
                    counters.filled = filled;
                    scope = new Scope(subscriber, streamId, position, counters);
                    failure = scope.run(records);
                } catch (Exception reread) {
                    failure.addSuppressed(reread);
                }
            }
            if (failure != null) {
                reportFailure(subscriber, streamId, records, scope.persisted, failure, first);
            }
        }
    }

    /** Logs a subscriber's failure on an aggregate and offers the first record it did not get past. */
    private static void reportFailure(Subscriber subscriber, StreamId streamId, List<Indexed> records, long persisted,
                                      Exception failure, Failure first) {
        for (Indexed record : records) {
            if (record.commit().lastVersion() > persisted) {
                try (LogContext log = LogContext.of(record.commit().metadata())
                        .stream(streamId, record.commit().firstVersion())) {
                    LOG.error("subscriber {} failed on {} at version {}: {}", subscriber.name(),
                            streamId.value(), record.commit().firstVersion(),
                            dev.nosqles.logging.LoggableFailures.describe(failure),
                            dev.nosqles.logging.LoggableFailures.loggable(failure));
                }
                first.offer(record.index(), failure);
                return;
            }
        }
    }

    /**
     * The events after a checkpoint at {@code position}, in version order: the batch's records', with gaps filled
     * from the store; counts the duplicates skipped and the events filled.
     */
    private List<RecordedEvent> pending(StreamId streamId, List<Indexed> records, long position, Counters counters) {
        List<RecordedEvent> pending = new ArrayList<>();
        long reached = position;
        for (Indexed record : records) {
            Commit commit = record.commit();
            if (commit.lastVersion() <= reached) {
                counters.duplicates += commit.events().size();
                continue;
            }
            if (commit.firstVersion() > reached + 1) {
                List<RecordedEvent> missing = store.read(streamId,
                        new ReadRequest(reached + 1, commit.firstVersion() - 1, null)).events();
                counters.filled += missing.size();
                pending.addAll(missing);
            }
            for (RecordedEvent e : commit.events()) {
                if (e.version() > reached) {
                    pending.add(e);
                    reached = e.version();
                } else {
                    counters.duplicates++;
                }
            }
        }
        return pending;
    }

    private static Set<String> typesOf(Set<StreamId> streams) {
        Set<String> types = new HashSet<>();
        streams.forEach(id -> types.add(id.type()));
        return Set.copyOf(types);
    }

    /**
     * Hands a relay without checkpoints (ADR 0011) the aggregate's events of this batch, as delivered: no
     * checkpoint read or written, no gap filled. A failure ends the relay's turn on this aggregate and is reported
     * at its record; Lambda retries from the batch's smallest failed record, and the relay gets what follows again
     * (its receivers deduplicate).
     */
    private void relay(Subscriber subscriber, StreamId streamId, List<Indexed> records, Counters counters,
                       Failure first) {
        HandlerContext context = new RelayContext(subscriber.name());
        for (Indexed record : records) {
            for (RecordedEvent event : record.commit().events()) {
                try (LogContext log = LogContext.of(event.metadata()).stream(event.streamId(), event.version())) {
                    if (subscriber.deliver(event, context)) {
                        counters.handled++;
                    }
                } catch (Exception e) {
                    try (LogContext log = LogContext.of(record.commit().metadata())
                            .stream(streamId, record.commit().firstVersion())) {
                        LOG.error("subscriber {} failed on {} at version {}: {}", subscriber.name(),
                                streamId.value(), event.version(),
                                dev.nosqles.logging.LoggableFailures.describe(e),
                                dev.nosqles.logging.LoggableFailures.loggable(e));
                    }
                    first.offer(record.index(), e);
                    return;
                }
            }
        }
    }

    /**
     * A batched subscriber's turn ({@link Subscriber.Builder#onRawBatch}, ADR 0022), after every aggregate's own:
     * its events of the batch in rounds of at most one event per aggregate, a round per call of its handler; then
     * each aggregate's checkpoint moved once, to its last event that took effect. An aggregate whose event failed
     * gets no more events in this batch, and its failure is reported at its first record not handled, as a scope's
     * is: Lambda retries from there, and the checkpoint skips what took effect.
     */
    private final class Rounds {
        private final Subscriber subscriber;
        private final Counters counters;
        private final Failure first;
        private final List<Lane> lanes = new ArrayList<>();

        Rounds(Subscriber subscriber, Map<StreamId, List<Indexed>> byStream,
               Map<String, Map<StreamId, Long>> positions, Counters counters, Failure first) {
            this.subscriber = subscriber;
            this.counters = counters;
            this.first = first;
            Map<StreamId, Long> known = subscriber.keepsCheckpoints() ? positions.get(subscriber.name()) : Map.of();
            if (known == null) {
                return; // its checkpoints could not be read: reported at each aggregate's first record
            }
            for (Map.Entry<StreamId, List<Indexed>> stream : byStream.entrySet()) {
                if (subscriber.wants(stream.getKey().type())) {
                    lanes.add(new Lane(stream.getKey(), stream.getValue(),
                            known.getOrDefault(stream.getKey(), 0L), subscriber.keepsCheckpoints()));
                }
            }
        }

        void run() {
            RawBatchHandler handler = subscriber.batchHandler();
            for (Lane lane : lanes) {
                try {
                    lane.pending = subscriber.keepsCheckpoints()
                            ? pending(lane.streamId, lane.records, lane.persisted, counters) : delivered(lane.records);
                } catch (Exception e) {
                    lane.failure = e;
                }
            }
            while (true) {
                List<Lane> round = new ArrayList<>();
                List<RecordedEvent> events = new ArrayList<>();
                for (Lane lane : lanes) {
                    RecordedEvent next = lane.next(handler);
                    if (next != null) {
                        round.add(lane);
                        events.add(next);
                    }
                }
                if (round.isEmpty()) {
                    break;
                }
                Map<Integer, Exception> failed;
                try {
                    failed = trusted(handler.handle(List.copyOf(events)), events.size());
                } catch (Exception e) {
                    failed = new HashMap<>();
                    for (int i = 0; i < events.size(); i++) {
                        failed.put(i, e);
                    }
                }
                for (int i = 0; i < round.size(); i++) {
                    Exception failure = failed.get(i);
                    if (failure == null) {
                        round.get(i).took(events.get(i));
                    } else {
                        round.get(i).failed(events.get(i), failure);
                    }
                }
            }
            if (subscriber.keepsCheckpoints()) {
                atOnce(lanes.stream().filter(lane -> lane.done > lane.persisted).toList(), this::commit);
            }
            for (Lane lane : lanes) {
                if (!subscriber.keepsCheckpoints() || lane.persisted == lane.done) {
                    counters.handled += lane.handled;
                }
                if (lane.failure != null) {
                    reportFailure(subscriber, lane.streamId, lane.records,
                            subscriber.keepsCheckpoints() ? lane.persisted : lane.relayedBefore(), lane.failure,
                            first);
                }
            }
        }

        /**
         * The handler's failures, if they can be trusted: a result that is null or names an index outside the round
         * throws (failing every event of the round: handed over again, never passed by); an index named without a
         * cause fails its event.
         */
        private Map<Integer, Exception> trusted(Map<Integer, Exception> failed, int size) {
            if (failed == null) {
                throw new IllegalStateException(subscriber.name() + ": the batch handler returned null instead of"
                        + " the events that failed");
            }
            Map<Integer, Exception> checked = new HashMap<>();
            for (Map.Entry<Integer, Exception> f : failed.entrySet()) {
                Integer index = f.getKey();
                if (index == null || index < 0 || index >= size) {
                    throw new IllegalStateException(subscriber.name() + ": the batch handler named a failed event at"
                            + " index " + index + " of a round of " + size);
                }
                checked.put(index, f.getValue() != null ? f.getValue() : new IllegalStateException(subscriber.name()
                        + ": the batch handler named the event at index " + index + " failed, without a cause"));
            }
            return checked;
        }

        /** Moves the aggregate's checkpoint to its last event that took effect. */
        private void commit(Lane lane) {
            try (LogContext log = LogContext.of(lane.records.get(0).commit().metadata())
                    .stream(lane.streamId, lane.done)) {
                checkpoints.advance(subscriber.name(), lane.streamId, lane.persisted, lane.done, List.of());
                lane.persisted = lane.done;
            } catch (Exception e) {
                if (lane.failure == null) {
                    lane.failure = e;
                } else {
                    lane.failure.addSuppressed(e);
                }
            }
        }

        /** Each lane on a worker of its own when this dispatcher handles aggregates at once, else one by one. */
        private void atOnce(List<Lane> some, java.util.function.Consumer<Lane> task) {
            if (concurrency == 1 || some.size() < 2) {
                some.forEach(task);
                return;
            }
            List<Future<Object>> done = new ArrayList<>();
            try (ExecutorService workers = Executors.newFixedThreadPool(Math.min(concurrency, some.size()),
                    Thread.ofPlatform().name("dispatch-worker").daemon().factory())) {
                for (Lane lane : some) {
                    done.add(workers.submit(LogContext.carried(() -> {
                        task.accept(lane);
                        return null;
                    })));
                }
            } // close() waits for every worker
            for (int i = 0; i < done.size(); i++) {
                Future<Object> result = done.get(i);
                if (result.state() == Future.State.FAILED && result.exceptionNow() instanceof Error error) {
                    throw error;
                }
                if (result.state() != Future.State.SUCCESS) { // never ran (interrupted): its checkpoint did not move
                    Lane lane = some.get(i);
                    lane.failure = lane.failure != null ? lane.failure
                            : new IllegalStateException(lane.streamId + ": interrupted before its checkpoint moved");
                }
            }
        }
    }

    /** Every event of the records, as delivered: what a relay is handed. */
    private static List<RecordedEvent> delivered(List<Indexed> records) {
        List<RecordedEvent> events = new ArrayList<>();
        for (Indexed record : records) {
            events.addAll(record.commit().events());
        }
        return events;
    }

    /** One aggregate of a batched subscriber's turn: its pending events and how far they took effect. */
    private static final class Lane {
        final StreamId streamId;
        final List<Indexed> records;
        /** The checkpoint (0 for a relay). */
        long persisted;
        /** The last version that took effect, or that the handler does not take. */
        long done;
        int handled;
        List<RecordedEvent> pending = List.of();
        int cursor;
        Exception failure;
        /** The version of the event that failed; 0 when none did, or the failure is not one event's. */
        long failedVersion;
        /** Whether each event must follow the one before it (a checkpoint's events: after it, without a gap). */
        private final boolean consecutive;

        Lane(StreamId streamId, List<Indexed> records, long position, boolean consecutive) {
            this.streamId = streamId;
            this.records = records;
            this.persisted = position;
            this.done = position;
            this.consecutive = consecutive;
        }

        /** The next event for the handler, passing by those it does not take; null at the end or after a failure. */
        RecordedEvent next(RawBatchHandler handler) {
            while (failure == null && cursor < pending.size()) {
                RecordedEvent event = pending.get(cursor);
                if (consecutive && event.version() != done + 1) { // as a scope refuses it: never past a gap
                    failure = new IllegalStateException(streamId + ": expected version " + (done + 1)
                            + " but read " + event.version());
                    return null;
                }
                try {
                    if (handler.takes(event)) {
                        cursor++;
                        return event;
                    }
                } catch (RuntimeException e) {
                    failed(event, e);
                    return null;
                }
                cursor++;
                done = event.version();
            }
            return null;
        }

        void took(RecordedEvent event) {
            done = event.version();
            handled++;
        }

        void failed(RecordedEvent event, Exception cause) {
            failure = cause;
            failedVersion = event.version();
        }

        /**
         * For a relay: the version its failure is reported after, so that the retry starts at a record no later
         * than the failed event's, even if the batch did not hold the aggregate's commits in version order (then
         * {@code done} may already be past the failed event).
         */
        long relayedBefore() {
            return failedVersion > 0 ? failedVersion - 1 : done;
        }
    }

    /** What a relay's handlers get: no checkpoint to commit writes with. */
    private record RelayContext(String subscriber) implements HandlerContext {
        @Override
        public void writeWithCheckpoint(TransactWriteItem write) {
            throw new IllegalStateException(subscriber + " keeps no checkpoints: nothing to write with");
        }

        @Override
        public <T extends ScopeWrites> T attachment(Object key, Supplier<T> create) {
            throw new IllegalStateException(subscriber + " keeps no checkpoints: no scope to attach to");
        }
    }

    /**
     * For SnapStart / CRaC priming before a checkpoint: the reads a dispatch makes (a checkpoint read per
     * subscriber, an event store Query) on a stream that never exists, so that the clients and code paths are
     * loaded and warm in the snapshot. Writes nothing: subscribers chosen per batch are not asked for (choosing them
     * may write), only the event store is read then.
     */
    public void prime() {
        StreamId nowhere = StreamId.of("Priming", "snapstart");
        if (fixed != null) {
            for (Subscriber subscriber : fixed) {
                if (!subscriber.keepsCheckpoints()) {
                    continue;
                }
                checkpoints.position(subscriber.name(), nowhere);
            }
        }
        store.read(nowhere, ReadRequest.from(1));
    }

    private static final class Counters {
        int handled;
        int duplicates;
        int filled;
    }

    /** The smallest failed record index and its cause. */
    private static final class Failure {
        int index = -1;
        Exception cause;

        synchronized void offer(int recordIndex, Exception e) {
            if (index < 0 || recordIndex < index) {
                index = recordIndex;
                cause = e;
            }
        }

        synchronized Result result(Counters c) {
            return new Result(c.handled, c.duplicates, c.filled, index, cause);
        }
    }

    /** The writes one handled event added with {@link HandlerContext#writeWithCheckpoint}. */
    private record EventWrites(long version, List<TransactWriteItem> writes) {
    }

    /** One subscriber, one aggregate, one batch: one checkpoint move with all the writes, unless they do not fit. */
    private final class Scope implements HandlerContext {
        private final Subscriber subscriber;
        private final StreamId streamId;
        private final Counters counters;
        private long persisted;
        private long done;
        private int handledSinceFlush;
        private final List<EventWrites> doneWrites = new ArrayList<>();
        private final Set<String> doneTargets = new HashSet<>();
        private List<TransactWriteItem> current = new ArrayList<>();
        private final Map<Object, ScopeWrites> attachments = new LinkedHashMap<>();
        private boolean inEvent;
        private boolean flushFailed;

        Scope(Subscriber subscriber, StreamId streamId, long position, Counters counters) {
            this.subscriber = subscriber;
            this.streamId = streamId;
            this.persisted = position;
            this.done = position;
            this.counters = counters;
        }

        /** Handles the aggregate's pending events; returns the failure that ended the scope, or null. */
        Exception run(List<Indexed> records) {
            List<RecordedEvent> pending;
            try {
                pending = pending(records);
            } catch (Exception e) {
                return e;
            }
            try {
                for (RecordedEvent event : pending) {
                    if (event.version() != done + 1) {
                        throw new IllegalStateException(streamId + ": expected version " + (done + 1) + " but read "
                                + event.version());
                    }
                    boolean delivered = handOver(event);
                    if (writeCount() > MAX_WRITES) {
                        rollbackEvent();
                        if (done == persisted) {
                            throw new IllegalStateException("more than " + MAX_WRITES + " writes for one event");
                        }
                        flush();
                        delivered = handOver(event);
                        if (writeCount() > MAX_WRITES) {
                            rollbackEvent();
                            throw new IllegalStateException("more than " + MAX_WRITES + " writes for one event");
                        }
                    }
                    eventDone(event.version(), delivered);
                }
                flush();
                return null;
            } catch (Exception e) {
                if (inEvent) {
                    rollbackEvent();
                }
                if (!flushFailed) { // a failed commit is not tried again here: the batch is retried
                    try {
                        flush(); // what was handled before the failure
                    } catch (Exception flushFailure) {
                        e.addSuppressed(flushFailure);
                    }
                }
                return e;
            }
        }

        /** The events after the checkpoint, in version order: the batch's, with gaps filled from the store. */
        private List<RecordedEvent> pending(List<Indexed> records) {
            return EventDispatcher.this.pending(streamId, records, persisted, counters);
        }

        private boolean handOver(RecordedEvent event) throws Exception {
            for (ScopeWrites attachment : attachments.values()) {
                attachment.savepoint();
            }
            current = new ArrayList<>();
            inEvent = true;
            try (LogContext log = LogContext.of(event.metadata()).stream(event.streamId(), event.version())) {
                return subscriber.deliver(event, this);
            }
        }

        private void rollbackEvent() {
            for (ScopeWrites attachment : attachments.values()) {
                attachment.rollback();
            }
            current = new ArrayList<>();
            inEvent = false;
        }

        private void eventDone(long version, boolean delivered) {
            if (!current.isEmpty()) {
                doneWrites.add(new EventWrites(version, current));
                for (TransactWriteItem write : current) {
                    String target = TransactWrites.keyedTarget(write);
                    if (target != null) {
                        doneTargets.add(target);
                    }
                }
            }
            current = new ArrayList<>();
            inEvent = false;
            done = version;
            if (delivered) {
                handledSinceFlush++;
            }
        }

        private int writeCount() {
            int n = current.size();
            for (EventWrites w : doneWrites) {
                n += w.writes().size();
            }
            for (ScopeWrites attachment : attachments.values()) {
                n += attachment.size();
            }
            return n;
        }

        /** Commits the events done so far: the checkpoint at the last of them, with their writes. */
        private void flush() {
            if (done == persisted) {
                return;
            }
            List<TransactWriteItem> writes = new ArrayList<>();
            for (EventWrites w : doneWrites) {
                writes.addAll(w.writes());
            }
            for (EventWrites w : doneWrites) {
                for (TransactWriteItem write : w.writes()) {
                    refuseItemOfAttachment(write); // an attachment may have buffered the item after the write
                }
            }
            for (ScopeWrites attachment : attachments.values()) {
                writes.addAll(attachment.writes());
            }
            flushFailed = true;
            try {
                checkpoints.advance(subscriber.name(), streamId, persisted, done, writes);
            } catch (DynamoDbException e) {
                if (!isOneItemTwice(e) || doneWrites.size() < 2) {
                    throw e;
                }
                flushEventByEvent(); // two events wrote one item in a way we could not see (two Puts)
            }
            flushFailed = false;
            persisted = done;
            committed();
        }

        /** One checkpoint move per event that has writes; the attachments' writes go with the last one. */
        private void flushEventByEvent() {
            long from = persisted;
            for (int i = 0; i < doneWrites.size(); i++) {
                EventWrites w = doneWrites.get(i);
                boolean last = i == doneWrites.size() - 1;
                long to = last ? done : w.version();
                List<TransactWriteItem> writes = new ArrayList<>(w.writes());
                if (last) {
                    for (ScopeWrites attachment : attachments.values()) {
                        writes.addAll(attachment.writes());
                    }
                }
                checkpoints.advance(subscriber.name(), streamId, from, to, writes);
                from = to;
                persisted = to;
            }
        }

        private void committed() {
            doneWrites.clear();
            doneTargets.clear();
            for (ScopeWrites attachment : attachments.values()) {
                attachment.flushed();
            }
            counters.handled += handledSinceFlush;
            handledSinceFlush = 0;
        }

        @Override
        public String subscriber() {
            return subscriber.name();
        }

        @Override
        public void writeWithCheckpoint(TransactWriteItem write) {
            Objects.requireNonNull(write, "write");
            if (current.size() >= MAX_WRITES) {
                throw new IllegalStateException("at most " + MAX_WRITES + " writes per event");
            }
            refuseItemOfAttachment(write);
            String target = TransactWrites.keyedTarget(write);
            boolean collides = target != null && doneTargets.contains(target);
            if (attachments.isEmpty() && done > persisted && (collides || writeCount() + 1 > MAX_WRITES)) {
                flush(); // the events before this one, so that this write fits
            }
            current.add(write);
        }

        /**
         * One transaction cannot write one item twice, and an attachment's writes always go with the scope's last
         * checkpoint move: a write with the checkpoint to an item an attachment also writes would fail every
         * delivery of the batch (a poison record). Refused here, with the handler's event, instead.
         */
        private void refuseItemOfAttachment(TransactWriteItem write) {
            for (ScopeWrites attachment : attachments.values()) {
                for (TransactWriteItem buffered : attachment.writes()) {
                    if (sameItem(write, buffered)) {
                        throw new IllegalStateException(subscriber.name() + ": a write with the checkpoint targets an"
                                + " item of table " + tableOf(write) + " that a scope attachment also writes; one"
                                + " transaction cannot write an item twice: write it through one of them");
                    }
                }
            }
        }

        @Override
        public <T extends ScopeWrites> T attachment(Object key, Supplier<T> create) {
            Objects.requireNonNull(key, "key");
            @SuppressWarnings("unchecked")
            T existing = (T) attachments.get(key);
            if (existing != null) {
                return existing;
            }
            T created = Objects.requireNonNull(create.get(), "attachment");
            attachments.put(key, created);
            return created;
        }
    }

    /**
     * Whether two writes target the same item, as far as the writes tell: a write naming its key (Update, Delete,
     * ConditionCheck) and another write whose key or item holds that key. Two Puts carry no key schema: not told.
     */
    static boolean sameItem(TransactWriteItem a, TransactWriteItem b) {
        if (!Objects.equals(tableOf(a), tableOf(b))) {
            return false;
        }
        Map<String, AttributeValue> keyA = keyOf(a);
        Map<String, AttributeValue> keyB = keyOf(b);
        if (keyA != null) {
            return itemOf(b).entrySet().containsAll(keyA.entrySet());
        }
        if (keyB != null) {
            return itemOf(a).entrySet().containsAll(keyB.entrySet());
        }
        return false;
    }

    private static String tableOf(TransactWriteItem w) {
        if (w.put() != null) {
            return w.put().tableName();
        }
        if (w.update() != null) {
            return w.update().tableName();
        }
        if (w.delete() != null) {
            return w.delete().tableName();
        }
        return w.conditionCheck() != null ? w.conditionCheck().tableName() : null;
    }

    private static Map<String, AttributeValue> keyOf(TransactWriteItem w) {
        if (w.update() != null) {
            return w.update().key();
        }
        if (w.delete() != null) {
            return w.delete().key();
        }
        return w.conditionCheck() != null ? w.conditionCheck().key() : null;
    }

    private static Map<String, AttributeValue> itemOf(TransactWriteItem w) {
        Map<String, AttributeValue> key = keyOf(w);
        return key != null ? key : w.put() != null ? w.put().item() : Map.of();
    }

    private static boolean isOneItemTwice(DynamoDbException e) {
        return e.awsErrorDetails() != null && "ValidationException".equals(e.awsErrorDetails().errorCode())
                && e.getMessage() != null && e.getMessage().contains("multiple operations on one item");
    }
}
