package dev.nosqles.projection.internal;

import dev.nosqles.dynamodb.internal.CheckpointItems;
import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.dynamodb.internal.TransactWrites;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ReadModelStateException;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.store.EventStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.subscription.Subscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * One run of a full-history rebuild of one version of a read model (ADR 0007): parallel Scan segments over the
 * events table (strongly consistent, filtered to the aggregate types the projection wants), each page handed to
 * an {@link EventDispatcher} whose only subscriber feeds that version, with the same checkpoints as the live
 * stream's feed of it. Whoever of the two comes second to an event sees a duplicate; a gap is read from the event
 * store; so the hand-over is exact whatever the interleaving. The page's checkpoint moves (each with its rows) are
 * recorded during the dispatch and written together, in as few transactions as fit ({@link DeferredCheckpoints}),
 * each move keeping its checkpoint condition; a cancelled one sends the page through the real store again.
 *
 * <p>After each page, in this order: the segment's count of events handed is set in the registry, on condition
 * that the version is still BUILDING (a rebuild stops when its version is dropped); then the segment's progress
 * item moves, conditional on the page count it was read with (two runs of one segment: the second fails). A run
 * that dies resumes from the last saved {@code LastEvaluatedKey}; the items of a page it had half done are
 * duplicates by their checkpoints (and the events it handled of that page are not counted). Both writes may be
 * retried by the SDK after they landed: the count is an absolute value, the progress move recognises its own
 * page count.
 *
 * <p>Progress items: {@code subscriber} = {@code read-model-rebuild.{name}.{version}}, {@code streamId} =
 * {@code segment-{i}}; {@code lastKey} (M), {@code scanned} (N), {@code events} (N), {@code done} (BOOL),
 * {@code pages} (N, the optimistic lock) and {@code run} (S, the id of the run that moved it last, which tells
 * a write the SDK retried after it landed from another run's move).
 */
public final class Rebuild {
    private static final String LAST_KEY = "lastKey";
    private static final String SCANNED = "scanned";
    private static final String EVENTS = "events";
    private static final String DONE = "done";
    private static final String PAGES = "pages";
    private static final String RUN = "run";
    private static final int CONFLICT_RETRIES = 50;

    private final DynamoDbClient client;
    private final String eventsTable;
    private final String checkpointsTable;
    private final ReadModelRegistry registry;
    private final ReadModelTable table;
    private final EventStore store;
    private final Projection<?> projection;
    private final int version;
    private final int segments;
    private final int pageSize;
    private final Consumer<RebuildProgress> progress;

    private final String run = java.util.UUID.randomUUID().toString();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private final AtomicLongArray segmentEvents;
    private long resumedScanned;
    private long estimated;
    private long scannedThisRun;
    private long eventsThisRun;
    private long startedNanos;

    public Rebuild(DynamoDbClient client, String eventsTable, String checkpointsTable, ReadModelRegistry registry,
                   ReadModelTable table, EventStore store, Projection<?> projection, int version, int segments,
                   int pageSize, Consumer<RebuildProgress> progress) {
        this.client = client;
        this.eventsTable = eventsTable;
        this.checkpointsTable = checkpointsTable;
        this.registry = registry;
        this.table = table;
        this.store = store;
        this.projection = projection;
        this.version = version;
        this.segments = segments;
        this.pageSize = pageSize;
        this.progress = progress;
        this.segmentEvents = new AtomicLongArray(segments);
    }

    private record SegmentState(int index, Map<String, AttributeValue> lastKey, long scanned, long events,
                                long pages, boolean done) {
    }

    /**
     * Runs every segment not yet done to its end, then marks the version READY.
     *
     * @throws ReadModelStateException the version stopped being BUILDING, or another run moved a segment
     */
    public void run() {
        Map<Integer, SegmentState> saved = readProgress();
        estimated = estimateItems();
        startedNanos = System.nanoTime();
        List<SegmentState> todo = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            SegmentState s = saved.getOrDefault(i, new SegmentState(i, null, 0, 0, 0, false));
            resumedScanned += s.scanned();
            segmentEvents.set(i, s.events());
            if (!s.done()) {
                todo.add(s);
            }
        }
        if (!todo.isEmpty()) {
            runSegments(todo);
        }
        String name = projection.name();
        long rebuilt = 0;
        for (int i = 0; i < segments; i++) {
            rebuilt += segmentEvents.get(i);
        }
        if (!registry.markReady(name, version, rebuilt)) {
            throw new ReadModelStateException(name, version, name + ": version " + version
                    + " stopped being BUILDING during its rebuild (dropped?)");
        }
        synchronized (this) {
            progress.accept(snapshot(true));
        }
    }

    private void runSegments(List<SegmentState> todo) {
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(todo.size(), r -> {
            Thread t = new Thread(r, "rebuild-" + projection.name() + "-" + version + "-" + threadNumber.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try {
            ExecutorCompletionService<Void> done = new ExecutorCompletionService<>(pool);
            for (SegmentState s : todo) {
                done.submit(() -> {
                    scanSegment(s);
                    return null;
                });
            }
            Throwable first = null;
            for (int i = 0; i < todo.size(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    aborted.set(true); // the other segments stop after the page they are on
                    if (first == null) {
                        first = e.getCause();
                    }
                } catch (InterruptedException e) {
                    aborted.set(true);
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("rebuild interrupted", e);
                }
            }
            if (first instanceof RuntimeException r) {
                throw r;
            }
            if (first instanceof Error err) {
                throw err;
            }
            if (first != null) {
                throw new IllegalStateException("rebuild segment failed", first);
            }
        } finally {
            pool.shutdown();
        }
    }

    private void scanSegment(SegmentState state) {
        String name = projection.name();
        String checkpointName = ReadModelRegistry.checkpointName(name, version);
        Subscriber subscriber = table.subscriber(projection, version, checkpointName);
        DynamoDbCheckpointStore checkpoints = DynamoDbCheckpointStore.builder().client(client)
                .tableName(checkpointsTable).build();
        DeferredCheckpoints deferred = new DeferredCheckpoints(checkpoints);
        EventDispatcher combined = new EventDispatcher(List.of(subscriber), deferred, store);
        EventDispatcher direct = new EventDispatcher(List.of(subscriber), checkpoints, store);
        Map<String, String> names = Map.of("#s", CommitItems.STREAM_ID);
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> clauses = new ArrayList<>();
        int t = 0;
        for (String type : projection.aggregateTypes().stream().sorted().toList()) {
            values.put(":t" + t, AttributeValue.fromS(type + "-"));
            clauses.add("begins_with(#s, :t" + t + ")");
            t++;
        }
        String filter = String.join(" OR ", clauses);
        Map<String, AttributeValue> startKey = state.lastKey();
        long pages = state.pages();
        while (!aborted.get()) {
            Map<String, AttributeValue> from = startKey;
            ScanResponse page = client.scan(b -> b.tableName(eventsTable).segment(state.index())
                    .totalSegments(segments).consistentRead(true).limit(pageSize).filterExpression(filter)
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .exclusiveStartKey(from == null || from.isEmpty() ? null : from));
            // the version may have been dropped while this page was read (or while the run was between pages):
            // dispatching it would write rows and checkpoints of a version whose deletion may already be over
            if (!page.items().isEmpty() && !stillBuilding()) {
                throw noLongerBuilding();
            }
            long handled = dispatchPage(page.items(), combined, deferred, direct);
            long total = segmentEvents.addAndGet(state.index(), handled);
            if (!registry.recordSegmentEvents(name, version, state.index(), total)) {
                throw noLongerBuilding();
            }
            boolean last = !page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty();
            saveProgress(state.index(), pages, last ? null : page.lastEvaluatedKey(), page.scannedCount(), handled,
                    last);
            pages++;
            startKey = page.lastEvaluatedKey();
            synchronized (this) {
                scannedThisRun += page.scannedCount();
                eventsThisRun += handled;
                progress.accept(snapshot(false));
            }
            if (last) {
                return;
            }
        }
    }

    /** Why the rebuild stops: its version was dropped (or marked otherwise) meanwhile. */
    private ReadModelStateException noLongerBuilding() {
        return new ReadModelStateException(projection.name(), version, projection.name() + ": version " + version
                + " is no longer BUILDING; its rebuild stops");
    }

    /** Whether the version is still BUILDING (one strongly consistent GetItem of the registry item). */
    private boolean stillBuilding() {
        return registry.read(projection.name()).flatMap(e -> e.version(version))
                .map(v -> v.state() == dev.nosqles.projection.ReadModelStatus.State.BUILDING).orElse(false);
    }

    /**
     * Hands a page's commit items to a dispatcher whose checkpoint moves are deferred, then writes the page's moves
     * (each aggregate's checkpoint with its rows) in as few TransactWriteItems as DynamoDB's limits allow, rather
     * than one per aggregate. Each checkpoint keeps its condition, so a transaction that lost a race to another
     * feeder of the version (the live stream moved a checkpoint, a shared row changed since it was read), or that
     * failed in any way DynamoDB reports, is cancelled whole; the page is then dispatched again through the real
     * checkpoint store ({@link #dispatch}), where the moves that did land are duplicates. A transaction whose answer
     * was lost and that the SDK sent again is recognised by its write token (it landed) and counted.
     *
     * @return the events handed to the projection by this page's writes (in the fallback, the moves that landed
     *         count the versions they moved)
     */
    private long dispatchPage(List<Map<String, AttributeValue>> items, EventDispatcher combined,
                              DeferredCheckpoints deferred, EventDispatcher direct) {
        if (items.isEmpty()) {
            return 0;
        }
        EventDispatcher.Result result;
        try {
            result = combined.dispatch(items);
        } catch (RuntimeException e) {
            deferred.discard();
            throw e;
        }
        List<DeferredCheckpoints.Move> moves = deferred.drain();
        if (!result.succeeded()) {
            return dispatch(items, direct); // nothing was written: the real store reports the failure (or races)
        }
        long landed = 0;
        for (DeferredCheckpoints.Transaction tx : DeferredCheckpoints.transactions(moves, checkpointsTable,
                keyAttributes())) {
            try {
                client.transactWriteItems(b -> b.transactItems(tx.items()).clientRequestToken(tx.token()));
            } catch (TransactionCanceledException e) {
                if (!landedBefore(e, tx)) {
                    return landed + dispatch(items, direct);
                }
            } catch (DynamoDbException e) {
                return landed + dispatch(items, direct);
            }
            for (DeferredCheckpoints.Move move : tx.moves()) {
                landed += move.to() - move.from();
            }
        }
        return result.handled();
    }

    /** The transaction was cancelled because it had landed already: its first checkpoint holds its own token. */
    private static boolean landedBefore(TransactionCanceledException e, DeferredCheckpoints.Transaction tx) {
        if (!e.hasCancellationReasons() || e.cancellationReasons().isEmpty()) {
            return false;
        }
        CancellationReason first = e.cancellationReasons().get(0);
        DeferredCheckpoints.Move move = tx.moves().get(0);
        return "ConditionalCheckFailed".equals(first.code())
                && CheckpointItems.isOwnWrite(first.item(), tx.token(), move.to());
    }

    /** The key attributes of the tables a rebuild writes: tells the item each Put writes. */
    private Map<String, List<String>> keyAttributes() {
        return Map.of(checkpointsTable, List.of(CheckpointItems.SUBSCRIBER, CheckpointItems.STREAM_ID),
                table.tableName(), List.of(ReadModelTable.PK));
    }

    /**
     * Hands a page's commit items to the dispatcher (which reads the page's checkpoints in batches); retries the
     * rest of the page after losing a race: a checkpoint conflict (the live stream handled some of these events
     * meanwhile: the retry sees them as duplicates), or a transaction cancelled by a row changed since it was read
     * (a row shared by aggregates that another segment or the live stream fed meanwhile: the retry reads it again).
     */
    private long dispatch(List<Map<String, AttributeValue>> items, EventDispatcher dispatcher) {
        if (items.isEmpty()) {
            return 0;
        }
        List<Map<String, AttributeValue>> remaining = items;
        long handled = 0;
        for (int attempt = 0; ; attempt++) {
            EventDispatcher.Result result = dispatcher.dispatch(remaining);
            handled += result.handled();
            if (result.succeeded()) {
                return handled;
            }
            if (TransactWrites.isRace(result.failure()) && attempt < CONFLICT_RETRIES) {
                remaining = remaining.subList(result.failedIndex(), remaining.size());
                ReadModelRegistry.backOff(attempt);
                // the retries of one page can outlast a drop's grace: each attempt looks again, so that none writes
                // rows or checkpoints of a version whose deletion may already be over
                if (!stillBuilding()) {
                    throw noLongerBuilding();
                }
                continue;
            }
            if (result.failure() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(projection.name() + ": rebuild page failed", result.failure());
        }
    }

    private void saveProgress(int segment, long pages, Map<String, AttributeValue> lastKey, long scanned,
                              long events, boolean done) {
        String name = projection.name();
        Map<String, String> names = new HashMap<>(Map.of("#pages", PAGES, "#scanned", SCANNED, "#events", EVENTS,
                "#done", DONE, "#lastKey", LAST_KEY, "#run", RUN));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pages", n(pages + 1), ":scanned", n(scanned),
                ":events", n(events), ":done", AttributeValue.fromBool(done), ":run", AttributeValue.fromS(run)));
        String update = "SET #pages = :pages, #done = :done, #run = :run";
        if (lastKey != null) {
            update += ", #lastKey = :lastKey";
            values.put(":lastKey", AttributeValue.fromM(lastKey));
        }
        update += " ADD #scanned :scanned, #events :events";
        if (lastKey == null) {
            update += " REMOVE #lastKey";
        }
        String condition;
        if (pages == 0) {
            condition = "attribute_not_exists(#pages)";
        } else {
            condition = "#pages = :prev";
            values.put(":prev", n(pages));
        }
        String expression = update;
        try {
            client.updateItem(b -> b.tableName(checkpointsTable)
                    .key(Map.of("subscriber", AttributeValue.fromS(ReadModelRegistry.progressName(name, version)),
                            "streamId", AttributeValue.fromS("segment-" + segment)))
                    .updateExpression(expression).conditionExpression(condition)
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            AttributeValue now = e.hasItem() ? e.item().get(PAGES) : null;
            AttributeValue by = e.hasItem() ? e.item().get(RUN) : null;
            if (now != null && Long.parseLong(now.n()) == pages + 1 && by != null && run.equals(by.s())) {
                return; // this very step, landed before the SDK retried it
            }
            throw new ReadModelStateException(name, version, name + ": segment " + segment + " of version " + version
                    + " was moved by another rebuild run");
        }
    }

    private Map<Integer, SegmentState> readProgress() {
        Map<Integer, SegmentState> states = new HashMap<>();
        String subscriber = ReadModelRegistry.progressName(projection.name(), version);
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse response = client.query(b -> b.tableName(checkpointsTable).consistentRead(true)
                    .keyConditionExpression("#p = :p").expressionAttributeNames(Map.of("#p", "subscriber"))
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(subscriber)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : response.items()) {
                int index = Integer.parseInt(item.get("streamId").s().substring("segment-".length()));
                AttributeValue lastKey = item.get(LAST_KEY);
                states.put(index, new SegmentState(index, lastKey == null ? null : lastKey.m(), num(item, SCANNED),
                        num(item, EVENTS), num(item, PAGES), item.containsKey(DONE) && Boolean.TRUE.equals(item.get(DONE).bool())));
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return states;
    }

    private long estimateItems() {
        Long count = client.describeTable(b -> b.tableName(eventsTable)).table().itemCount();
        return count == null ? 0 : count;
    }

    private RebuildProgress snapshot(boolean done) {
        long scanned = resumedScanned + scannedThisRun;
        double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
        double eventsPerSecond = eventsThisRun / seconds;
        double itemsPerSecond = scannedThisRun / seconds;
        Optional<Duration> eta = done ? Optional.of(Duration.ZERO)
                : itemsPerSecond > 0 && estimated > scanned
                ? Optional.of(Duration.ofMillis((long) ((estimated - scanned) / itemsPerSecond * 1000)))
                : Optional.empty();
        return new RebuildProgress(version, scanned, Math.max(estimated, scanned), eventsThisRun, eventsPerSecond, eta,
                done);
    }

    private static long num(Map<String, AttributeValue> item, String attribute) {
        AttributeValue v = item.get(attribute);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
