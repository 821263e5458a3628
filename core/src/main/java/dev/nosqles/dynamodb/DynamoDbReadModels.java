package dev.nosqles.dynamodb;

import dev.nosqles.projection.Freshness;
import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.ReadModelStateException;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.ReadModelStatus.State;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.projection.internal.ReadModelRegistry;
import dev.nosqles.projection.internal.ReadModelRegistry.Entry;
import dev.nosqles.projection.internal.ReadModelRegistry.VersionEntry;
import dev.nosqles.projection.internal.ReadModelTable;
import dev.nosqles.projection.internal.Rebuild;
import dev.nosqles.store.EventStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.subscription.Subscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Read models in DynamoDB (ADR 0007): rows in one read-models table, each version of each read model under its
 * own key prefix; a registry of versions and the serving one, and per-version checkpoints, in the checkpoints
 * table; full-history rebuilds by parallel Scan of the events table.
 *
 * <p>The life of a version: the live stream's first batch registers version 1 SERVING (a read model deployed
 * after its events were written sees only what the stream still holds, plus the history of each aggregate the
 * stream touches); {@link #rebuild} registers the next version BUILDING, fills it from the whole events table
 * while the live stream feeds it too, and leaves it READY; {@link #switchTo} moves reads to it in one conditional
 * write and RETIRES the old one (still fed, so it can be switched back to); {@link #drop} marks a version that
 * does not serve DROPPING, waits {@linkplain Builder#dropGrace the grace}, and deletes its rows, checkpoints and
 * rebuild progress. Every registry change is one conditional write: of two racing operators exactly one wins.
 *
 * <p>The live stream's function builds its dispatcher per batch from {@link #subscribers()} (called after the
 * batch's records were fetched: a version registered later gets those records from its rebuild's Scan) and calls
 * {@link #recordFed} after the batch.
 */
public final class DynamoDbReadModels {
    private final DynamoDbClient client;
    private final String checkpointsTable;
    private final String eventsTable;
    private final EventStore eventStore;
    private final Map<String, Projection<?>> projections;
    private final Clock clock;
    private final Duration dropGrace;
    private final ReadModelRegistry registry;
    private final ReadModelTable table;

    private DynamoDbReadModels(Builder b) {
        this.client = b.client;
        this.checkpointsTable = b.checkpointsTable;
        this.eventsTable = b.eventsTable;
        this.eventStore = b.eventStore;
        Map<String, Projection<?>> byName = new LinkedHashMap<>();
        b.projections.forEach(p -> byName.put(p.name(), p));
        this.projections = java.util.Collections.unmodifiableMap(byName);
        this.clock = b.clock;
        this.dropGrace = b.dropGrace;
        this.registry = new ReadModelRegistry(client, checkpointsTable, clock);
        this.table = new ReadModelTable(client, b.readModelsTable, b.cursorKey, b.subjectKeys);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Creates the read-models table with its indexes (for tests and local runs; template.yaml declares it). */
    public static void createTable(DynamoDbClient client, String tableName) {
        ReadModelTable.createTable(client, tableName);
    }

    /**
     * The live feed's subscribers, for this batch: one per version of each projection that is fed (every state but
     * DROPPING), each with its own checkpoints. Reads the registry (one consistent read) and registers version 1,
     * serving, for a projection that has none.
     */
    public List<Subscriber> subscribers() {
        return subscribers(List.copyOf(projections.values()));
    }

    /**
     * The live feed's subscribers for a batch whose commits are of {@code aggregateTypes}: as {@link #subscribers()},
     * for the projections that handle one of those types only. When none does, nothing is read and the list is
     * empty: a batch none of the read models wants costs them no request.
     */
    public List<Subscriber> subscribers(Set<String> aggregateTypes) {
        return subscribers(handling(aggregateTypes));
    }

    private List<Projection<?>> handling(Set<String> aggregateTypes) {
        Objects.requireNonNull(aggregateTypes, "aggregateTypes");
        return projections.values().stream()
                .filter(p -> p.aggregateTypes().stream().anyMatch(aggregateTypes::contains))
                .<Projection<?>>map(p -> p).toList();
    }

    private List<Subscriber> subscribers(List<Projection<?>> fed) {
        if (fed.isEmpty()) {
            return List.of();
        }
        Map<String, Entry> entries = registry.readAll(fed.stream().map(Projection::name).toList());
        List<Subscriber> subscribers = new ArrayList<>();
        for (Projection<?> p : fed) {
            Entry entry = entries.get(p.name());
            if (entry == null) {
                entry = registry.registerFirst(p.name(), p.version(), State.SERVING, 0);
            }
            for (VersionEntry v : entry.fed()) {
                subscribers.add(subscriber(p, v.version()));
            }
        }
        return subscribers;
    }

    /**
     * Records, after a batch of the live stream, when the read models were fed and how old the batch's newest
     * commit was then (their lag): one UpdateItem per read model that has a registry item.
     *
     * @param newestCommit the timestamp of the newest commit of the batch
     */
    public void recordFed(Instant newestCommit) {
        recordFed(List.copyOf(projections.values()), newestCommit);
    }

    /**
     * As {@link #recordFed(Instant)}, for the read models that handle one of {@code aggregateTypes} (the types of
     * the batch's commits) only: a read model records when it was fed by a batch that held its events, not by every
     * batch of the stream.
     */
    public void recordFed(Instant newestCommit, Set<String> aggregateTypes) {
        recordFed(handling(aggregateTypes), newestCommit);
    }

    private void recordFed(List<Projection<?>> fed, Instant newestCommit) {
        Objects.requireNonNull(newestCommit, "newestCommit");
        Instant now = clock.instant();
        for (Projection<?> p : fed) {
            registry.recordFed(p.name(), now, newestCommit);
        }
    }

    /**
     * The subscriber name under which one version of a read model keeps its checkpoints in the checkpoints table
     * (what an operator sees as a subscription, e.g. {@code read-model.orders.2}).
     */
    public static String checkpointSubscriber(String readModel, int version) {
        return ReadModelRegistry.checkpointName(readModel, version);
    }

    /** Every read model, in the order the projections were given (one consistent read of the registry). */
    public List<ReadModelStatus> list() {
        Map<String, Entry> entries = registry.readAll(projections.keySet());
        List<ReadModelStatus> statuses = new ArrayList<>();
        for (String name : projections.keySet()) {
            Entry e = entries.get(name);
            statuses.add(e == null ? Entry.empty(name) : e.toStatus());
        }
        return statuses;
    }

    /** @throws ReadModelStateException no projection has that name */
    public ReadModelStatus status(String name) {
        projection(name);
        return registry.read(name).map(Entry::toStatus).orElseGet(() -> Entry.empty(name));
    }

    /**
     * Builds a new version of the read model from the whole events table, or resumes the one a crashed rebuild
     * left BUILDING; returns when it is READY (the live stream has fed it since it was registered).
     *
     * <p>A BUILDING version is resumed from its saved progress with the number of segments it was started with
     * ({@code options.segments()} then only applies to new versions); one built by another version of the
     * projection's code is refused (drop it first). A version is registered before its Scan starts, so the live
     * stream feeds it from its next batch on. {@code progress} is called after each page, from the segments'
     * threads one at a time; if it throws, the rebuild stops as if it had crashed (a later call resumes it) and
     * the exception is rethrown.
     *
     * @throws ReadModelStateException unknown read model; the BUILDING version is of other projection code; the
     *                                  version was dropped, or another run moved its progress, meanwhile
     */
    public ReadModelStatus rebuild(String name, RebuildOptions options, Consumer<RebuildProgress> progress) {
        Projection<?> projection = projection(name);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress");
        int version = 0;
        int segments = 0;
        for (int attempt = 0; version == 0; attempt++) {
            if (attempt == 20) {
                throw new ReadModelStateException(name, 0, name + ": the registry kept changing; no version registered");
            }
            // no item yet: register version 1 BUILDING (or find the one a batch registered meanwhile)
            Entry entry = registry.read(name).orElseGet(() -> registry.registerFirst(name, projection.version(),
                    State.BUILDING, options.segments()));
            Optional<VersionEntry> building = entry.building();
            if (building.isPresent()) {
                VersionEntry b = building.get();
                if (b.projectionVersion() != projection.version()) {
                    throw new ReadModelStateException(name, b.version(), name + ": version " + b.version()
                            + " is BUILDING with projection code version " + b.projectionVersion() + ", not "
                            + projection.version() + "; drop it before rebuilding");
                }
                version = b.version();
                segments = b.segments();
            } else if (registry.registerNext(entry, projection.version(), options.segments())) {
                // (a registerNext that lost a race reads again: a rebuild started meanwhile is then resumed)
                version = entry.nextVersion();
                segments = options.segments();
            }
        }
        new Rebuild(client, eventsTable, checkpointsTable, registry, table, eventStore, projection, version, segments,
                options.pageSize(), progress).run();
        return status(name);
    }

    /** The registry entry of a read model that has this version; refused otherwise. */
    private Entry existingEntry(String name, int version) {
        projection(name);
        Entry entry = registry.read(name).orElseThrow(() -> new ReadModelStateException(name, version,
                name + " has no versions yet"));
        if (entry.version(version).isEmpty()) {
            throw new ReadModelStateException(name, version, name + " has no version " + version);
        }
        return entry;
    }

    /**
     * Moves reads to a READY or RETIRED version in one conditional write; the serving one becomes RETIRED.
     * Switching to the version that serves already changes nothing.
     *
     * @throws ReadModelStateException unknown read model or version; the version is BUILDING or DROPPING; another
     *                                  switch moved the serving version meanwhile (look again, then retry)
     */
    public ReadModelStatus switchTo(String name, int version) {
        Entry entry = existingEntry(name, version);
        VersionEntry target = entry.version(version).orElseThrow();
        if (entry.serving() == version) {
            return entry.toStatus();
        }
        if (target.state() != State.READY && target.state() != State.RETIRED) {
            throw new ReadModelStateException(name, version, name + ": version " + version + " is "
                    + target.state() + "; only a READY or RETIRED version can serve");
        }
        registry.switchServing(name, entry.serving(), version);
        return status(name);
    }

    /**
     * Stops feeding a version that does not serve and deletes its rows, checkpoints and progress.
     *
     * <p>The version is first marked DROPPING in one conditional write; a batch of the live stream that read the
     * registry before may still write to it, and so may a rebuild of it whose page passed its check (a rebuild
     * reads the registry before dispatching each page and stops when the version is no longer BUILDING), so the deletion starts after the {@linkplain Builder#dropGrace grace}. A BUILDING version
     * may be dropped (that is how a failed rebuild is abandoned); its rebuild, if one still runs, stops. Calling
     * drop again on a DROPPING version (a drop that died) finishes it.
     *
     * @throws ReadModelStateException unknown read model or version; the version serves reads
     */
    public ReadModelStatus drop(String name, int version) {
        Entry entry = existingEntry(name, version);
        VersionEntry target = entry.version(version).orElseThrow();
        if (entry.serving() == version) {
            throw new ReadModelStateException(name, version, name + ": version " + version
                    + " serves reads; switch to another version before dropping it");
        }
        if (target.state() != State.DROPPING) {
            registry.markDropping(name, version);
        }
        if (!dropGrace.isZero()) {
            try {
                Thread.sleep(dropGrace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("drop interrupted; call it again to finish", e);
            }
        }
        table.deleteVersion(name, version, deleted -> { });
        deleteItems(ReadModelRegistry.checkpointName(name, version));
        deleteItems(ReadModelRegistry.progressName(name, version));
        registry.remove(name, version);
        return status(name);
    }

    /**
     * One page of an index of the serving version (or of the version a cursor was issued for, while it is READY,
     * SERVING or RETIRED), with the registry's freshness. Before any version serves, an empty page of version 0.
     *
     * @throws ReadModelStateException the projection is not one of this instance's
     * @throws dev.nosqles.projection.InvalidCursorException a cursor not issued for this query, or of a version
     *                                                       that can no longer be read (EXPIRED)
     */
    public <R extends Record> Page<R> query(Projection<R> projection, String index, String partition,
                                           PageRequest request) {
        projection(projection.name());
        Optional<Entry> entry = registry.read(projection.name());
        int serving = entry.map(Entry::serving).orElse(0);
        IntPredicate readable = entry.<IntPredicate>map(e -> e::readable).orElse(v -> false);
        Page<R> page = table.query(projection, serving, readable, index, partition, request);
        return new Page<>(page.rows(), page.nextCursor(), page.version(), freshness(entry));
    }

    /** A row of the serving version; empty before any version serves. */
    public <R extends Record> Optional<R> get(Projection<R> projection, String key) {
        projection(projection.name());
        int serving = registry.read(projection.name()).map(Entry::serving).orElse(0);
        return serving == 0 ? Optional.empty() : table.get(projection, serving, key);
    }

    private static Freshness freshness(Optional<Entry> entry) {
        return entry.map(e -> new Freshness(e.lastFedAt(), e.lag())).orElseGet(Freshness::unknown);
    }

    private <R extends Record> Subscriber subscriber(Projection<R> projection, int version) {
        return table.subscriber(projection, version, checkpointSubscriber(projection.name(), version));
    }

    private Projection<?> projection(String name) {
        Projection<?> p = name == null ? null : projections.get(name);
        if (p == null) {
            throw new ReadModelStateException(String.valueOf(name), 0, "no read model is named so");
        }
        return p;
    }

    /** Deletes every item of one subscriber in the checkpoints table (checkpoints, or rebuild progress). */
    private void deleteItems(String subscriber) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = client.query(b -> b.tableName(checkpointsTable).consistentRead(true)
                    .keyConditionExpression("#p = :p").projectionExpression("#p, #s")
                    .expressionAttributeNames(Map.of("#p", "subscriber", "#s", "streamId"))
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(subscriber)))
                    .exclusiveStartKey(from));
            List<WriteRequest> deletes = page.items().stream()
                    .map(item -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(item).build())
                            .build())
                    .toList();
            for (int i = 0; i < deletes.size(); i += 25) {
                Map<String, List<WriteRequest>> request = Map.of(checkpointsTable,
                        deletes.subList(i, Math.min(deletes.size(), i + 25)));
                for (int attempt = 0; !request.isEmpty(); attempt++) {
                    ReadModelRegistry.backOff(attempt);
                    Map<String, List<WriteRequest>> pending = request;
                    BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(pending));
                    request = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    /**
     * Options of a rebuild.
     *
     * @param segments parallel Scan segments, and threads (1 to 100)
     * @param pageSize events-table items per Scan page (1 to 1000); progress is saved after each page
     */
    public record RebuildOptions(int segments, int pageSize) {
        public RebuildOptions {
            if (segments < 1 || segments > 100) {
                throw new IllegalArgumentException("segments must be between 1 and 100");
            }
            if (pageSize < 1 || pageSize > 1000) {
                throw new IllegalArgumentException("pageSize must be between 1 and 1000");
            }
        }

        public static RebuildOptions defaults() {
            return new RebuildOptions(4, 500);
        }
    }

    /** Builds {@link DynamoDbReadModels}; validation in {@link #build()}. */
    public static final class Builder {
        /**
         * Twice the stream function's 15 s timeout in template.yaml: a batch that read the registry before a drop
         * has ended by then. Raise it with the timeout.
         */
        public static final Duration DEFAULT_DROP_GRACE = Duration.ofSeconds(30);

        DynamoDbClient client;
        String readModelsTable;
        String checkpointsTable;
        String eventsTable;
        EventStore eventStore;
        List<Projection<?>> projections = List.of();
        Clock clock = Clock.systemUTC();
        byte[] cursorKey;
        Duration dropGrace = DEFAULT_DROP_GRACE;
        dev.nosqles.privacy.SubjectKeys subjectKeys;

        private Builder() {
        }

        /**
         * The subject keys events with personal data are decrypted with, and personal row components
         * ({@link Projection.Builder#personalData}) encrypted with (ADR 0008). Required when a projected aggregate
         * or a projection declares personal data.
         */
        public Builder subjectKeys(dev.nosqles.privacy.SubjectKeys keys) {
            this.subjectKeys = keys;
            return this;
        }

        public Builder client(DynamoDbClient client) {
            this.client = client;
            return this;
        }

        public Builder readModelsTable(String name) {
            this.readModelsTable = name;
            return this;
        }

        public Builder checkpointsTable(String name) {
            this.checkpointsTable = name;
            return this;
        }

        /** The events table a rebuild scans. */
        public Builder eventsTable(String name) {
            this.eventsTable = name;
            return this;
        }

        /** Reads the events a commit item skipped over (gaps), as the stream dispatcher does. */
        public Builder eventStore(EventStore store) {
            this.eventStore = store;
            return this;
        }

        public Builder projections(List<Projection<?>> projections) {
            this.projections = List.copyOf(projections);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The secret that signs page cursors (HMAC-SHA256), at least 32 bytes. */
        public Builder cursorKey(byte[] key) {
            this.cursorKey = key.clone();
            return this;
        }

        /**
         * How long {@link DynamoDbReadModels#drop} waits between marking a version DROPPING and deleting it, so
         * that no batch of the live stream that read the registry before still writes to it
         * ({@link #DEFAULT_DROP_GRACE} unless set; zero in tests that feed by hand).
         */
        public Builder dropGrace(Duration grace) {
            this.dropGrace = grace;
            return this;
        }

        /**
         * @throws IllegalStateException a required part is missing (client, tables, event store, cursor key)
         * @throws IllegalArgumentException no projections or two with one name; a cursor key shorter than 32
         *                                  bytes; a negative drop grace
         */
        public DynamoDbReadModels build() {
            Required.part(client, "client");
            Required.name(readModelsTable, "readModelsTable");
            Required.name(checkpointsTable, "checkpointsTable");
            Required.part(eventStore, "eventStore");
            if ((eventsTable == null || eventsTable.isBlank()) && eventStore instanceof DynamoDbEventStore d) {
                eventsTable = d.tableName();
            }
            if (eventsTable == null || eventsTable.isBlank()) {
                throw new IllegalStateException("eventsTable is required (the events table a rebuild scans)");
            }
            if (projections == null || projections.isEmpty()) {
                throw new IllegalArgumentException("at least one projection is required");
            }
            if (projections.stream().map(Projection::name).distinct().count() != projections.size()) {
                throw new IllegalArgumentException("projection names must be unique");
            }
            Required.part(cursorKey, "cursorKey");
            if (cursorKey.length < 32) {
                throw new IllegalArgumentException("cursorKey must be at least 32 bytes");
            }
            if (clock == null) {
                throw new IllegalStateException("clock must not be null");
            }
            if (dropGrace == null || dropGrace.isNegative()) {
                throw new IllegalArgumentException("dropGrace must be zero or positive");
            }
            return new DynamoDbReadModels(this);
        }
    }
}
