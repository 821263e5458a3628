package dev.nosqles.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.runtime.esm.EventSourcePoller;
import dev.nosqles.runtime.esm.SchedulePoller;
import dev.nosqles.runtime.template.FunctionDefinition;
import dev.nosqles.runtime.template.QueueDefinition;
import dev.nosqles.runtime.template.TableDefinition;
import dev.nosqles.runtime.template.Template;
import dev.nosqles.runtime.template.TopicDefinition;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Section 9: the bill per order, counted. On the local runtime with the real template.yaml, pollers drained by the
 * caller (one invocation at a time, each batch holding one order's messages): every AWS request of every client
 * is counted by {@link BillMeter} from {@code POST /orders} until nothing moves any more (the order APPROVED, the
 * events published), per order; a customer is created before each order (counted apart, as setup). Then one order
 * over the customer's credit limit (REJECTED). The figures are priced with {@link Prices} and put beside the same
 * saga on Step Functions standard workflows (its transitions counted from a state machine sketch, see
 * {@link #STEP_FUNCTIONS_SKETCH}).
 *
 * <p>Not per order, left out: the read ({@code GET /orders/{id}}) a client makes to see the result (reported apart);
 * the SagaSweeperFunction schedule (a fixed cost per minute, reported apart); the pollers' empty receives (on
 * Lambda the event-source mapping long-polls idle queues, a fixed cost per queue); the local runtime's own
 * checkpoint table of stream positions (Lambda keeps those for free).
 */
public final class OrderBill {
    /** The local runtime's stream-position table: Lambda's event-source mapping keeps that state itself. */
    public static final String RUNTIME_CHECKPOINTS = "(local ESM checkpoints, not billed)";
    public static final String GOAL = "at most half of today's count (today's count is the baseline)";
    /** The Lambda duration priced per invocation: a stated assumption, not measured (moto is no Lambda). */
    public static final int ASSUMED_MS_PER_INVOCATION = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OrderBill() {
    }

    /** @param approvedOrders orders placed for a fresh customer each, all within its credit limit */
    public record Config(int approvedOrders) {
        public static Config full() {
            return new Config(5);
        }
    }

    /**
     * One counter per order. {@code min}/{@code max}: over the approved orders (equal when deterministic);
     * {@code perOrder}: the mean; {@code dollarsPerMillionOrders}: its price, 0 for free lines.
     */
    public record Row(String service, String resource, String what, double perOrder, double min, double max,
                      double dollarsPerMillionOrders, String price) {
    }

    /** One function's share of an approved order. */
    public record FunctionShare(String function, double invocations, double writeUnits, double readUnits,
                                double sqsRequests, double snsPublishes, double dollarsPerMillionOrders) {
    }

    /** A scenario's totals per order. */
    public record Totals(double writeUnits, double readUnits, double dynamoDbRequests, double sqsRequests,
                         double snsPublishes, double lambdaInvocations, double streamReads,
                         double dollarsPerMillionOrders) {
    }

    public record Result(int approvedOrders, List<Row> approved, Totals approvedTotals, List<FunctionShare> byFunction,
                         List<Row> rejected, Totals rejectedTotals, List<Row> customerCreate, List<Row> readOrder,
                         Map<String, Integer> memoryMb, int assumedMsPerInvocation, StepFunctionsEstimate stepFunctions,
                         boolean deterministic, String outcome) {
    }

    /**
     * The same saga on Step Functions standard workflows: {@code transitionsApproved} from the sketch,
     * {@code remaining*}: what still runs around it (the participants' work, the events' publication, the API),
     * derived from the counted per-function figures of the functions that stay.
     */
    public record StepFunctionsEstimate(int transitionsApproved, int transitionsRejected, int transitionsDeadline,
                                        double transitionDollarsPerMillionOrders,
                                        double remainingDollarsPerMillionOrders, double totalDollarsPerMillionOrders,
                                        List<String> remaining, String sketch) {
    }

    /**
     * CreateOrderSaga as a standard workflow (Amazon States Language, abridged). A participant's command goes out
     * with {@code .waitForTaskToken}; the participant answers with SendTaskSuccess / SendTaskFailure. Transitions
     * (one per state entered): approved 3, rejected by the credit limit 3, reservation deadline 4 (+1 per retry of
     * an approve or a release).
     */
    public static final String STEP_FUNCTIONS_SKETCH = """
            StartAt: ReserveCredit
            ReserveCredit:   Task  arn:aws:states:::sqs:sendMessage.waitForTaskToken   (customer-commands.fifo)
                             TimeoutSeconds: 30
                             Catch: [CreditNotReserved] -> RejectOrder ; [States.Timeout] -> ReleaseCredit
                             Next: ApproveOrder
            ApproveOrder:    Task  arn:aws:states:::lambda:invoke   (OrderCommandsFunction: ApproveOrder)
                             Retry: 3 x (the saga's re-send on its 5 min deadline)      Next: Approved
            Approved:        Succeed
            ReleaseCredit:   Task  arn:aws:states:::sqs:sendMessage   (customer-commands.fifo: ReleaseCredit)
                             Next: RejectOrder
            RejectOrder:     Task  arn:aws:states:::lambda:invoke   (OrderCommandsFunction: RejectOrder)
                             Retry: 3 x    Next: Rejected
            Rejected:        Succeed
            transitions: approved ReserveCredit, ApproveOrder, Approved = 3
                         rejected ReserveCredit, RejectOrder, Rejected = 3
                         deadline ReserveCredit, ReleaseCredit, RejectOrder, Rejected = 4""";

    /** The functions that stay on Step Functions (the orchestrator's functions go). */
    static final Set<String> STAYING = Set.of("ApiFunction", "EventPublisherFunction", "CustomerCommandsFunction",
            "OrderCommandsFunction");

    public static Result run(LocalAws aws, Config config) throws IOException, InterruptedException {
        Logger runtimeLog = Logger.getLogger("dev.nosqles.runtime");
        Level level = runtimeLog.getLevel();
        runtimeLog.setLevel(Level.WARNING);
        String stack = "bench-bill-" + UUID.randomUUID().toString().substring(0, 8);
        try (RunningApp app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate()).withPort(0)
                .withStackName(stack).withAws(aws).withPollersStarted(false).withLog(line -> { }));
             DynamoDbClient inspector = aws.dynamoDb();
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .connectTimeout(Duration.ofSeconds(5)).build()) {
            Template template = app.template();
            Map<String, String> labels = labels(app, stack);
            Map<String, String> functionOfMapping = new HashMap<>();
            Map<String, Integer> memory = new LinkedHashMap<>();
            for (FunctionDefinition f : template.functions()) {
                memory.put(f.logicalId(), f.memorySize());
                f.streamEvents().forEach(e -> functionOfMapping.put(f.logicalId() + "-" + e.name(), f.logicalId()));
                f.queueEvents().forEach(e -> functionOfMapping.put(f.logicalId() + "-" + e.name(), f.logicalId()));
            }
            Runner runner = new Runner(app, http, functionOfMapping);
            runner.drain(null); // whatever the start left
            List<BillMeter.Counts> approved = new ArrayList<>();
            List<BillMeter.Counts> customers = new ArrayList<>();
            BillMeter.Counts rejected;
            BillMeter.Counts read;
            try (BillMeter.Recording recording = BillMeter.start(inspector, labels)) {
                runner.recording = recording;
                // one order first, not counted: the handlers' first requests (table descriptions, keys)
                runner.order("1000000.00", "10.00", null);
                for (int i = 0; i < config.approvedOrders(); i++) {
                    BillMeter.Counts[] setup = new BillMeter.Counts[1];
                    BillMeter.Counts order = runner.order("1000000.00", "10.00", setup);
                    approved.add(order);
                    customers.add(setup[0]);
                }
                BillMeter.Counts[] ignored = new BillMeter.Counts[1];
                rejected = runner.orderExpecting("5.00", "10.00", ignored, "REJECTED");
                read = runner.lastRead;
            }
            return result(config, template, memory, approved, customers, rejected, read);
        } finally {
            runtimeLog.setLevel(level);
        }
    }

    /** Table names, queue URLs and topic ARNs to their logical ids. */
    private static Map<String, String> labels(RunningApp app, String stack) {
        Map<String, String> labels = new HashMap<>();
        for (TableDefinition t : app.template().tables()) {
            labels.put(app.resources().tableName(t.logicalId()), t.logicalId());
        }
        for (QueueDefinition q : app.template().queues()) {
            labels.put(app.resources().queueUrl(q.logicalId()), q.logicalId());
        }
        for (TopicDefinition t : app.template().topics()) {
            labels.put(app.resources().topicArn(t.logicalId()), t.logicalId());
        }
        labels.put(stack + "-esm-checkpoints", RUNTIME_CHECKPOINTS);
        return labels;
    }

    /** Places orders over HTTP and drains the pollers, naming the function at work for the recording. */
    private static final class Runner {
        private final RunningApp app;
        private final HttpClient http;
        private final Map<String, String> functionOfMapping;
        BillMeter.Recording recording;
        BillMeter.Counts lastRead;

        Runner(RunningApp app, HttpClient http, Map<String, String> functionOfMapping) {
            this.app = app;
            this.http = http;
            this.functionOfMapping = functionOfMapping;
        }

        BillMeter.Counts order(String creditLimit, String total, BillMeter.Counts[] setup)
                throws IOException, InterruptedException {
            return orderExpecting(creditLimit, total, setup, "APPROVED");
        }

        /** Customer (into {@code setup[0]}), then the order: what the order cost, from POST to settled. */
        BillMeter.Counts orderExpecting(String creditLimit, String total, BillMeter.Counts[] setup, String expected)
                throws IOException, InterruptedException {
            BillMeter.Counts t0 = recording.counts();
            String customerId = post("/customers", "{\"name\":\"Bill\",\"creditLimit\":\"" + creditLimit + "\"}")
                    .path("customerId").asText();
            drain(recording);
            BillMeter.Counts t1 = recording.counts();
            String orderId = post("/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + total + "\"}")
                    .path("orderId").asText();
            drain(recording);
            BillMeter.Counts t2 = recording.counts();
            recording.function("ApiFunction");
            recording.add("Lambda", "ApiFunction", "Invoke", 1);
            String state = get("/orders/" + orderId).path("state").asText();
            recording.function(null);
            lastRead = recording.counts().minus(t2);
            if (!expected.equals(state)) {
                throw new IllegalStateException("order " + orderId + " ended " + state + ", expected " + expected
                        + " (are the saga functions in template.yaml?)");
            }
            if (setup != null) {
                setup[0] = t1.minus(t0);
            }
            return t2.minus(t1);
        }

        private JsonNode post(String path, String body) throws IOException, InterruptedException {
            if (recording != null) {
                recording.function("ApiFunction");
                recording.add("Lambda", "ApiFunction", "Invoke", 1);
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(app.baseUri().resolve(path))
                        .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 201) {
                    throw new IOException("POST " + path + " answered " + response.statusCode());
                }
                return JSON.readTree(response.body());
            } finally {
                if (recording != null) {
                    recording.function(null);
                }
            }
        }

        private JsonNode get(String path) throws IOException, InterruptedException {
            URI uri = app.baseUri().resolve(path);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + path + " answered " + response.statusCode());
            }
            return JSON.readTree(response.body());
        }

        /** Every poller but the schedules, until none has anything to do; one Lambda invocation per handler call. */
        void drain(BillMeter.Recording into) {
            int total = 0;
            int round;
            do {
                round = 0;
                for (EventSourcePoller poller : app.pollers()) {
                    if (poller instanceof SchedulePoller) {
                        continue;
                    }
                    String function = functionOfMapping.getOrDefault(poller.mappingId(), poller.mappingId());
                    while (true) {
                        if (into != null) {
                            into.function(function);
                        }
                        boolean invoked;
                        try {
                            invoked = poller.pollOnce();
                        } finally {
                            if (into != null) {
                                into.function(null);
                            }
                        }
                        if (!invoked) {
                            break;
                        }
                        if (into != null) {
                            into.function(function);
                            into.add("Lambda", function, "Invoke", 1);
                            into.function(null);
                        }
                        round++;
                        if (++total > 1_000) {
                            throw new IllegalStateException(poller.mappingId() + ": not idle after 1,000 invocations");
                        }
                    }
                }
            } while (round > 0);
        }
    }

    // ---- pricing -------------------------------------------------------------------------------------------

    static Result result(Config config, Template template, Map<String, Integer> memory,
                         List<BillMeter.Counts> approved, List<BillMeter.Counts> customers, BillMeter.Counts rejected,
                         BillMeter.Counts read) {
        Map<String, Boolean> fifo = new HashMap<>();
        template.queues().forEach(q -> fifo.put(q.logicalId(), q.fifo()));
        template.topics().forEach(t -> fifo.put(t.logicalId(), t.fifo()));
        Prices prices = new Prices(fifo, memory, ASSUMED_MS_PER_INVOCATION);
        List<Row> approvedRows = rows(approved, prices);
        boolean deterministic = approvedRows.stream().allMatch(r -> r.min() == r.max());
        List<Row> rejectedRows = rows(List.of(rejected), prices);
        List<Row> customerRows = rows(customers, prices);
        List<Row> readRows = rows(List.of(read), prices);
        List<FunctionShare> byFunction = byFunction(approved, prices);
        Totals approvedTotals = totals(approvedRows);
        StepFunctionsEstimate sfn = stepFunctions(byFunction, prices);
        String outcome = config.approvedOrders() + " orders APPROVED and 1 REJECTED, counted"
                + (deterministic ? "; every approved order cost exactly the same" : "; the approved orders' counts differ");
        return new Result(config.approvedOrders(), approvedRows, approvedTotals, byFunction, rejectedRows,
                totals(rejectedRows), customerRows, readRows, memory, ASSUMED_MS_PER_INVOCATION, sfn, deterministic,
                outcome);
    }

    private static List<Row> rows(List<BillMeter.Counts> orders, Prices prices) {
        Map<BillMeter.Line, double[]> stats = new TreeMap<>(); // sum, min, max
        List<Map<BillMeter.Line, Double>> each = orders.stream().map(BillMeter.Counts::byResource).toList();
        each.forEach(m -> m.keySet().forEach(k -> stats.putIfAbsent(k, new double[] {0, Double.MAX_VALUE, -1})));
        for (Map<BillMeter.Line, Double> m : each) {
            stats.forEach((k, s) -> {
                double v = m.getOrDefault(k, 0.0);
                s[0] += v;
                s[1] = Math.min(s[1], v);
                s[2] = Math.max(s[2], v);
            });
        }
        List<Row> rows = new ArrayList<>();
        stats.forEach((k, s) -> {
            double mean = s[0] / orders.size();
            Prices.Price p = prices.of(k);
            rows.add(new Row(k.service(), k.resource(), k.what(), mean, s[1], s[2], mean * p.perUnit(), p.label()));
        });
        return rows;
    }

    private static List<FunctionShare> byFunction(List<BillMeter.Counts> orders, Prices prices) {
        Map<String, double[]> f = new TreeMap<>(); // invocations, WRU, RRU, SQS, SNS, $
        for (BillMeter.Counts order : orders) {
            order.counts().forEach((k, v) -> {
                double[] s = f.computeIfAbsent(k.function(), x -> new double[6]);
                double n = v / orders.size();
                switch (k.service()) {
                    case "Lambda" -> s[0] += n;
                    case "DynamoDB" -> {
                        if (k.what().startsWith("WRU")) {
                            s[1] += n;
                        } else if (k.what().equals("RRU")) {
                            s[2] += n;
                        }
                    }
                    case "SQS" -> s[3] += k.what().equals("messages received") ? 0 : n;
                    case "SNS" -> s[4] += n;
                    default -> { }
                }
                s[5] += n * prices.of(k).perUnit();
            });
        }
        List<FunctionShare> shares = new ArrayList<>();
        f.forEach((name, s) -> shares.add(new FunctionShare(name, s[0], s[1], s[2], s[3], s[4], s[5])));
        return shares;
    }

    static Totals totals(List<Row> rows) {
        double w = 0, r = 0, ddb = 0, sqs = 0, sns = 0, lambda = 0, streams = 0, dollars = 0;
        for (Row row : rows) {
            dollars += row.dollarsPerMillionOrders();
            boolean billedTable = !row.resource().equals(RUNTIME_CHECKPOINTS);
            switch (row.service()) {
                case "DynamoDB" -> {
                    if (!billedTable) {
                        continue;
                    }
                    if (row.what().startsWith("WRU")) {
                        w += row.perOrder();
                    } else if (row.what().equals("RRU")) {
                        r += row.perOrder();
                    } else {
                        ddb += row.perOrder();
                    }
                }
                case "SQS" -> sqs += row.what().equals("messages received") ? 0 : row.perOrder();
                case "SNS" -> sns += row.perOrder();
                case "Lambda" -> lambda += row.perOrder();
                case "DynamoDB Streams" -> streams += row.perOrder();
                default -> { }
            }
        }
        return new Totals(w, r, ddb, sqs, sns, lambda, streams, dollars);
    }

    private static StepFunctionsEstimate stepFunctions(List<FunctionShare> byFunction, Prices prices) {
        int approved = 3;
        double transitions = approved * Prices.STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS * 1000;
        double remaining = 0;
        List<String> notes = new ArrayList<>();
        for (FunctionShare s : byFunction) {
            if (STAYING.contains(s.function())) {
                remaining += s.dollarsPerMillionOrders();
                notes.add(s.function() + ": $" + Report.f(s.dollarsPerMillionOrders(), 2)
                        + " per million orders (its counted invocations, units and requests)");
            }
        }
        // what starts the execution: the OrderCreated record through the stream to a starter function (or a
        // Pipe) calling StartExecution; priced as one more invocation. The participants' replies become
        // SendTaskSuccess calls (no reply queue, no orchestrator, no saga deadlines table).
        double starter = prices.lambdaPerInvocation("ApiFunction");
        remaining += starter;
        notes.add("a starter on the events stream calling StartExecution: 1 invocation, $" + Report.f(starter, 2)
                + " per million orders");
        notes.add("not counted: the participants' replies sent to the saga-replies queue would be SendTaskSuccess"
                + " calls instead (the figures above still include them)");
        return new StepFunctionsEstimate(approved, 3, 4, transitions, remaining, transitions + remaining, notes,
                STEP_FUNCTIONS_SKETCH);
    }

    /** The public prices (us-east-1) and their dates. */
    public record Prices(Map<String, Boolean> fifo, Map<String, Integer> memoryMb, int msPerInvocation) {
        public static final double SQS_STANDARD_PER_MILLION = 0.40;
        public static final double SQS_FIFO_PER_MILLION = 0.50;
        public static final String SQS_SOURCE = "https://aws.amazon.com/sqs/pricing/ (per 64 KB chunk of a request)";
        /** SNS FIFO topic publish requests; the payload charge per GB is left out (about $0.02 per million 1 KB). */
        public static final double SNS_FIFO_PUBLISH_PER_MILLION = 0.30;
        public static final double SNS_STANDARD_PUBLISH_PER_MILLION = 0.50;
        public static final String SNS_SOURCE = "https://aws.amazon.com/sns/pricing/ as quoted by"
                + " https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/ (2026-06-13)";
        public static final double LAMBDA_PER_MILLION_REQUESTS = 0.20;
        /** arm64 (template.yaml's Architectures), first pricing tier. */
        public static final double LAMBDA_ARM_PER_GB_SECOND = 0.0000133334;
        public static final String LAMBDA_SOURCE = "https://aws.amazon.com/lambda/pricing/ (arm64, first 6 B GB-s tier)";
        public static final double STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS = 0.025;
        public static final String STEP_FUNCTIONS_SOURCE = "https://aws.amazon.com/step-functions/pricing/ (standard)";

        record Price(double perUnit, String label) {
        }

        /** Dollars per million orders per unit of the counter. */
        Price of(BillMeter.Line line) {
            return switch (line.service()) {
                case "DynamoDB" -> line.resource().equals(RUNTIME_CHECKPOINTS) ? new Price(0, "local only")
                        : line.what().startsWith("WRU") ? new Price(Pricing.WRITE_PER_MILLION, "$0.625/M WRU")
                        : line.what().equals("RRU") ? new Price(Pricing.READ_PER_MILLION, "$0.125/M RRU")
                        : new Price(0, "in the units");
                case "SQS" -> line.what().equals("messages received") || line.what().startsWith("ReceiveMessage (empty)")
                        ? new Price(0, line.what().equals("messages received") ? "-" : "idle polling, not per order")
                        : Boolean.TRUE.equals(fifo.get(line.resource()))
                        ? new Price(SQS_FIFO_PER_MILLION, "$0.50/M (FIFO)")
                        : new Price(SQS_STANDARD_PER_MILLION, "$0.40/M");
                case "SNS" -> Boolean.TRUE.equals(fifo.get(line.resource()))
                        ? new Price(SNS_FIFO_PUBLISH_PER_MILLION, "$0.30/M (FIFO publish)")
                        : new Price(SNS_STANDARD_PUBLISH_PER_MILLION, "$0.50/M");
                case "Lambda" -> new Price(lambdaPerInvocation(line.resource()), "$0.20/M + "
                        + msPerInvocation + " ms × " + memoryMb.getOrDefault(line.resource(), 128) + " MB");
                case "DynamoDB Streams" -> new Price(0, "free for Lambda triggers");
                default -> new Price(0, "-");
            };
        }

        /** Dollars per million invocations of {@code function}: requests plus the assumed duration. */
        double lambdaPerInvocation(String function) {
            double gbSeconds = memoryMb.getOrDefault(function, 128) / 1024.0 * msPerInvocation / 1000.0;
            return LAMBDA_PER_MILLION_REQUESTS + gbSeconds * LAMBDA_ARM_PER_GB_SECOND * 1_000_000;
        }
    }
}
