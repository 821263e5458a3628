package dev.nosqles.projection.internal;

import dev.nosqles.projection.ReadModelStateException;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.ReadModelStatus.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The registry of read-model versions, one item per read model in the checkpoints table (ADR 0007):
 * {@code subscriber} = {@value #SUBSCRIBER}, {@code streamId} = the read model's name, with
 * <pre>
 * serving     N  the version queries read (0: none yet)
 * nextVersion N  the number the next rebuild gets
 * versions    M  "{n}" -> M {projectionVersion N, state S, createdAt S, segments N, rebuiltEvents N,
 *                             segmentEvents M {"{i}" -> N}: events each Scan segment handed so far, while BUILDING}
 * lastFedAt   S  when the live stream last fed the read model (ISO-8601)
 * lagMillis   N  how old the newest event of that batch was then (the worst of the last LAG_WINDOW)
 * lagAt       N  when that lag was recorded (epoch millis)
 * </pre>
 * Every change is one conditional write whose condition is the state the change starts from, never a read
 * followed by an unconditional write: of two racing changes exactly one lands, and a write the SDK retried after
 * it had landed is recognised from the item DynamoDB returns with the failed condition.
 */
public final class ReadModelRegistry {
    /** The registry items' {@code subscriber} (partition key) in the checkpoints table. */
    public static final String SUBSCRIBER = "nosqles.read-models";

    static final String PK = "subscriber";
    static final String SK = "streamId";
    static final String SERVING = "serving";
    static final String NEXT_VERSION = "nextVersion";
    static final String VERSIONS = "versions";
    static final String LAST_FED_AT = "lastFedAt";
    static final String LAG_MILLIS = "lagMillis";
    static final String LAG_AT = "lagAt";
    static final String PROJECTION_VERSION = "projectionVersion";
    static final String STATE = "state";
    static final String CREATED_AT = "createdAt";
    static final String SEGMENTS = "segments";
    static final String REBUILT_EVENTS = "rebuiltEvents";
    static final String SEGMENT_EVENTS = "segmentEvents";

    private final DynamoDbClient client;
    private final String table;
    private final Clock clock;
    /** The lag each read model's registry item is known to hold (this process wrote it, or a refusal showed it). */
    private final Map<String, RecordedLag> knownLags = new java.util.concurrent.ConcurrentHashMap<>();

    /** A lag and when it was recorded (epoch millis). */
    private record RecordedLag(long lagMillis, long atMillis) {
    }

    public ReadModelRegistry(DynamoDbClient client, String checkpointsTable, Clock clock) {
        this.client = client;
        this.table = checkpointsTable;
        this.clock = clock;
    }

    /** The checkpoint name (subscriber) of one version of a read model. */
    public static String checkpointName(String name, int version) {
        return "read-model." + name + "." + version;
    }

    /** The {@code subscriber} of the rebuild progress items of one version. */
    public static String progressName(String name, int version) {
        return "read-model-rebuild." + name + "." + version;
    }

    /** One version as the registry holds it. */
    public record VersionEntry(int version, int projectionVersion, State state, Instant createdAt, int segments,
                               long rebuiltEvents) {
    }

    /** A read model's registry item. */
    public record Entry(String name, int serving, int nextVersion, SortedMap<Integer, VersionEntry> versions,
                        Optional<Instant> lastFedAt, Optional<Duration> lag) {
        public Optional<VersionEntry> version(int version) {
            return Optional.ofNullable(versions.get(version));
        }

        /** A version a query or a cursor may read: it has its whole history (READY, SERVING, RETIRED). */
        public boolean readable(int version) {
            VersionEntry v = versions.get(version);
            return v != null && (v.state() == State.SERVING || v.state() == State.READY || v.state() == State.RETIRED);
        }

        /** The versions the live stream feeds: all but DROPPING ones, oldest first. */
        public List<VersionEntry> fed() {
            return versions.values().stream().filter(v -> v.state() != State.DROPPING).toList();
        }

        /** The oldest BUILDING version, if any. */
        public Optional<VersionEntry> building() {
            return versions.values().stream().filter(v -> v.state() == State.BUILDING).findFirst();
        }

        public ReadModelStatus toStatus() {
            List<ReadModelStatus.Version> list = new ArrayList<>();
            for (VersionEntry v : versions.values()) {
                // a version registered after the last batch was not fed by it
                boolean fedSince = v.state() != State.DROPPING && lastFedAt.isPresent()
                        && !lastFedAt.get().isBefore(v.createdAt());
                list.add(new ReadModelStatus.Version(v.version(), v.projectionVersion(), v.state(), v.createdAt(),
                        v.rebuiltEvents(), fedSince ? lastFedAt : Optional.empty(),
                        fedSince ? lag : Optional.empty()));
            }
            return new ReadModelStatus(name, serving, list);
        }

        public static ReadModelStatus empty(String name) {
            return new ReadModelStatus(name, 0, List.of());
        }
    }

    /** The registry item of a read model (one strongly consistent GetItem). */
    public Optional<Entry> read(String name) {
        var response = client.getItem(b -> b.tableName(table).consistentRead(true).key(key(name)));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(parse(name, response.item()))
                : Optional.empty();
    }

    /**
     * The registry items of several read models, all read in one strongly consistent BatchGetItem (GetItem for
     * one); a read model without an item is absent from the map.
     */
    public Map<String, Entry> readAll(Collection<String> names) {
        Map<String, Entry> entries = new HashMap<>();
        if (names.size() == 1) {
            String name = names.iterator().next();
            read(name).ifPresent(e -> entries.put(name, e));
            return entries;
        }
        List<String> all = new ArrayList<>(names);
        for (int from = 0; from < all.size(); from += 100) {
            List<Map<String, AttributeValue>> keys = all.subList(from, Math.min(all.size(), from + 100)).stream()
                    .map(ReadModelRegistry::key).toList();
            Map<String, KeysAndAttributes> request = Map.of(table,
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            for (int attempt = 0; !request.isEmpty(); attempt++) {
                backOff(attempt);
                Map<String, KeysAndAttributes> pending = request;
                BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(pending));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                    String name = item.get(SK).s();
                    entries.put(name, parse(name, item));
                }
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return entries;
    }

    /**
     * Registers version 1 of a read model that has no registry item: SERVING (the live stream's first batch) or
     * BUILDING (a rebuild before any batch; nothing serves until it is switched to). One conditional PutItem
     * ({@code attribute_not_exists}): of racing registrations exactly one lands; every caller then gets the item
     * as it is.
     */
    public Entry registerFirst(String name, int projectionVersion, State state, int segments) {
        Map<String, AttributeValue> item = new LinkedHashMap<>(key(name));
        item.put(SERVING, n(state == State.SERVING ? 1 : 0));
        item.put(NEXT_VERSION, n(2));
        item.put(VERSIONS, AttributeValue.fromM(Map.of("1", versionValue(projectionVersion, state, segments))));
        try {
            client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#sk)")
                    .expressionAttributeNames(Map.of("#sk", SK)));
            return parse(name, item);
        } catch (ConditionalCheckFailedException registeredMeanwhile) {
            // another batch or rebuild registered it first (or this very put landed and the SDK retried it)
            return read(name).orElseThrow(() -> new IllegalStateException(name + ": registry item vanished"));
        }
    }

    /**
     * Registers the next version as BUILDING: one UpdateItem conditional on {@code nextVersion} being the number
     * read, so that two rebuilds never get the same number. False when it changed meanwhile.
     */
    public boolean registerNext(Entry entry, int projectionVersion, int segments) {
        int n = entry.nextVersion();
        try {
            client.updateItem(b -> b.tableName(table).key(key(entry.name()))
                    .updateExpression("SET #vs.#n = :v, #next = :next")
                    .conditionExpression("#next = :n AND attribute_not_exists(#vs.#n)")
                    .expressionAttributeNames(Map.of("#vs", VERSIONS, "#n", Integer.toString(n),
                            "#next", NEXT_VERSION))
                    .expressionAttributeValues(Map.of(":v", versionValue(projectionVersion, State.BUILDING, segments),
                            ":next", n(n + 1), ":n", n(n))));
            return true;
        } catch (ConditionalCheckFailedException changedMeanwhile) {
            return false;
        }
    }

    /**
     * Records how many events one Scan segment of a rebuild has handed to a version so far (an absolute number:
     * a write the SDK retries sets it again), on condition that the version is still BUILDING (a rebuild stops
     * when its version is dropped). False when it is not.
     */
    public boolean recordSegmentEvents(String name, int version, int segment, long events) {
        try {
            client.updateItem(b -> b.tableName(table).key(key(name))
                    .updateExpression("SET #vs.#n.#se.#i = :e")
                    .conditionExpression("#vs.#n.#st = :building")
                    .expressionAttributeNames(Map.of("#vs", VERSIONS, "#n", Integer.toString(version),
                            "#se", SEGMENT_EVENTS, "#i", Integer.toString(segment), "#st", STATE))
                    .expressionAttributeValues(Map.of(":e", n(events), ":building", s(State.BUILDING.name()))));
            return true;
        } catch (ConditionalCheckFailedException notBuilding) {
            return false;
        }
    }

    /**
     * BUILDING -> READY, with the number of events the rebuild handed to it. False when the version is not
     * BUILDING (dropped meanwhile) and not READY either (a retried write that had landed finds it READY).
     */
    public boolean markReady(String name, int version, long rebuiltEvents) {
        try {
            client.updateItem(b -> b.tableName(table).key(key(name))
                    .updateExpression("SET #vs.#n.#st = :ready, #vs.#n.#re = :e")
                    .conditionExpression("#vs.#n.#st = :building")
                    .expressionAttributeNames(Map.of("#vs", VERSIONS, "#n", Integer.toString(version), "#st", STATE,
                            "#re", REBUILT_EVENTS))
                    .expressionAttributeValues(Map.of(":ready", s(State.READY.name()),
                            ":building", s(State.BUILDING.name()), ":e", n(rebuiltEvents))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return read(name).flatMap(en -> en.version(version)).map(v -> v.state() == State.READY).orElse(false);
        }
    }

    /**
     * Moves reads from {@code from} (the serving version read; 0 for none) to {@code to} in one UpdateItem,
     * conditional on {@code from} still serving and {@code to} being READY or RETIRED; {@code from} becomes
     * RETIRED.
     *
     * @throws ReadModelStateException the condition failed and {@code to} is not serving now
     */
    public void switchServing(String name, int from, int to) {
        Map<String, String> names = new HashMap<>(Map.of("#serving", SERVING, "#vs", VERSIONS, "#to",
                Integer.toString(to), "#st", STATE));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":from", n(from), ":to", n(to),
                ":serving", s(State.SERVING.name()), ":ready", s(State.READY.name()),
                ":retired", s(State.RETIRED.name())));
        String update = "SET #serving = :to, #vs.#to.#st = :serving";
        if (from != 0) {
            names.put("#from", Integer.toString(from));
            update += ", #vs.#from.#st = :retired";
        }
        String set = update;
        try {
            client.updateItem(b -> b.tableName(table).key(key(name)).updateExpression(set)
                    .conditionExpression("#serving = :from AND #vs.#to.#st IN (:ready, :retired)")
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            if (e.hasItem() && e.item().containsKey(SERVING) && Integer.parseInt(e.item().get(SERVING).n()) == to) {
                return; // already serving: our own write, retried by the SDK after it landed (or the same switch)
            }
            throw new ReadModelStateException(name, to, name + ": version " + to
                    + " cannot be switched to: the serving version or its state changed meanwhile");
        }
    }

    /**
     * Marks a version DROPPING (the live stream stops feeding it from its next batch), on condition that it
     * exists and does not serve.
     *
     * @throws ReadModelStateException it serves, or is gone
     */
    public void markDropping(String name, int version) {
        try {
            client.updateItem(b -> b.tableName(table).key(key(name))
                    .updateExpression("SET #vs.#n.#st = :dropping")
                    .conditionExpression("attribute_exists(#vs.#n) AND #serving <> :v")
                    .expressionAttributeNames(Map.of("#vs", VERSIONS, "#n", Integer.toString(version), "#st", STATE,
                            "#serving", SERVING))
                    .expressionAttributeValues(Map.of(":dropping", s(State.DROPPING.name()), ":v", n(version))));
        } catch (ConditionalCheckFailedException e) {
            throw new ReadModelStateException(name, version, name + ": version " + version
                    + " cannot be dropped: it serves reads or is gone");
        }
    }

    /** Removes a DROPPING version from the registry (after its rows, checkpoints and progress are deleted). */
    public void remove(String name, int version) {
        try {
            client.updateItem(b -> b.tableName(table).key(key(name))
                    .updateExpression("REMOVE #vs.#n")
                    .conditionExpression("#vs.#n.#st = :dropping")
                    .expressionAttributeNames(Map.of("#vs", VERSIONS, "#n", Integer.toString(version), "#st", STATE))
                    .expressionAttributeValues(Map.of(":dropping", s(State.DROPPING.name()))));
        } catch (ConditionalCheckFailedException alreadyRemoved) {
            // a concurrent drop of the same version finished first, or the SDK retried our landed write
        }
    }

    /**
     * How long a recorded lag stands against smaller ones: the lag a query reports is the worst lag of the batches
     * fed within this window (several shards feed one read model; a fresh shard's small lag must not hide a
     * lagging shard's large one).
     */
    public static final Duration LAG_WINDOW = Duration.ofSeconds(60);

    /**
     * Records that the live stream fed the read model at {@code now}, the batch's newest commit being from
     * {@code newestCommit}: <b>one</b> UpdateItem, only on an existing item. The lag is kept when it is at least the
     * recorded one, or the recorded one is older than {@link #LAG_WINDOW} (lastFedAt, lagMillis, lagAt; a
     * conditional write); a smaller lag within the window leaves the recorded one standing and sets lastFedAt alone.
     * Which of the two writes to make is told by the lag this process last saw recorded: the one it wrote, or the
     * one a refused write handed back ({@code ALL_OLD}, no read). So the conditional write fails only when another
     * process (another shard's batch) recorded a larger lag this process has not seen yet; then lastFedAt is set
     * alone by a second UpdateItem.
     */
    public void recordFed(String name, Instant now, Instant newestCommit) {
        long lag = Math.max(0, Duration.between(newestCommit, now).toMillis());
        long windowStart = now.minus(LAG_WINDOW).toEpochMilli();
        RecordedLag known = knownLags.get(name);
        boolean standing = known != null && known.atMillis() >= windowStart && known.lagMillis() > lag;
        if (!standing && recordLag(name, now, lag, windowStart)) {
            return;
        }
        try {
            client.updateItem(b -> b.tableName(table).key(key(name))
                    .updateExpression("SET #at = :at")
                    .conditionExpression("attribute_exists(#sk)")
                    .expressionAttributeNames(Map.of("#at", LAST_FED_AT, "#sk", SK))
                    .expressionAttributeValues(Map.of(":at", s(now.toString()))));
        } catch (ConditionalCheckFailedException notRegistered) {
            // nothing to record on: the read model has no registry item (yet)
        }
    }

    /** The conditional write of lastFedAt with the lag; false when refused (no item, or a larger lag stands). */
    private boolean recordLag(String name, Instant now, long lag, long windowStart) {
        Map<String, String> names = Map.of("#at", LAST_FED_AT, "#lag", LAG_MILLIS, "#lagAt", LAG_AT, "#sk", SK);
        try {
            client.updateItem(b -> b.tableName(table).key(key(name))
                    .updateExpression("SET #at = :at, #lag = :lag, #lagAt = :lagAt")
                    .conditionExpression("attribute_exists(#sk) AND (attribute_not_exists(#lag)"
                            + " OR attribute_not_exists(#lagAt) OR #lagAt < :windowStart OR #lag <= :lag)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(Map.of(":at", s(now.toString()), ":lag", n(lag),
                            ":lagAt", n(now.toEpochMilli()), ":windowStart", n(windowStart)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            knownLags.put(name, new RecordedLag(lag, now.toEpochMilli()));
            return true;
        } catch (ConditionalCheckFailedException notRegisteredOrLagStands) {
            Map<String, AttributeValue> item = notRegisteredOrLagStands.hasItem() ? notRegisteredOrLagStands.item()
                    : Map.of();
            if (item.get(LAG_MILLIS) != null && item.get(LAG_AT) != null) {
                knownLags.put(name, new RecordedLag(Long.parseLong(item.get(LAG_MILLIS).n()),
                        Long.parseLong(item.get(LAG_AT).n())));
            }
            return false;
        }
    }

    private AttributeValue versionValue(int projectionVersion, State state, int segments) {
        return AttributeValue.fromM(Map.of(PROJECTION_VERSION, n(projectionVersion), STATE, s(state.name()),
                CREATED_AT, s(clock.instant().toString()), SEGMENTS, n(segments), REBUILT_EVENTS, n(0),
                SEGMENT_EVENTS, AttributeValue.fromM(Map.of())));
    }

    static Entry parse(String name, Map<String, AttributeValue> item) {
        SortedMap<Integer, VersionEntry> versions = new TreeMap<>();
        AttributeValue vs = item.get(VERSIONS);
        if (vs != null && vs.hasM()) {
            for (var e : vs.m().entrySet()) {
                int number = Integer.parseInt(e.getKey());
                Map<String, AttributeValue> m = e.getValue().m();
                State state = State.valueOf(m.get(STATE).s());
                long rebuilt = num(m, REBUILT_EVENTS);
                AttributeValue bySegment = m.get(SEGMENT_EVENTS);
                if (state == State.BUILDING && bySegment != null && bySegment.hasM()) {
                    rebuilt = bySegment.m().values().stream().mapToLong(v -> Long.parseLong(v.n())).sum();
                }
                versions.put(number, new VersionEntry(number, (int) num(m, PROJECTION_VERSION), state,
                        Instant.parse(m.get(CREATED_AT).s()), (int) num(m, SEGMENTS), rebuilt));
            }
        }
        Optional<Instant> lastFedAt = Optional.ofNullable(item.get(LAST_FED_AT)).map(v -> Instant.parse(v.s()));
        Optional<Duration> lag = Optional.ofNullable(item.get(LAG_MILLIS)).map(v -> Duration.ofMillis(
                Long.parseLong(v.n())));
        return new Entry(name, (int) num(item, SERVING), (int) num(item, NEXT_VERSION),
                java.util.Collections.unmodifiableSortedMap(versions), lastFedAt, lag);
    }

    static Map<String, AttributeValue> key(String name) {
        return Map.of(PK, s(SUBSCRIBER), SK, s(name));
    }

    private static long num(Map<String, AttributeValue> m, String attribute) {
        AttributeValue v = m.get(attribute);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    /**
     * Before retry {@code attempt} of a batch write's unprocessed items: nothing the first time, then 40 ms doubling
     * up to 1 s. Every batch writer of the read models uses it (the registry, a rebuild,
     * {@link dev.nosqles.dynamodb.DynamoDbReadModels}' deletes).
     */
    public static void backOff(int attempt) {
        if (attempt == 0) {
            return;
        }
        try {
            Thread.sleep(Math.min(1_000, 20L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
