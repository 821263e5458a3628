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
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

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
    public static final String GOAL = "at most half of the baseline";
    /**
     * The baseline the goal halves: the first count, before any cut (2026-11-30, commit d9dc975): per approved order
     * 59.0 WRU, 30.0 RRU, 22 Lambda invocations, $71.39 per million orders.
     */
    public static final double BASELINE_WRU = 59.0;
    public static final double BASELINE_RRU = 30.0;
    public static final double BASELINE_INVOCATIONS = 22;
    public static final double BASELINE_DOLLARS = 71.39;
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
                         double snsPublishes, double lambdaInvocations, double streamReads, double kmsRequests,
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

    /** The Order's participant function, which Step Functions would invoke for ApproveOrder. */
    static final String ORDER_COMMANDS_FUNCTION = "OrderCommandsFunction";
    /** The functions that stay on Step Functions (the orchestrator's functions go). */
    static final Set<String> STAYING = Set.of("ApiFunction", "CustomerCommandsFunction", ORDER_COMMANDS_FUNCTION);
    /** The events table's one stream function (ADR 0012): on Step Functions, only its publisher and a starter stay. */
    static final String STREAM_FUNCTION = "OrderSagaStreamFunction";

    public static Result run(LocalAws aws, Config config) throws IOException, InterruptedException {
        Logger runtimeLog = Logger.getLogger("dev.nosqles.runtime");
        Level level = runtimeLog.getLevel();
        runtimeLog.setLevel(Level.WARNING);
        String stack = "bench-bill-" + UUID.randomUUID().toString().substring(0, 8);
        try (RunningApp app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate()).withPort(0)
                .withStackName(stack).withAws(aws).withPollersStarted(false).withLog(line -> { }));
             DynamoDbClient inspector = aws.dynamoDb();
             SqsClient sqs = aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                     .build();
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
            Runner runner = new Runner(app, http, sqs, functionOfMapping);
            runner.drain(null); // whatever the start left
            List<BillMeter.Counts> approved = new ArrayList<>();
            List<BillMeter.Counts> customers = new ArrayList<>();
            BillMeter.Counts rejected;
            BillMeter.Counts read;
            try (BillMeter.Recording recording = BillMeter.start(inspector, labels)) {
                runner.recording = recording;
                String parking = BillMeter.uncounted(() -> sqs.createQueue(b -> b.queueName(stack + "-parked-delays"))
                        .queueUrl());
                recording.parkDelayedIn(parking);
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
        private final SqsClient sqs;
        private final Map<String, String> functionOfMapping;
        BillMeter.Recording recording;
        BillMeter.Counts lastRead;

        Runner(RunningApp app, HttpClient http, SqsClient sqs, Map<String, String> functionOfMapping) {
            this.app = app;
            this.http = http;
            this.sqs = sqs;
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
            deliverDeadlines();
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

        /**
         * The saga's deadline messages (sent with a delay of 30 s to 15 min) arrive after the order settled; their
         * handling is part of the order's bill. Each is delivered now, its due time moved to a second ago (as if
         * the delay had passed; nothing else in it changes), through the real queue and poller. The delayed
         * originals were counted as sent to their queue but parked in a queue nobody reads (see
         * {@link BillMeter.Recording#parkDelayedIn}), so they cannot land in a later order's count.
         */
        private void deliverDeadlines() throws IOException {
            for (int round = 0; round < 3; round++) {
                List<BillMeter.Delayed> delayed = recording.takeDelayed();
                if (delayed.isEmpty()) {
                    break;
                }
                for (BillMeter.Delayed d : delayed) {
                    com.fasterxml.jackson.databind.node.ObjectNode body =
                            (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(d.body());
                    if (body.has("deadline")) {
                        body.put("deadline", java.time.Instant.now().minusSeconds(1).toString());
                    }
                    String text = JSON.writeValueAsString(body);
                    BillMeter.uncounted(() -> sqs.sendMessage(b -> b.queueUrl(d.queueUrl()).messageBody(text)));
                    drain(recording); // one at a time: they come minutes apart
                }
            }
            if (!recording.takeDelayed().isEmpty()) {
                throw new IllegalStateException("deadline messages keep being scheduled");
            }
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

    public static List<Check> checks(Result result) {
        return List.of(new Check("bill per order: every approved order counted the same", result.deterministic(),
                result.outcome()));
    }

    /** Section 9 of the report; {@code b} null: not measured. */
    public static String section(Result b) {
        StringBuilder md = new StringBuilder("## 9. The bill per order\n\n");
        if (b == null) {
            return md.append("Not measured: the section failed (see the checks).\n\n").toString();
        }
        Totals t = b.approvedTotals();
        md.append("Counted, not estimated: every AWS request of every client in the local runtime (the handlers',")
                .append(" the event-source pollers', the runtime's) from `POST /orders` until nothing moves any more")
                .append(" (the order APPROVED, its events published), on the real template.yaml, the pollers drained")
                .append(" one invocation at a time. Units by DynamoDB's rules from the items really read and written")
                .append(" (a write: the larger of the item before and after; a global secondary index whose keys the")
                .append(" item has: one more write; a failed conditional write: charged). ").append(b.approvedOrders())
                .append(" orders, each for a fresh customer (created before, counted apart), after one uncounted")
                .append(" warm-up order. ").append(b.outcome()).append(". Every count is exact: the read models' lag")
                .append(" bookkeeping, which used to fail a conditional write when a smaller lag was measured, now knows")
                .append(" the lag that stands and makes one write per fed batch (ADR 0011).\n\n");
        md.append("**Per approved order: ").append(Report.f(t.writeUnits(), 1)).append(" WRU, ")
                .append(Report.f(t.readUnits(), 1)).append(" RRU (").append(Report.f(t.dynamoDbRequests(), 0))
                .append(" DynamoDB requests), ").append(Report.f(t.sqsRequests(), 0)).append(" SQS requests, ")
                .append(Report.f(t.snsPublishes(), 0)).append(" SNS publishes, ")
                .append(Report.f(t.lambdaInvocations(), 0)).append(" Lambda invocations, ")
                .append(Report.f(t.kmsRequests(), 0)).append(" KMS request(s): $")
                .append(Report.f(t.dollarsPerMillionOrders(), 2)).append(" per million orders.** Goal: ").append(GOAL)
                .append(" (").append(Report.f(BASELINE_WRU, 1)).append(" WRU, ").append(Report.f(BASELINE_RRU, 1))
                .append(" RRU, ").append(Report.f(BASELINE_INVOCATIONS, 0)).append(" invocations, $")
                .append(Report.f(BASELINE_DOLLARS, 2)).append(" per million orders, counted before any cut), i.e. at most ")
                .append(Report.f(BASELINE_WRU / 2, 1)).append(" WRU, ").append(Report.f(BASELINE_RRU / 2, 1))
                .append(" RRU, ").append(Report.f(BASELINE_INVOCATIONS / 2, 0)).append(" invocations and $")
                .append(Report.f(BASELINE_DOLLARS / 2, 2)).append(" per million orders; now ")
                .append(Report.f(100 * t.dollarsPerMillionOrders() / BASELINE_DOLLARS, 0))
                .append("% of the baseline's dollars, ").append(met(t) ? "met" : "not met").append(".\n\n");
        md.append("On Step Functions standard workflows the same saga costs $")
                .append(Report.f(b.stepFunctions().transitionDollarsPerMillionOrders(), 2))
                .append(" per million orders in state transitions alone (").append(b.stepFunctions().transitionsApproved())
                .append(" per approved order), about $").append(Report.f(b.stepFunctions().totalDollarsPerMillionOrders(), 2))
                .append(" with what still runs around it (below).\n\n");
        md.append("| Service | Resource | Request or unit | per order | min–max | $ per M orders | price |\n")
                .append("|---|---|---|---:|---:|---:|---|\n");
        for (Row r : b.approved()) {
            md.append("| ").append(r.service()).append(" | ").append(r.resource()).append(" | ").append(r.what())
                    .append(" | ").append(Report.f(r.perOrder(), 2)).append(" | ")
                    .append(r.min() == r.max() ? "=" : Report.f(r.min(), 0) + "–" + Report.f(r.max(), 0))
                    .append(" | ").append(Report.f(r.dollarsPerMillionOrders(), 3)).append(" | ").append(r.price())
                    .append(" |\n");
        }
        md.append("\nBy function (invocations; WRU, RRU, SQS requests and SNS publishes made by the function or,")
                .append(" for SQS receives and deletes, by its event-source mapping):\n\n")
                .append("| Function | invocations | WRU | RRU | SQS requests | SNS publishes | $ per M orders |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (FunctionShare s : b.byFunction()) {
            md.append("| ").append(s.function()).append(" | ").append(Report.f(s.invocations(), 0)).append(" | ")
                    .append(Report.f(s.writeUnits(), 1)).append(" | ").append(Report.f(s.readUnits(), 1))
                    .append(" | ").append(Report.f(s.sqsRequests(), 0)).append(" | ")
                    .append(Report.f(s.snsPublishes(), 0)).append(" | ")
                    .append(Report.f(s.dollarsPerMillionOrders(), 2)).append(" |\n");
        }
        md.append("\n| Scenario | WRU | RRU | SQS requests | SNS publishes | invocations | KMS | $ per M |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        totalsRow(md, "approved order (above)", t);
        totalsRow(md, "rejected order (over the credit limit)", b.rejectedTotals());
        totalsRow(md, "customer created (setup, not in the order)", totals(b.customerCreate()));
        totalsRow(md, "GET /orders/{id} (each read, not in the order)", totals(b.readOrder()));
        md.append("\nNot per order, left out: the pollers' empty receives (listed at $0: on Lambda the event-source")
                .append(" mapping long-polls each queue whatever the traffic, a fixed cost per queue); the")
                .append(" SagaSweeperFunction schedule (rate 1 minute: 43,200 invocations a month); the local runtime's")
                .append(" own table of stream positions (Lambda keeps them); DynamoDB Streams reads (free for Lambda")
                .append(" triggers, listed at $0). Batching: one order at a time, so every batch holds one order's")
                .append(" records or messages; under load, stream and queue batches hold several orders and the")
                .append(" invocations, receives, deletes and checkpoint writes per order fall (these figures are the")
                .append(" low-traffic ceiling). Lambda duration is not measured here (moto is no Lambda): priced at an")
                .append(" assumed ").append(b.assumedMsPerInvocation()).append(" ms per invocation at the template's")
                .append(" MemorySize (").append(b.memoryMb().values().stream().distinct().map(String::valueOf)
                        .reduce((x, y) -> x + "/" + y).orElse("?")).append(" MB, arm64).\n\n");
        md.append("Prices (us-east-1): DynamoDB on-demand $").append(Pricing.WRITE_PER_MILLION).append("/M WRU, $")
                .append(Pricing.READ_PER_MILLION).append("/M RRU since ").append(Pricing.EFFECTIVE).append(" (")
                .append(Pricing.SOURCE).append("); SQS $0.40/M standard, $0.50/M FIFO requests (")
                .append(Prices.SQS_SOURCE).append("); SNS FIFO publish $0.30/M (").append(Prices.SNS_SOURCE)
                .append("; the FIFO payload charge per GB is left out, unconfirmed); Lambda $0.20/M requests +")
                .append(" $0.0000133334 per GB-s (").append(Prices.LAMBDA_SOURCE).append("); KMS (")
                .append(Prices.KMS_SOURCE).append("); Step Functions standard $0.025 per 1,000 state transitions (")
                .append(Prices.STEP_FUNCTIONS_SOURCE).append("). Prices as listed on 2026-11-30.\n\n");
        StepFunctionsEstimate s = b.stepFunctions();
        md.append("### The same saga on Step Functions (standard workflow)\n\n```\n").append(s.sketch())
                .append("\n```\n\n");
        md.append("Transitions per order: approved ").append(s.transitionsApproved()).append(", rejected ")
                .append(s.transitionsRejected()).append(", reservation deadline ").append(s.transitionsDeadline())
                .append(" (if the start of an execution is billed as a transition too, add one each). At $0.025 per")
                .append(" 1,000: $").append(Report.f(s.transitionDollarsPerMillionOrders(), 2))
                .append(" per million approved orders. What still runs around it, from the counted figures of the")
                .append(" functions that stay: $").append(Report.f(s.remainingDollarsPerMillionOrders(), 2))
                .append(":\n\n");
        s.remaining().forEach(n -> md.append("- ").append(n).append('\n'));
        md.append("\nTotal on Step Functions: about $").append(Report.f(s.totalDollarsPerMillionOrders(), 2))
                .append(" per million orders against $").append(Report.f(t.dollarsPerMillionOrders(), 2))
                .append(" counted here. Going away with Step Functions: the saga's share of OrderSagaStreamFunction,")
                .append(" SagaRepliesFunction, the saga-replies queue, the saga's events and SagaDeadlinesTable. Left")
                .append(" out on that side: the read model's units, which would stay (Step Functions looks cheaper")
                .append(" here than it is).\n\n");
        return md.toString();
    }

    /** Whether every count is at most half of the baseline's. */
    static boolean met(Totals t) {
        return t.writeUnits() <= BASELINE_WRU / 2 && t.readUnits() <= BASELINE_RRU / 2
                && t.lambdaInvocations() <= BASELINE_INVOCATIONS / 2
                && t.dollarsPerMillionOrders() <= BASELINE_DOLLARS / 2;
    }

    /** The summary's bullet. */
    public static String summaryLine(Result b) {
        Totals t = b.approvedTotals();
        return "The bill per approved order (counted on the local runtime): " + Report.f(t.writeUnits(), 1) + " WRU, "
                + Report.f(t.readUnits(), 1) + " RRU, " + Report.f(t.sqsRequests(), 0) + " SQS requests, "
                + Report.f(t.snsPublishes(), 0) + " SNS publishes, " + Report.f(t.lambdaInvocations(), 0)
                + " Lambda invocations: **$" + Report.f(t.dollarsPerMillionOrders(), 2) + " per million orders**"
                + " (" + Report.f(100 * t.dollarsPerMillionOrders() / BASELINE_DOLLARS, 0) + "% of the baseline's $"
                + Report.f(BASELINE_DOLLARS, 2) + "; goal: at most half, " + (met(t) ? "met" : "not met")
                + "); the saga on Step Functions: $"
                + Report.f(b.stepFunctions().transitionDollarsPerMillionOrders(), 2) + " in transitions alone, ≈ $"
                + Report.f(b.stepFunctions().totalDollarsPerMillionOrders(), 2) + " in all.";
    }

    private static void totalsRow(StringBuilder md, String name, Totals t) {
        md.append("| ").append(name).append(" | ").append(Report.f(t.writeUnits(), 1)).append(" | ")
                .append(Report.f(t.readUnits(), 1)).append(" | ").append(Report.f(t.sqsRequests(), 0)).append(" | ")
                .append(Report.f(t.snsPublishes(), 0)).append(" | ").append(Report.f(t.lambdaInvocations(), 0))
                .append(" | ").append(Report.f(t.kmsRequests(), 0)).append(" | ")
                .append(Report.f(t.dollarsPerMillionOrders(), 2)).append(" |\n");
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
        boolean deterministic = approvedRows.stream()
                .allMatch(r -> r.min() == r.max());
        List<Row> rejectedRows = rows(List.of(rejected), prices);
        List<Row> customerRows = rows(customers, prices);
        List<Row> readRows = rows(List.of(read), prices);
        List<FunctionShare> byFunction = byFunction(approved, prices);
        Totals approvedTotals = totals(approvedRows);
        StepFunctionsEstimate sfn = stepFunctions(byFunction, prices);
        String outcome = config.approvedOrders() + " orders APPROVED and 1 REJECTED, counted"
                + (deterministic ? "; every approved order cost the same"
                : "; the approved orders' counts differ");
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
                    case "SQS" -> s[3] += k.what().equals("messages received")
                            || k.what().startsWith("ReceiveMessage (empty)") ? 0 : n;
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
        double w = 0, r = 0, ddb = 0, sqs = 0, sns = 0, lambda = 0, streams = 0, kms = 0, dollars = 0;
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
                case "SQS" -> sqs += row.what().equals("messages received")
                        || row.what().startsWith("ReceiveMessage (empty)") ? 0 : row.perOrder();
                case "SNS" -> sns += row.perOrder();
                case "Lambda" -> lambda += row.perOrder();
                case "DynamoDB Streams" -> streams += row.perOrder();
                case "kms" -> kms += row.perOrder();
                default -> { }
            }
        }
        return new Totals(w, r, ddb, sqs, sns, lambda, streams, kms, dollars);
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
        // the events stream function stays, reduced to the publisher and a starter calling StartExecution (or a
        // Pipe): invoked only for the published commits (the saga's own commits are gone), one SNS publish, one
        // publisher checkpoint read and write each (ADR 0011's accounting at one commit per batch). The
        // participants' replies become SendTaskSuccess calls (no reply queue, no orchestrator, no deadlines table).
        double published = byFunction.stream().filter(s -> s.function().equals(STREAM_FUNCTION))
                .mapToDouble(FunctionShare::snsPublishes).sum();
        double stream = published * (prices.lambdaPerInvocation(STREAM_FUNCTION) + Prices.SNS_FIFO_PUBLISH_PER_MILLION
                + Pricing.WRITE_PER_MILLION + Pricing.READ_PER_MILLION);
        remaining += stream;
        notes.add("the events stream function, kept as the publisher and a starter calling StartExecution: "
                + Report.f(published, 0) + " invocations (one per published commit), as many SNS publishes and"
                + " publisher checkpoint writes and reads, $" + Report.f(stream, 2) + " per million orders");
        // the ApproveOrder Task invokes OrderCommandsFunction there; here the stream function handles the Order's
        // command in process (ADR 0015), so its invocation is not in the counted figures: added at its price
        double orderInvocations = byFunction.stream().filter(s -> s.function().equals(ORDER_COMMANDS_FUNCTION))
                .mapToDouble(FunctionShare::invocations).sum();
        if (orderInvocations == 0) {
            double task = prices.lambdaPerInvocation(ORDER_COMMANDS_FUNCTION);
            remaining += task;
            notes.add(ORDER_COMMANDS_FUNCTION + " as the ApproveOrder Task: 1 invocation, $" + Report.f(task, 2)
                    + " per million orders (here the stream function handles the Order's command in process, ADR"
                    + " 0015; its units are counted under the stream function and not added again)");
        }
        notes.add("not counted: the participants' replies, which the stream function applies to their sagas here"
                + " (ADR 0013), would be SendTaskSuccess calls there");
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
        /** KMS API requests ($0.03 per 10,000), us-east-1. */
        public static final double KMS_PER_MILLION_REQUESTS = 3.00;
        public static final String KMS_SOURCE = "https://aws.amazon.com/kms/pricing/ ($0.03 per 10,000 requests)";
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
                case "SNS" -> !line.what().startsWith("Publish") ? new Price(SNS_STANDARD_PUBLISH_PER_MILLION,
                        "$0.50/M (API request)")
                        : Boolean.TRUE.equals(fifo.get(line.resource()))
                        ? new Price(SNS_FIFO_PUBLISH_PER_MILLION, "$0.30/M (FIFO publish)")
                        : new Price(SNS_STANDARD_PUBLISH_PER_MILLION, "$0.50/M");
                case "Lambda" -> new Price(lambdaPerInvocation(line.resource()), "$0.20/M + "
                        + msPerInvocation + " ms × " + memoryMb.getOrDefault(line.resource(), 128) + " MB");
                case "DynamoDB Streams" -> new Price(0, "free for Lambda triggers");
                case "kms" -> new Price(KMS_PER_MILLION_REQUESTS, "$0.03 per 10,000");
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
