package dev.nosqles.bench;

import dev.nosqles.app.Application;
import dev.nosqles.app.customer.CustomerCommand;
import dev.nosqles.app.order.OrderCommand;
import dev.nosqles.capacity.CapacityUnits;
import dev.nosqles.capacity.ItemSize;
import dev.nosqles.dynamodb.DynamoDbStreamImages;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Section 7: a full-history rebuild ({@link DynamoDbReadModels#rebuild}) against a bare parallel Scan of the same
 * events table on the same endpoint in the same run: the same segments, page size, consistent reads and filter
 * (the projection's aggregate types). The bare Scan reads and counts; it decodes nothing and writes nothing, so
 * it is the ceiling the rebuild is measured against (goal: at least {@value #GOAL}× its events/s). The table is
 * seeded through the reference application's repositories: per order, its creation, the customer's credit
 * reservation and the approval (customers' items are scanned and filtered out, as in a real table). The bare Scan
 * runs before and after the rebuild; the ratio is taken against their mean.
 *
 * <p>Write units: every write of the rebuild (rows, checkpoints, progress and registry) by
 * {@link CapacityUnits}' rules, per event handed to the projection. Puts are sized from their items; a delete or
 * update (its cost depends on the stored item, which the request does not carry) is charged as an item under
 * 1 KB, which the summary rows, checkpoints and progress items are.
 */
public final class RebuildThroughput {
    public static final double GOAL = 0.5;
    /** The reference application's read model the section rebuilds. */
    public static final String PROJECTION = "order-summaries";

    private RebuildThroughput() {
    }

    /**
     * @param orders orders seeded (3 commits each: created, credit reserved on the customer, approved)
     * @param customers customers the orders are spread over
     * @param segments parallel Scan segments, for both sides
     * @param pageSize Scan page size (Limit), for both sides
     */
    public record Config(int orders, int customers, int segments, int pageSize) {
        public static Config full() {
            return new Config(2000, 40, 4, 500);
        }

        public static Config quick() {
            return new Config(200, 10, 4, 100);
        }
    }

    /** One pass over the table: items read (before the filter), matching items, events, time. */
    public record Pass(String label, long itemsScanned, long itemsMatched, long events, long requests, double seconds,
                       double eventsPerSecond) {
    }

    /**
     * Write units of the rebuild by kind.
     *
     * @param rowWrites row puts and deletes in the read-models table
     * @param rowUnits their units (transactional: twice)
     * @param checkpointWrites checkpoint puts (one per aggregate per page that moved it)
     * @param checkpointUnits their units
     * @param bookkeepingWrites progress and registry updates
     * @param bookkeepingUnits their units
     * @param transactions TransactWriteItems requests
     */
    public record WriteUnits(long rowWrites, long rowUnits, long checkpointWrites, long checkpointUnits,
                             long bookkeepingWrites, long bookkeepingUnits, long transactions) {
        public long total() {
            return rowUnits + checkpointUnits + bookkeepingUnits;
        }
    }

    /**
     * @param ratio rebuild events/s over the mean of the two bare passes
     * @param unitsPerEvent all write units of the rebuild per event
     * @param rowUnitsPerEvent the read model's own rows per event
     * @param transactionSeconds wall-clock time of the rebuild with at least one TransactWriteItems in flight
     * @param ratioApartFromTransactions the ratio with the rebuild's time less {@code transactionSeconds}: an
     *                                   estimate of what the rest of the rebuild costs next to the bare Scan, for a
     *                                   backend whose transactions do not slow down as tables grow (moto copies every
     *                                   table a transaction touches, per item, before applying it)
     */
    public record Result(int orders, String projection, int segments, int pageSize, long tableItems, long seedSeconds,
                         Pass bareBefore, Pass rebuild, Pass bareAfter, double ratio, double goal,
                         WriteUnits writeUnits, double unitsPerEvent, double rowUnitsPerEvent, int builtVersion,
                         double transactionSeconds, double ratioApartFromTransactions) {
        public boolean goalMet() {
            return ratio >= goal;
        }
    }

    /** The reference application's projections. */
    public static List<Projection<?>> applicationProjections() {
        return dev.nosqles.app.readmodel.ReadModelWiring.projections();
    }

    // ----------------------------------------------------------------------------------------------- seeding

    /** Seeds a new events table through the application's repositories; returns its name. */
    public static String seed(BenchEnv env, Config config) throws Exception {
        String events = env.newEventsTable("rebuild");
        Application app = new Application(
                DynamoDbEventStore.builder().client(env.plain()).tableName(events).build(), SnapshotStore.none(),
                Clock.systemUTC(), UUID::randomUUID);
        List<String> customers = new ArrayList<>();
        for (int c = 0; c < config.customers(); c++) {
            String id = "bench-customer-" + c;
            app.customers().create(id, new CustomerCommand.CreateCustomer("Customer " + c,
                    new BigDecimal("100000000.00"), null));
            customers.add(id);
        }
        // each thread has customers of its own (customer = order mod customers): no conflict between threads
        int threads = config.customers() % 4 == 0 ? 4 : config.customers() % 2 == 0 ? 2 : 1;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = thread; i < config.orders(); i += threads) {
                        String customer = customers.get(i % customers.size());
                        String order = "bench-order-" + i;
                        BigDecimal total = new BigDecimal(10 + i % 90 + ".50");
                        app.orders().create(order, new OrderCommand.CreateOrder(customer, total));
                        app.customers().update(customer, new CustomerCommand.ReserveCredit(order, total));
                        app.orders().update(order, new OrderCommand.ApproveOrder());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return events;
    }

    // ----------------------------------------------------------------------------------------------- bare Scan

    /**
     * A bare parallel Scan: {@code segments} threads, each reading its segment with consistent reads and the filter
     * {@code begins_with(streamId, "{Type}-")} for each aggregate type, counting items and events (from the keys:
     * {@code lastVersion - version + 1}), decoding nothing.
     */
    public static Pass bareScan(DynamoDbClient client, String table, Set<String> aggregateTypes, int segments,
                                int pageSize, String label) throws Exception {
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> conditions = new ArrayList<>();
        int i = 0;
        for (String type : aggregateTypes.stream().sorted().toList()) {
            values.put(":t" + i, AttributeValue.fromS(type + "-"));
            conditions.add("begins_with(#s, :t" + i + ")");
            i++;
        }
        AtomicLong scanned = new AtomicLong();
        AtomicLong matched = new AtomicLong();
        AtomicLong events = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(segments);
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < segments; s++) {
                int segment = s;
                done.add(pool.submit(() -> {
                    Map<String, AttributeValue> from = null;
                    do {
                        ScanRequest.Builder request = ScanRequest.builder().tableName(table).segment(segment)
                                .totalSegments(segments).limit(pageSize).consistentRead(true)
                                .filterExpression(String.join(" OR ", conditions))
                                .expressionAttributeNames(Map.of("#s", EventTables.STREAM_ID_ATTRIBUTE))
                                .expressionAttributeValues(values);
                        if (from != null) {
                            request.exclusiveStartKey(from);
                        }
                        ScanResponse page = client.scan(request.build());
                        requests.incrementAndGet();
                        scanned.addAndGet(page.scannedCount());
                        matched.addAndGet(page.count());
                        for (Map<String, AttributeValue> item : page.items()) {
                            events.addAndGet(DynamoDbStreamImages.eventCount(item));
                        }
                        from = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                                ? page.lastEvaluatedKey() : null;
                    } while (from != null);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Pass(label, scanned.get(), matched.get(), events.get(), requests.get(), seconds,
                events.get() / seconds);
    }

    // ----------------------------------------------------------------------------------------------- rebuild

    /**
     * The whole section: seeds, then bare Scan, rebuild, bare Scan. {@code projections}: the application's; the
     * one named {@code projection} is rebuilt.
     */
    public static Result run(BenchEnv env, Config config, List<Projection<?>> projections, String projection,
                             Consumer<String> log) throws Exception {
        long seedStart = System.nanoTime();
        String events = seed(env, config);
        long seedSeconds = Math.round((System.nanoTime() - seedStart) / 1e9);
        log.accept("7. seeded " + config.orders() + " orders in " + seedSeconds + " s");
        Projection<?> rebuilt = projections.stream().filter(p -> p.name().equals(projection)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no projection " + projection));

        Pass before = bareScan(env.plain(), events, rebuilt.aggregateTypes(), config.segments(), config.pageSize(),
                "bare parallel Scan (before)");
        log.accept("7. " + before.label() + ": " + Report.f(before.eventsPerSecond(), 0) + " events/s");
        long tableItems = before.itemsScanned();

        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String checkpoints = "bench-rebuild-checkpoints-" + suffix;
        String readModels = "bench-rebuild-read-models-" + suffix;
        EventTables.createCheckpointsTable(env.plain(), checkpoints);
        DynamoDbReadModels.createTable(env.plain(), readModels);
        TableWriteMeter meter = new TableWriteMeter(readModels, checkpoints);
        AtomicReference<RebuildProgress> last = new AtomicReference<>();
        Pass rebuild;
        ReadModelStatus status;
        try (DynamoDbClient metered = env.aws().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build()) {
            byte[] key = new byte[32];
            DynamoDbReadModels models = DynamoDbReadModels.builder().client(metered).eventsTable(events)
                    .checkpointsTable(checkpoints).readModelsTable(readModels)
                    .eventStore(DynamoDbEventStore.builder().client(metered).tableName(events).build())
                    .projections(projections).cursorKey(key).build();
            long start = System.nanoTime();
            status = models.rebuild(projection, new DynamoDbReadModels.RebuildOptions(config.segments(),
                    config.pageSize()), last::set);
            double seconds = (System.nanoTime() - start) / 1e9;
            RebuildProgress p = last.get();
            long handed = p == null ? 0 : p.events();
            rebuild = new Pass("DynamoDbReadModels.rebuild", p == null ? 0 : p.scannedItems(), -1, handed,
                    meter.requests(), seconds, handed / seconds);
        }
        log.accept("7. rebuild: " + Report.f(rebuild.eventsPerSecond(), 0) + " events/s");

        Pass after = bareScan(env.plain(), events, rebuilt.aggregateTypes(), config.segments(), config.pageSize(),
                "bare parallel Scan (after)");
        log.accept("7. " + after.label() + ": " + Report.f(after.eventsPerSecond(), 0) + " events/s");
        double bare = (before.eventsPerSecond() + after.eventsPerSecond()) / 2;
        WriteUnits units = meter.units();
        int built = status.versions().stream().mapToInt(ReadModelStatus.Version::version).max().orElse(0);
        double txSeconds = meter.transactionNanos() / 1e9;
        double apart = rebuild.events() / Math.max(1e-9, rebuild.seconds() - txSeconds) / bare;
        return new Result(config.orders(), projection, config.segments(), config.pageSize(), tableItems, seedSeconds,
                before, rebuild, after, rebuild.eventsPerSecond() / bare, GOAL, units,
                rebuild.events() == 0 ? Double.NaN : (double) units.total() / rebuild.events(),
                rebuild.events() == 0 ? Double.NaN : (double) units.rowUnits() / rebuild.events(), built,
                txSeconds, apart);
    }

    public static List<Check> checks(Result r) {
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of("rebuild: every event of the projected aggregates handed over once",
                r.rebuild().events() == r.bareBefore().events(),
                r.rebuild().events() + " events rebuilt, " + r.bareBefore().events() + " in the table"));
        // the ratio against its goal is reported beside it (section 7), not checked: on moto it is dominated by the
        // emulator's transactions, whose cost grows with the tables they touch
        return checks;
    }

    /**
     * Write units per table and kind, by {@link CapacityUnits}' rules (see the class comment for deletes and
     * updates).
     */
    static final class TableWriteMeter implements ExecutionInterceptor {
        private final String rowsTable;
        private final String checkpointsTable;
        private final AtomicLong rowWrites = new AtomicLong();
        private final AtomicLong rowUnits = new AtomicLong();
        private final AtomicLong checkpointWrites = new AtomicLong();
        private final AtomicLong checkpointUnits = new AtomicLong();
        private final AtomicLong bookkeepingWrites = new AtomicLong();
        private final AtomicLong bookkeepingUnits = new AtomicLong();
        private final AtomicLong transactions = new AtomicLong();
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong transactionNanos = new AtomicLong();
        private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Long> STARTED =
                new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("nosqles.bench.txStarted");

        TableWriteMeter(String rowsTable, String checkpointsTable) {
            this.rowsTable = rowsTable;
            this.checkpointsTable = checkpointsTable;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            requests.incrementAndGet();
            SdkRequest request = context.request();
            switch (request) {
                case TransactWriteItemsRequest tx -> {
                    transactions.incrementAndGet();
                    for (TransactWriteItem item : tx.transactItems()) {
                        if (item.put() != null) {
                            count(item.put().tableName(), true, CapacityUnits.write(ItemSize.of(item.put().item()), true));
                        } else if (item.delete() != null) {
                            count(item.delete().tableName(), false, CapacityUnits.write(0, true));
                        } else if (item.update() != null) {
                            count(item.update().tableName(), false, CapacityUnits.write(0, true));
                        } else if (item.conditionCheck() != null) {
                            count(item.conditionCheck().tableName(), false, CapacityUnits.write(0, true));
                        }
                    }
                }
                case PutItemRequest put -> count(put.tableName(), false, CapacityUnits.write(ItemSize.of(put.item()), false));
                case UpdateItemRequest update -> count(update.tableName(), false, CapacityUnits.write(0, false));
                case DeleteItemRequest delete -> count(delete.tableName(), false, CapacityUnits.write(0, false));
                default -> {
                }
            }
        }

        /** {@code checkpoint}: a put in a transaction (a checkpoint when it is on the checkpoints table). */
        private int inFlight;
        private long inFlightSince;

        // wall-clock time with at least one transaction in flight (overlapping ones counted once)
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof TransactWriteItemsRequest) {
                attributes.putAttribute(STARTED, 1L);
                synchronized (this) {
                    if (inFlight++ == 0) {
                        inFlightSince = System.nanoTime();
                    }
                }
            }
        }

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            ended(attributes);
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            ended(attributes);
        }

        private void ended(ExecutionAttributes attributes) {
            if (attributes.getAttribute(STARTED) != null) {
                attributes.putAttribute(STARTED, null);
                synchronized (this) {
                    if (--inFlight == 0) {
                        transactionNanos.addAndGet(System.nanoTime() - inFlightSince);
                    }
                }
            }
        }

        long transactionNanos() {
            return transactionNanos.get();
        }

        private void count(String table, boolean checkpoint, long units) {
            if (table.equals(rowsTable)) {
                rowWrites.incrementAndGet();
                rowUnits.addAndGet(units);
            } else if (table.equals(checkpointsTable) && checkpoint) {
                checkpointWrites.incrementAndGet();
                checkpointUnits.addAndGet(units);
            } else {
                bookkeepingWrites.incrementAndGet();
                bookkeepingUnits.addAndGet(units);
            }
        }

        long requests() {
            return requests.get();
        }

        WriteUnits units() {
            return new WriteUnits(rowWrites.get(), rowUnits.get(), checkpointWrites.get(), checkpointUnits.get(),
                    bookkeepingWrites.get(), bookkeepingUnits.get(), transactions.get());
        }
    }
}
