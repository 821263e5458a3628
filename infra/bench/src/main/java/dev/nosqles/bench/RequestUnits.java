package dev.nosqles.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.aggregate.EventJson;
import dev.nosqles.bench.baseline.BaselineStore;
import dev.nosqles.bench.baseline.EventItems;
import dev.nosqles.bench.baseline.EventuateLayoutStore;
import dev.nosqles.bench.baseline.PerEventItemStore;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.capacity.CapacityUnits;
import dev.nosqles.capacity.ItemSize;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.dynamodb.DynamoDbStreamImages;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.Snapshot;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Section 1: request units per command and per aggregate load, for the framework's store (one item per commit)
 * and the two baselines, counted by {@link CapacityMeter} from the real requests each sends.
 */
public final class RequestUnits {
    /** The ledger state's JSON, configured like the framework's event mapper (exact decimals, ISO instants). */
    private static final ObjectMapper JSON = EventJson.newObjectMapper();
    public static final String OURS = "nosql-es";
    public static final String EVENTUATE = "eventuate";
    public static final String PER_EVENT = "per-event";
    public static final List<String> STORES = List.of(OURS, EVENTUATE, PER_EVENT);

    private static final StreamId WRITE_STREAM = StreamId.of(Ledger.TYPE, "w");
    private static final StreamId READ_STREAM = StreamId.of(Ledger.TYPE, "r");

    private RequestUnits() {
    }

    /**
     * @param eventBytes sizes of one event's JSON data
     * @param eventsPerCommand events each command appends
     * @param commandsPerScenario commands measured per write scenario (after the creating one)
     * @param loadLengths stream lengths (events) of the load scenarios
     * @param snapshotEvery snapshot policies of the load scenarios (0 = off)
     * @param loadEventBytes size of each event's data in the load scenarios
     */
    public record Config(List<Integer> eventBytes, List<Integer> eventsPerCommand, int commandsPerScenario,
                         List<Integer> loadLengths, List<Integer> snapshotEvery, int loadEventBytes) {
        public static Config full() {
            return new Config(List.of(200, 900, 3 * 1024), List.of(1, 5, 20), 3, List.of(10, 100, 1_000),
                    List.of(0, 50, 200), 200);
        }
    }

    /**
     * The cost of one command (averaged over the scenario's commands; all are alike).
     *
     * @param bytesWritten the item bytes one command writes (DynamoDB's size rules)
     * @param itemUnits the write units of those items if each were written alone, outside a transaction
     */
    public record WriteCost(String store, int eventBytes, int eventsPerCommand, double writeUnits, double requests,
                            double itemsWritten, long bytesWritten, long itemUnits, double dollarsPerMillion) {
    }

    /**
     * The cost of one aggregate load.
     *
     * @param snapshotVersion the version of the snapshot the load starts from (0: none)
     */
    public record ReadCost(String store, int events, int snapshotEvery, long snapshotVersion, double readUnits,
                           long requests, long itemsRead, double dollarsPerMillion) {
    }

    public record Result(List<WriteCost> writes, List<ReadCost> reads) {
        public Optional<WriteCost> write(String store, int eventBytes, int eventsPerCommand) {
            return writes.stream().filter(w -> w.store().equals(store) && w.eventBytes() == eventBytes
                    && w.eventsPerCommand() == eventsPerCommand).findFirst();
        }

        public Optional<ReadCost> read(String store, int events, int snapshotEvery) {
            return reads.stream().filter(r -> r.store().equals(store) && r.events() == events
                    && r.snapshotEvery() == snapshotEvery).findFirst();
        }
    }

    public static Result run(BenchEnv env, Config config) {
        List<WriteCost> writes = new ArrayList<>();
        for (int bytes : config.eventBytes()) {
            for (int count : config.eventsPerCommand()) {
                writes.add(writeOurs(env, bytes, count, config.commandsPerScenario()));
                writes.add(writeBaseline(env, EVENTUATE, bytes, count, config.commandsPerScenario()));
                writes.add(writeBaseline(env, PER_EVENT, bytes, count, config.commandsPerScenario()));
            }
        }
        List<ReadCost> reads = new ArrayList<>();
        for (int length : config.loadLengths()) {
            reads.addAll(reads(env, length, config.snapshotEvery(), config.loadEventBytes()));
        }
        return new Result(writes, reads);
    }

    /** The facts a run must show; a failure means the framework or the meter is wrong. */
    public static List<Check> checks(Result result) {
        List<Check> checks = new ArrayList<>();
        WriteCost single = result.write(OURS, 200, 1).orElse(null);
        if (single != null) {
            checks.add(Check.of("one 200 B event = 1 WCU with nosql-es", single.writeUnits() == 1.0,
                    "measured " + single.writeUnits() + " WCU for a " + single.bytesWritten() + " B item"));
        }
        for (WriteCost w : result.writes()) {
            if (w.store().equals(OURS) && w.eventsPerCommand() == 1 && w.bytesWritten() < 1024) {
                checks.add(Check.of("single-event command under 1 KB = 1 WCU (" + w.eventBytes() + " B event)",
                        w.writeUnits() == 1.0, "measured " + w.writeUnits() + " WCU for " + w.bytesWritten() + " B"));
            }
            if (w.store().equals(OURS)) {
                checks.add(Check.of("nosql-es writes one item per command (" + w.eventBytes() + " B x "
                        + w.eventsPerCommand() + ")", w.itemsWritten() == 1.0 && w.writeUnits() == w.itemUnits(),
                        w.itemsWritten() + " items, " + w.writeUnits() + " WCU, items' own units " + w.itemUnits()));
            }
        }
        return checks;
    }

    // ---------------------------------------------------------------- writes

    private static WriteCost writeOurs(BenchEnv env, int bytes, int count, int commands) {
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(env.metered()).clock(BenchEnv.FIXED_CLOCK)
                .tableName(env.newEventsTable("units-ours")).build();
        EventMetadata meta = Payloads.metadata();
        ExpectedVersion v = store.append(WRITE_STREAM, ExpectedVersion.noStream(), List.of(Payloads.opened("ann")),
                meta).nextExpectedVersion();
        CapacityMeter.Usage before = env.meter().usage();
        long bytesWritten = 0;
        long itemUnits = 0;
        for (int k = 0; k < commands; k++) {
            List<NewEvent> events = Payloads.deposits(count, bytes, 1 + (long) k * count);
            if (k == 0) {
                Map<String, AttributeValue> item = DynamoDbStreamImages.encode(WRITE_STREAM, v.version() + 1, events, meta,
                        BenchEnv.FIXED_CLOCK.instant());
                bytesWritten = ItemSize.of(item);
                itemUnits = CapacityUnits.write(bytesWritten, false);
            }
            v = store.append(WRITE_STREAM, v, events, meta).nextExpectedVersion();
        }
        return writeCost(OURS, bytes, count, commands, env.meter().usage().minus(before), bytesWritten, itemUnits);
    }

    private static WriteCost writeBaseline(BenchEnv env, String name, int bytes, int count, int commands) {
        BaselineStore store = baseline(env, name, "units");
        EventMetadata meta = Payloads.metadata();
        store.append(WRITE_STREAM, 0, List.of(Payloads.opened("ann")), meta);
        long version = 1;
        CapacityMeter.Usage before = env.meter().usage();
        long bytesWritten = 0;
        long itemUnits = 0;
        for (int k = 0; k < commands; k++) {
            List<NewEvent> events = Payloads.deposits(count, bytes, 1 + (long) k * count);
            if (k == 0) {
                List<Map<String, AttributeValue>> items = new ArrayList<>(EventItems.items(WRITE_STREAM, version,
                        events, meta, BenchEnv.FIXED_CLOCK.instant()));
                if (name.equals(EVENTUATE)) {
                    items.add(EventuateLayoutStore.entityItem(WRITE_STREAM, version + count,
                            events.get(count - 1).eventId()));
                }
                for (Map<String, AttributeValue> item : items) {
                    long size = ItemSize.of(item);
                    bytesWritten += size;
                    itemUnits += CapacityUnits.write(size, false);
                }
            }
            store.append(WRITE_STREAM, version, events, meta);
            version += count;
        }
        return writeCost(name, bytes, count, commands, env.meter().usage().minus(before), bytesWritten, itemUnits);
    }

    private static WriteCost writeCost(String store, int bytes, int count, int commands, CapacityMeter.Usage used,
                                       long bytesWritten, long itemUnits) {
        double units = (double) used.writeUnits() / commands;
        return new WriteCost(store, bytes, count, units, (double) used.totalRequests() / commands,
                (double) used.itemsWritten() / commands, bytesWritten, itemUnits, Pricing.writeDollarsPerMillion(units));
    }

    private static BaselineStore baseline(BenchEnv env, String name, String purpose) {
        return switch (name) {
            case EVENTUATE -> new EventuateLayoutStore(env.metered(), env.newEventsTable(purpose + "-eventuate"),
                    env.newKeyedTable(purpose + "-eventuate-entities"), BenchEnv.FIXED_CLOCK);
            case PER_EVENT -> new PerEventItemStore(env.metered(), env.newEventsTable(purpose + "-per-event"),
                    BenchEnv.FIXED_CLOCK);
            default -> throw new IllegalArgumentException("no baseline " + name);
        };
    }

    // ---------------------------------------------------------------- reads

    private static List<ReadCost> reads(BenchEnv env, int length, List<Integer> policies, int eventBytes) {
        // the same events in each layout, one event per command
        DynamoDbEventStore ours = DynamoDbEventStore.builder().client(env.metered()).clock(BenchEnv.FIXED_CLOCK)
                .tableName(env.newEventsTable("load-ours")).build();
        BaselineStore eventuate = baseline(env, EVENTUATE, "load");
        BaselineStore perEvent = baseline(env, PER_EVENT, "load");
        EventMetadata meta = Payloads.metadata();
        ExpectedVersion v = ExpectedVersion.noStream();
        for (long version = 1; version <= length; version++) {
            List<NewEvent> events = version == 1 ? List.of(Payloads.opened("ann"))
                    : List.of(Payloads.codec().encode(java.util.UUID.randomUUID(),
                            Payloads.deposit(version, eventBytes)));
            v = ours.append(READ_STREAM, v, events, meta).nextExpectedVersion();
            eventuate.append(READ_STREAM, version - 1, events, meta);
            perEvent.append(READ_STREAM, version - 1, events, meta);
        }
        List<ReadCost> out = new ArrayList<>();
        for (int every : policies) {
            long snapshotVersion = every == 0 ? 0 : (length / every) * (long) every;
            out.add(loadOurs(env, ours, length, every, snapshotVersion));
            out.add(loadBaseline(env, eventuate, length, every, snapshotVersion));
            out.add(loadBaseline(env, perEvent, length, every, snapshotVersion));
        }
        return out;
    }

    /** Through the repository, from a snapshot taken as the repository takes it. */
    private static ReadCost loadOurs(BenchEnv env, DynamoDbEventStore store, int length, int every,
                                     long snapshotVersion) {
        SnapshotStore snapshots = snapshotStore(env, every, snapshotVersion);
        AggregateRepository<Ledger.State, Ledger.Command, Ledger.Event> repo = AggregateRepository
                .builder(new Ledger(every)).eventStore(store).snapshotStore(snapshots).clock(BenchEnv.FIXED_CLOCK)
                .build();
        CapacityMeter.Usage before = env.meter().usage();
        AggregateState<Ledger.State> state = repo.get(READ_STREAM.id());
        CapacityMeter.Usage used = env.meter().usage().minus(before);
        verify(OURS, state.state(), state.version(), length);
        return readCost(OURS, length, every, snapshotVersion, used);
    }

    /** What a hand-written repository on the baseline's layout does: snapshot if any, then the later events. */
    private static ReadCost loadBaseline(BenchEnv env, BaselineStore store, int length, int every,
                                         long snapshotVersion) {
        SnapshotStore snapshots = snapshotStore(env, every, snapshotVersion);
        EventCodec<Ledger.Event> codec = Payloads.codec();
        Ledger ledger = new Ledger();
        CapacityMeter.Usage before = env.meter().usage();
        Ledger.State state = ledger.initialState();
        long version = 0;
        if (every > 0) {
            Optional<Snapshot> snapshot = snapshots.load(READ_STREAM);
            if (snapshot.isPresent()) {
                state = fromJson(snapshot.get().data());
                version = snapshot.get().version();
            }
        }
        for (RecordedEvent e : store.read(READ_STREAM, version + 1)) {
            state = ledger.apply(state, codec.decode(e).event());
            version = e.version();
        }
        CapacityMeter.Usage used = env.meter().usage().minus(before);
        verify(store.name(), state, version, length);
        return readCost(store.name(), length, every, snapshotVersion, used);
    }

    private static SnapshotStore snapshotStore(BenchEnv env, int every, long snapshotVersion) {
        if (every == 0) {
            return SnapshotStore.none();
        }
        DynamoDbSnapshotStore snapshots = DynamoDbSnapshotStore.builder().client(env.metered())
                .tableName(env.newKeyedTable("load-snapshots")).build();
        if (snapshotVersion > 0) {
            // the snapshot the repository would have taken at that version: same JSON, same item
            snapshots.save(new Snapshot(READ_STREAM, snapshotVersion, "LedgerState", 1,
                    toJson(expectedState(snapshotVersion)), BenchEnv.FIXED_CLOCK.instant(), List.of()));
        }
        return snapshots;
    }

    private static ReadCost readCost(String store, int length, int every, long snapshotVersion,
                                     CapacityMeter.Usage used) {
        return new ReadCost(store, length, every, snapshotVersion, used.readUnits(), used.totalRequests(),
                used.itemsRead(), Pricing.readDollarsPerMillion(used.readUnits()));
    }

    /** Opened at version 1, then a deposit of {@code v} at each version {@code v}. */
    static Ledger.State expectedState(long version) {
        long balance = 0;
        for (long v = 2; v <= version; v++) {
            balance += v;
        }
        return new Ledger.State("ann", balance, version - 1, true);
    }

    private static void verify(String store, Ledger.State state, long version, long length) {
        if (version != length || !state.equals(expectedState(length))) {
            throw new BenchCheckFailedException(List.of(Check.of("load of " + store + " returns the written state",
                    false, "version " + version + ", state " + state)));
        }
    }

    private static String toJson(Ledger.State state) {
        try {
            return JSON.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the ledger state", e);
        }
    }

    private static Ledger.State fromJson(String json) {
        try {
            return JSON.readValue(json, Ledger.State.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read the ledger state", e);
        }
    }
}
