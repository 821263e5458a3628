package dev.nosqles.bench;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.subscription.Subscriber;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Section 10: what a subscriber's checkpoints cost per delivered event (issue 15, item 2), counted on the
 * checkpoints table by {@link CapacityMeter} (the events are written and read through an unmetered client).
 *
 * <p>A history of {@code aggregates} aggregates with {@code commitsPerAggregate} one-event commits each, in the
 * order a stream delivers them (version 1 of every aggregate, then version 2, ...), is dispatched to a subscriber
 * whose handler writes nothing, in two ways side by side:
 * <ul>
 *   <li><b>one commit per batch</b>: what a checkpoint per delivered event cost, and still costs at low traffic
 *       (every batch holds one commit);</li>
 *   <li><b>batches of {@code batchSize} records</b> (Lambda's default for a DynamoDB stream is 100): one checkpoint
 *       move per aggregate per batch.</li>
 * </ul>
 * Each for a subscriber that keeps checkpoints (the default) and a relay built without them (ADR 0011).
 */
public final class SubscriptionCosts {
    private SubscriptionCosts() {
    }

    /**
     * @param aggregates how many aggregates
     * @param commitsPerAggregate one-event commits per aggregate
     * @param batchSize stream records per batch in the batched mode
     */
    public record Config(int aggregates, int commitsPerAggregate, int batchSize) {
        public Config {
            if (aggregates < 1 || commitsPerAggregate < 1 || batchSize < 1) {
                throw new IllegalArgumentException("aggregates, commits per aggregate and batch size must be positive");
            }
        }

        public static Config full() {
            return new Config(50, 10, 100);
        }
    }

    /**
     * One subscriber kind in one delivery mode.
     *
     * @param subscriber "checkpoints" or "relay (no checkpoints)"
     * @param mode "one commit per batch" or "batches of N records"
     * @param batches batches dispatched
     * @param events events delivered (and handled)
     * @param expectedMoves one checkpoint move per aggregate per batch: the goal's ceiling (0 for a relay)
     * @param checkpointWrites write requests on the checkpoints table
     * @param checkpointReads read requests on the checkpoints table (GetItem, BatchGetItem)
     * @param writeUnits write units on the checkpoints table
     */
    public record Row(String subscriber, String mode, int batches, long events, long expectedMoves,
                      long checkpointWrites, long checkpointReads, long writeUnits) {
        public double writeUnitsPerEvent() {
            return events == 0 ? 0 : (double) writeUnits / events;
        }
    }

    public record Result(Config config, List<Row> rows) {
    }

    public static Result run(BenchEnv env, Config config) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String eventsTable = "bench-subscriptions-events-" + suffix;
        String checkpointsTable = "bench-subscriptions-checkpoints-" + suffix;
        EventTables.createEventsTable(env.plain(), eventsTable);
        DynamoDbCheckpointStore.createTable(env.plain(), checkpointsTable);
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(env.plain()).tableName(eventsTable).build();
        DynamoDbCheckpointStore checkpoints = DynamoDbCheckpointStore.builder().client(env.metered())
                .tableName(checkpointsTable).build();
        List<Map<String, AttributeValue>> stream = history(env, store, eventsTable, config);

        List<Row> rows = new ArrayList<>();
        for (boolean keeps : List.of(true, false)) {
            rows.add(measure(env, checkpoints, store, stream, keeps, 1, "one commit per batch"));
            rows.add(measure(env, checkpoints, store, stream, keeps, config.batchSize(),
                    "batches of " + config.batchSize() + " records"));
        }
        env.plain().deleteTable(b -> b.tableName(eventsTable));
        env.plain().deleteTable(b -> b.tableName(checkpointsTable));
        return new Result(config, rows);
    }

    /** The commit items in stream order: version 1 of every aggregate, then version 2, ... */
    private static List<Map<String, AttributeValue>> history(BenchEnv env, DynamoDbEventStore store, String table,
                                                             Config config) {
        AggregateRepository<Ledger.State, Ledger.Command, Ledger.Event> ledgers =
                AggregateRepository.builder(new Ledger()).eventStore(store).build();
        for (int a = 0; a < config.aggregates(); a++) {
            ledgers.create("l-" + a, new Ledger.Open("owner-" + a));
            for (int c = 1; c < config.commitsPerAggregate(); c++) {
                ledgers.update("l-" + a, new Ledger.Deposit(c, "m"));
            }
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = env.plain().scan(b -> b.tableName(table).consistentRead(true).exclusiveStartKey(from));
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        items.sort(Comparator.<Map<String, AttributeValue>>comparingLong(
                        i -> Long.parseLong(i.get(EventTables.VERSION_ATTRIBUTE).n()))
                .thenComparing(i -> i.get(EventTables.STREAM_ID_ATTRIBUTE).s()));
        return items;
    }

    private static Row measure(BenchEnv env, DynamoDbCheckpointStore checkpoints, DynamoDbEventStore store,
                               List<Map<String, AttributeValue>> stream, boolean keeps, int batchSize, String mode) {
        AtomicLong handled = new AtomicLong();
        Subscriber.Builder builder = Subscriber.builder("bench-" + (keeps ? "checkpoints" : "relay") + "-"
                + batchSize);
        if (!keeps) {
            builder.withoutCheckpoints();
        }
        Subscriber subscriber = builder.onRaw(Ledger.TYPE, (event, ctx) -> handled.incrementAndGet()).build();
        EventDispatcher dispatcher = new EventDispatcher(List.of(subscriber), checkpoints, store);
        CapacityMeter.Usage before = env.meter().usage();
        int batches = 0;
        long expectedMoves = 0;
        for (int from = 0; from < stream.size(); from += batchSize) {
            List<Map<String, AttributeValue>> batch = stream.subList(from, Math.min(stream.size(), from + batchSize));
            EventDispatcher.Result result = dispatcher.dispatch(batch);
            if (!result.succeeded()) {
                throw new IllegalStateException("batch " + batches + " failed", result.failure());
            }
            batches++;
            Set<String> aggregates = new HashSet<>();
            batch.forEach(item -> aggregates.add(item.get(EventTables.STREAM_ID_ATTRIBUTE).s()));
            expectedMoves += keeps ? aggregates.size() : 0;
        }
        CapacityMeter.Usage used = env.meter().usage().minus(before);
        long writes = used.requests(CapacityMeter.Operation.PUT_ITEM)
                + used.requests(CapacityMeter.Operation.TRANSACT_WRITE_ITEMS);
        long reads = used.requests(CapacityMeter.Operation.GET_ITEM) + used.requests(CapacityMeter.Operation.OTHER);
        return new Row(keeps ? "checkpoints" : "relay (no checkpoints)", mode, batches, handled.get(), expectedMoves,
                writes, reads, used.writeUnits());
    }

    /** Per batch, at most one checkpoint write per aggregate and subscriber; a relay none. */
    public static List<Check> checks(Result result) {
        List<Check> checks = new ArrayList<>();
        for (Row r : result.rows()) {
            checks.add(new Check("subscriptions: " + r.subscriber() + ", " + r.mode()
                    + ": at most one checkpoint write per aggregate per batch",
                    r.checkpointWrites() <= r.expectedMoves() && r.events() > 0,
                    r.checkpointWrites() + " writes, " + r.expectedMoves() + " aggregate-batches, " + r.events()
                            + " events"));
        }
        return checks;
    }

    /** Section 10 of the report; {@code r} null: not measured. */
    public static String section(Result r) {
        StringBuilder md = new StringBuilder("## 10. Subscriptions: checkpoint writes per delivered event\n\n");
        if (r == null) {
            return md.append("Not measured: the section failed (see the checks).\n\n").toString();
        }
        Config c = r.config();
        md.append("A history of ").append(c.aggregates()).append(" aggregates × ").append(c.commitsPerAggregate())
                .append(" one-event commits, in stream order (version 1 of every aggregate, then version 2, ...),")
                .append(" dispatched by `EventDispatcher` to one subscriber whose handler writes nothing. Counted on")
                .append(" the checkpoints table by `CapacityMeter` from the requests really sent (the events go")
                .append(" through another client). *One commit per batch* is what a checkpoint per delivered event")
                .append(" cost before issue 15, and what it still costs when traffic is so low that every batch holds")
                .append(" one commit; *batches of ").append(c.batchSize()).append(" records* (Lambda's default batch")
                .append(" size for a DynamoDB stream) move each aggregate's checkpoint once per batch. A relay is")
                .append(" built `withoutCheckpoints()` (ADR 0011): the saga starter, command sender and reply sender,")
                .append(" whose receivers deduplicate.\n\n");
        md.append("**Goal** (issue 15): at most one checkpoint write per aggregate per batch per subscriber, without")
                .append(" weakening exactly-once; write units per delivered event per subscriber before and after.\n\n");
        md.append("| Subscriber | Delivery | Batches | Events | Aggregate-batches (ceiling) | Checkpoint writes |")
                .append(" Checkpoint read requests | WRU | WRU per event |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : r.rows()) {
            md.append("| ").append(row.subscriber()).append(" | ").append(row.mode()).append(" | ")
                    .append(row.batches()).append(" | ").append(row.events()).append(" | ")
                    .append(row.expectedMoves()).append(" | ").append(row.checkpointWrites()).append(" | ")
                    .append(row.checkpointReads()).append(" | ").append(row.writeUnits()).append(" | **")
                    .append(Report.f(row.writeUnitsPerEvent(), 3)).append("** |\n");
        }
        md.append("\nA subscriber with writes of its own (a read model's rows) commits them in the checkpoint's")
                .append(" transaction: two units per item, shared the same way by the aggregate's events of the batch")
                .append(" (ADR 0003). What a whole order costs, checkpoints included, is section 9.\n\n");
        return md.toString();
    }
}
