package dev.nosqles.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.dynamodb.DynamoDbStreamImages;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.localaws.faults.FaultProxy;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.store.RecordedEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Section 11: sustained load, as a new user tries it (issue 15, item 6). {@code clients} clients, each in a loop
 * for {@code load}: create a customer, then an order for it, against the local runtime of {@code make run} (the
 * real template.yaml, every poller running) on the local AWS. One order in {@value #OVER_LIMIT_EVERY} exceeds its
 * customer's credit limit: rejected on its merits. Then the orders are left to settle, for at most
 * {@code settleCap}.
 *
 * <p>Afterwards every order's fate is read from the events table (one Scan): when it was created, for how much,
 * when it was approved or rejected, and why. So the backlog curve (created minus decided, per interval) and the
 * settle time are exact, and an order is decided on its merits when it is approved within its customer's limit or
 * rejected over it (an order within the limit that ends rejected had its saga give up: a deadline expired). Every AWS request of the runtime goes through a {@link FaultProxy} without rules, which
 * counts them: the emulator's request rate is reported beside the orders' (moto answers one request at a time; its
 * rate is the ceiling here, not DynamoDB's).
 *
 * <p>Goal (issue 15): every order decided on its merits (no deadline expired because of the backlog) and the last
 * order settled within 60 s after the load.
 */
public final class SustainedLoad {
    /** One order in this many is over its customer's credit limit. */
    public static final int OVER_LIMIT_EVERY = 10;
    /** Every customer's credit limit. */
    static final java.math.BigDecimal CREDIT_LIMIT = new java.math.BigDecimal("1000.00");
    /** The goal's bound on the settle time after the load. */
    public static final Duration SETTLE_GOAL = Duration.ofSeconds(60);
    /** The request rate of issue 15's report: 20 clients, 60 s, 28 requests per second, all answered 201. */
    public static final double ISSUE_REQUESTS_PER_SECOND = 28;
    /** How often the settle phase asks the read model how many orders are decided. */
    static final Duration SETTLE_LOOK_EVERY = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SustainedLoad() {
    }

    /**
     * @param clients concurrent clients
     * @param loadSeconds how long they create customers and orders
     * @param settleCapSeconds how long to wait afterwards for every order to be decided
     * @param intervalSeconds the backlog curve's interval
     * @param requestsPerSecond the clients' POSTs per second in all, each client paced to its share; 0: each as
     *                          fast as it is answered
     */
    public record Config(int clients, long loadSeconds, long settleCapSeconds, long intervalSeconds,
                         double requestsPerSecond) {
        public Config {
            if (clients < 1 || loadSeconds < 1 || settleCapSeconds < 0 || intervalSeconds < 1
                    || requestsPerSecond < 0) {
                throw new IllegalArgumentException("clients, load and interval must be positive, the rate >= 0");
            }
        }

        /** Clients as fast as they are answered. */
        public Config(int clients, long loadSeconds, long settleCapSeconds, long intervalSeconds) {
            this(clients, loadSeconds, settleCapSeconds, intervalSeconds, 0);
        }

        /**
         * The load of issue 15's report, the goal's load: 20 clients for 60 s, 28 requests per second in all (what
         * they reached then, all answered 201).
         */
        public static Config full() {
            return new Config(20, 60, 600, 5, ISSUE_REQUESTS_PER_SECOND);
        }

        /** The same clients as fast as they are answered: a stress run beyond the goal's load. */
        public static Config flatOut() {
            return new Config(20, 60, 600, 5, 0);
        }

        boolean paced() {
            return requestsPerSecond > 0;
        }

        Duration load() {
            return Duration.ofSeconds(loadSeconds);
        }

        Duration settleCap() {
            return Duration.ofSeconds(settleCapSeconds);
        }

        Duration interval() {
            return Duration.ofSeconds(intervalSeconds);
        }
    }

    /**
     * One interval of the run, from the load's start.
     *
     * @param second the interval's end
     * @param created orders created by then (their first commit)
     * @param decided orders approved or rejected by then
     * @param backlog created minus decided
     * @param awsRequestsPerSecond AWS requests the runtime made per second in the interval
     * @param emulatorBusy the share of the interval in which the emulator had a request to answer (it answers one
     *        at a time: 1.0 is its ceiling)
     */
    public record Point(double second, long created, long decided, long backlog, double awsRequestsPerSecond,
                        double emulatorBusy) {
    }

    /**
     * @param requestsAnswered POSTs answered 201 (customers and orders)
     * @param requestsFailed POSTs answered otherwise, or not at all
     * @param ordersCreated orders the clients were told were created
     * @param ordersPerSecond orders created per second of load
     * @param approved approved orders
     * @param rejectedOnMerits orders over their customer's credit limit, rejected
     * @param rejectedByDeadline orders within the limit and rejected all the same: only a saga that gave up on its
     *        credit reservation (a deadline expired) rejects those
     * @param approvedOverLimit orders over their customer's credit limit, approved all the same (never expected)
     * @param undecided orders neither approved nor rejected when the wait ended
     * @param lastDecidedAfterLoadSeconds from the end of the load to the last decision (NaN if some are undecided)
     * @param awsRequestsPerSecondDuringLoad the emulator's request rate while the clients ran
     * @param peakAwsRequestsPerSecond the highest rate of an interval
     * @param emulatorBusyDuringLoad the share of the load in which the emulator had a request to answer
     * @param requestsPerOrderByOperation the whole run's AWS requests per order created, by service and operation
     * @param awsRequestsPerOrder AWS requests of the whole run per order created
     * @param curve the backlog per interval, from the load's start to the last decision (or the cap)
     * @param reasons rejection reasons and how many orders had each
     */
    public record Result(Config config, long requestsAnswered, long requestsFailed, long ordersCreated,
                         double ordersPerSecond, long approved, long rejectedOnMerits, long rejectedByDeadline,
                         long approvedOverLimit, long undecided, double lastDecidedAfterLoadSeconds, double awsRequestsPerSecondDuringLoad,
                         double peakAwsRequestsPerSecond, double emulatorBusyDuringLoad, double awsRequestsPerOrder,
                         List<Point> curve, Map<String, Long> reasons, Map<String, Double> requestsPerOrderByOperation) {
        /** Every order decided on its merits, the last within {@link #SETTLE_GOAL} after the load. */
        public boolean met() {
            return undecided == 0 && rejectedByDeadline == 0 && approvedOverLimit == 0 && ordersCreated > 0
                    && lastDecidedAfterLoadSeconds <= SETTLE_GOAL.toSeconds();
        }
    }

    /**
     * Section 11's two runs: the goal's load (issue 15's, paced) and the same clients as fast as they are answered.
     */
    public record Runs(Result goal, Result flatOut) {
    }

    /** Both runs, the goal's first. */
    public static Runs runs(LocalAws aws, Config goal, Config flatOut) throws Exception {
        return new Runs(run(aws, goal), run(aws, flatOut));
    }

    /** An order's fate, from its stream. */
    private record Fate(Instant created, boolean overLimit, Instant decided, String state, String reason) {
    }

    public static Result run(LocalAws aws, Config config) throws Exception {
        Logger runtimeLog = Logger.getLogger("dev.nosqles.runtime");
        Level level = runtimeLog.getLevel();
        runtimeLog.setLevel(Level.WARNING);
        String stack = "bench-load-" + UUID.randomUUID().toString().substring(0, 8);
        try (FaultProxy proxy = FaultProxy.start(aws, 1L);
             RunningApp app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate()).withPort(0)
                     .withStackName(stack).withAws(proxy.aws()).withLog(line -> { }));
             DynamoDbClient inspector = aws.dynamoDb();
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .connectTimeout(Duration.ofSeconds(5)).build()) {
            URI base = app.baseUri();
            String eventsTable = app.resources().tableName("EventsTable");
            AtomicLong answered = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            List<String> orders = new CopyOnWriteArrayList<>();
            Samples samples = new Samples(proxy);
            Map<String, Long> operationsBefore = proxy.counts().requests();
            Instant start = Instant.now();
            long startNanos = System.nanoTime();
            long loadEnd = startNanos + config.load().toNanos();
            ExecutorService clients = Executors.newFixedThreadPool(config.clients());
            AtomicLong sequence = new AtomicLong();
            // paced: each client makes its customer-and-order pair every pairNanos, the clients spread over it
            long pairNanos = config.paced() ? (long) (2e9 * config.clients() / config.requestsPerSecond()) : 0;
            for (int c = 0; c < config.clients(); c++) {
                int client = c;
                clients.submit(() -> {
                    long nextPair = startNanos + client * pairNanos / config.clients();
                    while (System.nanoTime() < loadEnd) {
                        if (pairNanos > 0) {
                            long wait = nextPair - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            }
                            nextPair += pairNanos;
                            if (System.nanoTime() >= loadEnd) {
                                break;
                            }
                        }
                        long n = sequence.incrementAndGet();
                        try {
                            JsonNode customer = post(http, base.resolve("/customers"), "{\"name\":\"Load " + client
                                    + "-" + n + "\",\"creditLimit\":\"1000.00\"}");
                            answered.incrementAndGet();
                            String total = n % OVER_LIMIT_EVERY == 0 ? "5000.00" : "10.00";
                            JsonNode order = post(http, base.resolve("/orders"), "{\"customerId\":\""
                                    + customer.path("customerId").asText() + "\",\"orderTotal\":\"" + total + "\"}");
                            answered.incrementAndGet();
                            orders.add(order.path("orderId").asText());
                        } catch (IOException e) {
                            failed.incrementAndGet();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                });
            }
            long intervalMs = config.interval().toMillis();
            long next = intervalMs;
            while (System.nanoTime() < loadEnd) {
                next = samples.upTo(startNanos, next, intervalMs);
                Thread.sleep(50);
            }
            clients.shutdown();
            clients.awaitTermination(1, TimeUnit.MINUTES);
            double loadSeconds = (System.nanoTime() - startNanos) / 1e9;
            Sample duringLoad = samples.now();
            // settle: every order decided, or the cap
            long capEnd = System.nanoTime() + config.settleCap().toNanos();
            // settled when the read model holds every order approved or rejected. A look asks for one pending
            // order first (one Query of its index), and counts the decided ones (pages of 100) only when there is
            // none: counting thousands of orders every look took the emulator's lock from the pipeline, and its
            // requests went into the run's count (a Scan of the growing events table would be worse)
            long lastLook = 0;
            while (System.nanoTime() < capEnd) {
                next = samples.upTo(startNanos, next, intervalMs);
                if (System.nanoTime() - lastLook > SETTLE_LOOK_EVERY.toNanos()) {
                    lastLook = System.nanoTime();
                    if (!anyInState(http, base, "APPROVAL_PENDING")
                            && inState(http, base, "APPROVED") + inState(http, base, "REJECTED") >= orders.size()) {
                        break;
                    }
                }
                Thread.sleep(50);
            }
            samples.upTo(startNanos, next, intervalMs);
            // a last, shorter interval ending now: the curve ends once every order is decided
            samples.at.put((System.nanoTime() - startNanos) / 1_000_000, samples.now());
            Map<String, Fate> fates = fates(inspector, eventsTable);
            long totalRequests = samples.now().requests();
            Map<String, Double> byOperation = new TreeMap<>();
            proxy.counts().requests().forEach((operation, n) -> {
                long during = n - operationsBefore.getOrDefault(operation, 0L);
                if (during > 0 && !orders.isEmpty()) {
                    byOperation.put(operation, (double) during / orders.size());
                }
            });
            return result(config, start, loadSeconds, answered.get(), failed.get(), orders, fates, samples.at,
                    duringLoad, totalRequests, byOperation);
        } finally {
            runtimeLog.setLevel(level);
        }
    }

    /** What the emulator had done since the load's start: its requests and how long it was busy (ms). */
    private record Sample(long requests, long busyMs) {
    }

    /** The emulator's {@link Sample}s at interval ends (ms from the load's start), through the proxy in front of it. */
    private static final class Samples {
        final Map<Long, Sample> at = new ConcurrentHashMap<>();
        private final FaultProxy proxy;
        private final long requestsBefore;
        private final long busyBefore;

        Samples(FaultProxy proxy) {
            this.proxy = proxy;
            this.requestsBefore = requestsSeen(proxy);
            this.busyBefore = proxy.backendBusy().toMillis();
        }

        Sample now() {
            return new Sample(requestsSeen(proxy) - requestsBefore, proxy.backendBusy().toMillis() - busyBefore);
        }

        /** Samples every interval end passed since {@code next}; returns the next interval end. */
        long upTo(long startNanos, long next, long intervalMs) {
            long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
            while (elapsedMs >= next) {
                at.put(next, now());
                next += intervalMs;
            }
            return next;
        }
    }

    /** Every request the proxy forwarded so far (AWS API calls of the runtime and its functions). */
    private static long requestsSeen(FaultProxy proxy) {
        return proxy.counts().requests().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether the read model holds an order in this state ({@code GET /orders?state=S&limit=1}). */
    private static boolean anyInState(HttpClient http, URI base, String state) throws IOException,
            InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/orders?state=" + state
                + "&limit=1")).timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /orders?state=" + state + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body()).path("items").size() > 0;
    }

    /** How many orders the read model holds in this state (pages of 100 of {@code GET /orders?state=S}). */
    private static long inState(HttpClient http, URI base, String state) throws IOException, InterruptedException {
        long count = 0;
        String cursor = null;
        for (int page = 0; page < 1_000; page++) {
            URI uri = base.resolve("/orders?state=" + state + "&limit=100"
                    + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor,
                    java.nio.charset.StandardCharsets.UTF_8)));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET /orders?state=" + state + " answered " + response.statusCode());
            }
            JsonNode body = JSON.readTree(response.body());
            count += body.path("items").size();
            cursor = body.path("next").isTextual() ? body.path("next").asText() : null;
            if (cursor == null) {
                break;
            }
        }
        return count;
    }

    /** Every order's creation and decision, from one Scan of the events table. */
    private static Map<String, Fate> fates(DynamoDbClient dynamo, String table) {
        Map<String, Instant> created = new HashMap<>();
        Map<String, Boolean> overLimit = new HashMap<>();
        Map<String, Fate> decided = new HashMap<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = dynamo.scan(b -> b.tableName(table).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                if (!DynamoDbStreamImages.isCommit(item)) {
                    continue;
                }
                DynamoDbStreamImages.Commit commit = DynamoDbStreamImages.decode(item);
                if (!commit.streamId().type().equals("Order")) {
                    continue;
                }
                String id = commit.streamId().id();
                for (RecordedEvent e : commit.events()) {
                    switch (e.type()) {
                        case "OrderCreated" -> {
                            created.put(id, commit.timestamp());
                            overLimit.put(id, total(e.data()).compareTo(CREDIT_LIMIT) > 0);
                        }
                        case "OrderApproved" -> decided.put(id, new Fate(null, false, commit.timestamp(), "APPROVED",
                                null));
                        case "OrderRejected" -> decided.put(id, new Fate(null, false, commit.timestamp(), "REJECTED",
                                reason(e.data())));
                        default -> { }
                    }
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        Map<String, Fate> fates = new HashMap<>();
        created.forEach((id, at) -> {
            Fate d = decided.get(id);
            boolean over = overLimit.getOrDefault(id, false);
            fates.put(id, d == null ? new Fate(at, over, null, null, null)
                    : new Fate(at, over, d.decided(), d.state(), d.reason()));
        });
        return fates;
    }

    private static java.math.BigDecimal total(String data) {
        try {
            return new java.math.BigDecimal(JSON.readTree(data).path("orderTotal").asText("0"));
        } catch (IOException | NumberFormatException e) {
            return java.math.BigDecimal.ZERO;
        }
    }

    private static String reason(String data) {
        try {
            return JSON.readTree(data).path("reason").asText("unknown");
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private static Result result(Config config, Instant start, double loadSeconds, long answered, long failed,
                                 List<String> orders, Map<String, Fate> fates, Map<Long, Sample> samples,
                                 Sample duringLoad, long totalRequests, Map<String, Double> byOperation) {
        long approved = 0;
        long merits = 0;
        long deadline = 0;
        long wronglyApproved = 0;
        long undecided = 0;
        Instant last = null;
        Map<String, Long> reasons = new TreeMap<>();
        for (String id : orders) {
            Fate f = fates.get(id);
            if (f == null || f.decided() == null) {
                undecided++;
                continue;
            }
            last = last == null || f.decided().isAfter(last) ? f.decided() : last;
            if ("APPROVED".equals(f.state())) {
                approved++;
                wronglyApproved += f.overLimit() ? 1 : 0;
            } else {
                reasons.merge(f.reason(), 1L, Long::sum);
                if (f.overLimit()) {
                    merits++;
                } else {
                    deadline++; // within the limit: only a saga that gave up on the reservation rejects it
                }
            }
        }
        Instant loadEnd = start.plusMillis((long) (loadSeconds * 1000));
        double lastAfterLoad = undecided > 0 || last == null ? Double.NaN
                : Math.max(0, Duration.between(loadEnd, last).toMillis() / 1000.0);
        List<Point> curve = new ArrayList<>();
        long previous = 0;
        long previousMs = 0;
        long previousBusy = 0;
        double peak = 0;
        for (Map.Entry<Long, Sample> at : new TreeMap<>(samples).entrySet()) {
            Instant end = start.plusMillis(at.getKey());
            long created = orders.stream().map(fates::get).filter(f -> f != null && !f.created().isAfter(end)).count();
            long decidedBy = orders.stream().map(fates::get)
                    .filter(f -> f != null && f.decided() != null && !f.decided().isAfter(end)).count();
            long requests = at.getValue().requests();
            long busy = at.getValue().busyMs();
            double rate = at.getKey() > previousMs ? (requests - previous) * 1000.0 / (at.getKey() - previousMs) : 0;
            double busyShare = at.getKey() > previousMs ? Math.min(1.0, (busy - previousBusy)
                    / (double) (at.getKey() - previousMs)) : 0;
            previousBusy = busy;
            previous = requests;
            previousMs = at.getKey();
            peak = Math.max(peak, rate);
            curve.add(new Point(at.getKey() / 1000.0, created, decidedBy, created - decidedBy, rate, busyShare));
            if (decidedBy == orders.size() && !orders.isEmpty()) {
                break; // every order decided: the curve ends here
            }
        }
        return new Result(config, answered, failed, orders.size(), orders.size() / loadSeconds, approved, merits,
                deadline, wronglyApproved, undecided, lastAfterLoad, duringLoad.requests() / loadSeconds, peak,
                Math.min(1.0, duringLoad.busyMs() / (loadSeconds * 1000)), orders.isEmpty() ? 0 : (double) totalRequests / orders.size(), curve,
                reasons, byOperation);
    }

    public static List<Check> checks(Result r) {
        return checks(r, "");
    }

    private static List<Check> checks(Result r, String run) {
        return List.of(
                new Check("sustained load" + run + ": every POST answered 201", r.requestsFailed() == 0,
                        r.requestsFailed() + " of " + (r.requestsAnswered() + r.requestsFailed()) + " not"),
                new Check("sustained load" + run + ": every order decided", r.undecided() == 0,
                        r.undecided() + " of " + r.ordersCreated() + " undecided"));
    }

    public static List<Check> checks(Runs runs) {
        List<Check> all = new ArrayList<>(checks(runs.goal(), " (the goal's load)"));
        all.addAll(checks(runs.flatOut(), " (flat out)"));
        return all;
    }

    /** Section 11 with both runs; {@code runs} null: not measured. */
    public static String section(Runs runs) {
        if (runs == null) {
            return section((Result) null);
        }
        String goal = section(runs.goal());
        String flatOut = body(runs.flatOut(), false);
        return goal + "### The same clients as fast as they are answered (a stress run beyond the goal's load)\n\n"
                + flatOut;
    }

    private static JsonNode post(HttpClient http, URI uri, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("POST " + uri.getPath() + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    /**
     * Orders decided per second from the end of the load to the last interval with a decision; NaN when none was
     * decided after the load.
     */
    static double decisionRateAfterLoad(Result r) {
        double loadEnd = r.config().load().toSeconds();
        long atLoadEnd = 0;
        Point last = null;
        for (Point p : r.curve()) {
            if (p.second() <= loadEnd) {
                atLoadEnd = p.decided();
            } else if (last == null || p.decided() > last.decided()) {
                last = p;
            }
        }
        if (last == null || last.decided() <= atLoadEnd) {
            return Double.NaN;
        }
        return (last.decided() - atLoadEnd) / (last.second() - loadEnd);
    }

    /** Section 11 of the report for one run; {@code r} null: not measured. */
    public static String section(Result r) {
        StringBuilder md = new StringBuilder("## 11. Sustained load\n\n");
        if (r == null) {
            return md.append("Not measured: the section failed (see the checks).\n\n").toString();
        }
        return md.append(body(r, true)).toString();
    }

    private static String body(Result r, boolean goal) {
        StringBuilder md = new StringBuilder();
        Config c = r.config();
        md.append(c.clients()).append(" clients, each in a loop for ").append(c.load().toSeconds()).append(" s");
        if (c.paced()) {
            md.append(", paced to ").append(Report.f(c.requestsPerSecond(), 0)).append(" requests per second in all")
                    .append(" (each client a customer and an order every ")
                    .append(Report.f(2.0 * c.clients() / c.requestsPerSecond(), 2)).append(" s; the rate issue 15")
                    .append(" reports for this load)");
        } else {
            md.append(", each as fast as it is answered");
        }
        md.append(": `POST /customers` (credit limit 1,000.00), then `POST /orders` for it (10.00; one order")
                .append(" in ").append(OVER_LIMIT_EVERY).append(" for 5,000.00, over the limit: rejected on its")
                .append(" merits), against the local runtime of `make run` (the real template.yaml, every poller")
                .append(" running) on ").append("the local AWS").append(". Then the orders settle, for at most ")
                .append(c.settleCap().toMinutes()).append(" min. Each order's fate is read afterwards from its")
                .append(" stream (created, approved or rejected, the reason); the runtime's AWS requests are counted")
                .append(" by a proxy in front of the emulator.\n\n");
        md.append(goal ? "**Goal** (issue 15): every order decided on its merits (no deadline expired because of"
                        + " the backlog), the last within " + SETTLE_GOAL.toSeconds() + " s after the load."
                        : "Not the goal's load: it shows where the emulator's ceiling lies. Every order decided on its"
                        + " merits, the last within " + SETTLE_GOAL.toSeconds() + " s after the load?")
                .append(" Measured: **").append(Report.f(r.ordersPerSecond(), 1)).append(" orders/s** created, ")
                .append(r.approved()).append(" approved, ").append(r.rejectedOnMerits()).append(" rejected on their")
                .append(" merits (over the limit), **").append(r.rejectedByDeadline()).append(" within the limit")
                .append(" rejected all the same** (a saga gave up: a deadline expired), ").append(r.approvedOverLimit())
                .append(" over the limit approved, ")
                .append(r.undecided()).append(" undecided; the last decided ")
                .append(Double.isNaN(r.lastDecidedAfterLoadSeconds()) ? "never (some undecided at the cap)"
                        : "**" + Report.f(r.lastDecidedAfterLoadSeconds(), 1) + " s** after the load")
                .append(": ").append(r.met() ? "met" : "not met").append(".\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| POSTs answered 201 / failed | ").append(r.requestsAnswered()).append(" / ")
                .append(r.requestsFailed()).append(" |\n");
        md.append("| Orders created | ").append(r.ordersCreated()).append(" (").append(Report.f(r.ordersPerSecond(), 1))
                .append(" per second of load) |\n");
        md.append("| The emulator's requests | ").append(Report.f(r.awsRequestsPerSecondDuringLoad(), 0))
                .append(" per second during the load, peak ").append(Report.f(r.peakAwsRequestsPerSecond(), 0))
                .append(" per second in an interval; ").append(Report.f(r.awsRequestsPerOrder(), 1))
                .append(" per order over the whole run |\n");
        md.append("| The emulator busy (a request to answer) | ").append(Report.f(100 * r.emulatorBusyDuringLoad(), 0))
                .append("% of the load (it answers one request at a time: 100% is its ceiling) |\n");
        if (!r.requestsPerOrderByOperation().isEmpty()) {
            md.append("| The emulator's requests per order, by operation | ");
            r.requestsPerOrderByOperation().entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> md.append(e.getKey()).append(" ").append(Report.f(e.getValue(), 1)).append("; "));
            md.setLength(md.length() - 2);
            md.append(" |\n");
        }
        md.append("| Rejection reasons | ").append(r.reasons().isEmpty() ? "none" : r.reasons().toString()).append(" |\n");
        double afterLoad = decisionRateAfterLoad(r);
        md.append("| Orders decided per second after the load | ")
                .append(Double.isNaN(afterLoad) ? "none decided after the load" : Report.f(afterLoad, 1)).append(" |\n");
        if (r.awsRequestsPerOrder() > 0 && r.peakAwsRequestsPerSecond() > 0) {
            double bound = r.peakAwsRequestsPerSecond() / r.awsRequestsPerOrder();
            double needed = r.ordersCreated() / bound - c.load().toSeconds();
            md.append("| The emulator's bound (an estimate) | at its peak rate and this run's requests per order")
                    .append(" (re-sends, duplicates and this harness's own reads included) it decides at most ")
                    .append(Report.f(bound, 1)).append(" orders per second: at that rate the ")
                    .append(r.ordersCreated()).append(" orders need about ").append(Report.f(Math.max(0, needed), 0))
                    .append(" s after the load (the goal allows ").append(SETTLE_GOAL.toSeconds()).append(") |\n");
        }
        md.append("\n");
        md.append("The backlog (orders created and not yet decided) and the emulator's requests, per ")
                .append(c.interval().toSeconds()).append(" s:\n\n");
        md.append("| s | created | decided | backlog | AWS requests/s | emulator busy |\n")
                .append("|---:|---:|---:|---:|---:|---:|\n");
        for (Point p : r.curve()) {
            md.append("| ").append(Report.f(p.second(), 0)).append(" | ").append(p.created()).append(" | ")
                    .append(p.decided()).append(" | ").append(p.backlog()).append(" | ")
                    .append(Report.f(p.awsRequestsPerSecond(), 0)).append(" | ")
                    .append(Report.f(100 * p.emulatorBusy(), 0)).append("% |\n");
        }
        md.append("\n");
        return md.toString();
    }
}
