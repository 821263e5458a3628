package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.ApiClient.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * One order's path through every function of template.yaml, followed in what the functions write to stdout (their
 * CloudWatch log): JSON lines with the function's name and request id and the ids of what it handled, and one EMF
 * line per invocation. The pollers are not started; the test drains them until nothing moves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeObservabilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private RunningApp app;
    private DynamoDbClient dynamoDb;
    private String stack;

    @BeforeAll
    void start() {
        stack = "obs-" + UUID.randomUUID().toString().substring(0, 8);
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName(stack)
                .withPollersStarted(false)
                .withLog(log::add));
        dynamoDb = app.aws().dynamoDb();
    }

    @AfterAll
    void stop() {
        dynamoDb.close();
        app.close();
    }

    /** What the functions write to stdout while one order is placed and the application settles. */
    private record Run(String correlationId, String customerName, String orderId, List<JsonNode> logs,
                       List<JsonNode> metrics, List<String> lines) {
    }

    private Run placeOneOrder() {
        return placeOneOrder(null);
    }

    /** @param traceHeader the X-Ray trace header of the API's invocation only (null: none) */
    private Run placeOneOrder(String traceHeader) {
        String name = "Zed-" + UUID.randomUUID(); // personal data: must never reach a log line
        Response customer = api.send("POST", "/customers", "{\"name\":\"" + name + "\",\"creditLimit\":\"100\"}");
        assertThat(customer.status()).isEqualTo(201);
        String customerId = customer.body().get("customerId").asText();
        app.drainUntilIdle();
        String correlationId = "corr-" + UUID.randomUUID();

        List<String> lines;
        String orderId;
        try (StdoutCapture out = StdoutCapture.start()) {
            Response order;
            if (traceHeader != null) {
                System.setProperty("com.amazonaws.xray.traceHeader", traceHeader);
            }
            try {
                order = api.send("POST", "/orders", "{\"customerId\":\"" + customerId
                        + "\",\"orderTotal\":\"10.37\"}", "X-Correlation-Id", correlationId);
            } finally {
                System.clearProperty("com.amazonaws.xray.traceHeader");
            }
            assertThat(order.status()).isEqualTo(201);
            orderId = order.body().get("orderId").asText();
            app.drainUntilIdle();
            lines = out.lines();
        }
        assertThat(api.get("/orders/" + orderId).body().get("state").asText()).isEqualTo("APPROVED");

        List<JsonNode> logs = new ArrayList<>();
        List<JsonNode> metrics = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("{")) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                (node.has("_aws") ? metrics : logs).add(node);
            } catch (IOException e) {
                throw new AssertionError("a line that starts like JSON and is not: " + line, e);
            }
        }
        return new Run(correlationId, name, orderId, logs, metrics, lines);
    }

    private static Set<String> functions(List<JsonNode> logs, Predicate<JsonNode> which) {
        Set<String> names = new TreeSet<>();
        logs.stream().filter(which).forEach(l -> names.add(l.path("function_name").asText()));
        return names;
    }

    private static boolean field(JsonNode line, String name, String value) {
        return line.hasNonNull(name) && line.get(name).asText().equals(value);
    }

    @Test
    void one_orders_log_lines_are_found_by_its_request_correlation_id_alone_in_every_function_it_crossed() {
        Run run = placeOneOrder();
        Predicate<JsonNode> ofTheOrder = l -> field(l, "correlation_id", run.correlationId());

        // one id, the order request's, finds every hop (the query of operations.md's "follow one order"); the
        // replies are applied by the stream function (ADR 0013): SagaRepliesFunction only sees the deadline
        // messages, which arrive 30 s after their commands, within the test or not; and the Order's command is
        // handled by the stream function too (ADR 0015): OrderCommandsFunction only sees its fallbacks
        assertThat(functions(run.logs(), ofTheOrder)).contains("ApiFunction",
                "OrderSagaStreamFunction", "CustomerCommandsFunction")
                .isSubsetOf("ApiFunction", "OrderSagaStreamFunction", "CustomerCommandsFunction",
                        "SagaRepliesFunction");
        assertThat(run.logs()).filteredOn(ofTheOrder).allSatisfy(l -> {
            assertThat(l.path("function_request_id").asText()).isNotBlank();
            assertThat(l.path("service").asText()).isEqualTo(stack);
            assertThat(l.path("level").asText()).isIn("INFO", "WARN");
        });
        // the saga's id is a key of its own, the same on every saga line of the order, and never its correlation id
        Set<String> sagaIds = new TreeSet<>();
        run.logs().stream().filter(ofTheOrder).filter(l -> l.hasNonNull("saga_id"))
                .forEach(l -> sagaIds.add(l.get("saga_id").asText()));
        assertThat(sagaIds).hasSize(1);
        String sagaId = sagaIds.iterator().next();
        assertThat(functions(run.logs(), l -> field(l, "saga_id", sagaId))).contains(
                "OrderSagaStreamFunction", "CustomerCommandsFunction");
        // the reply handled in process is logged by the stream function, under the saga's id
        assertThat(run.logs()).filteredOn(l -> field(l, "saga_id", sagaId))
                .filteredOn(l -> l.path("function_name").asText().equals("OrderSagaStreamFunction"))
                .anySatisfy(l -> assertThat(l.path("message").asText()).startsWith("HandleReply handled"));
        assertThat(run.logs()).filteredOn(l -> field(l, "saga_id", sagaId))
                .allSatisfy(l -> assertThat(l.path("correlation_id").asText()).isEqualTo(run.correlationId()));
        // the participants' lines say which aggregate and version the command wrote, the Order's in the stream
        // function that handled its command (ADR 0015), under the saga's id
        assertThat(run.logs()).filteredOn(ofTheOrder)
                .filteredOn(l -> l.path("function_name").asText().equals("CustomerCommandsFunction"))
                .anySatisfy(l -> assertThat(l.path("stream_id").asText()).startsWith("Customer-"));
        assertThat(run.logs()).filteredOn(ofTheOrder)
                .filteredOn(l -> l.path("function_name").asText().equals("OrderSagaStreamFunction"))
                .filteredOn(l -> l.path("message").asText().startsWith("ApproveOrder handled"))
                .singleElement().satisfies(l -> {
                    assertThat(l.path("stream_id").asText()).isEqualTo("Order-" + run.orderId());
                    assertThat(l.path("saga_id").asText()).isEqualTo(sagaId);
                });
        // never a payload or personal data
        assertThat(run.lines()).noneMatch(l -> l.contains(run.customerName()) || l.contains("10.37"));
    }

    @Test
    void the_emf_lines_count_one_saga_started_and_completed_and_every_command_the_order_caused() {
        Run run = placeOneOrder();
        String sagaId = run.logs().stream()
                .filter(l -> field(l, "correlation_id", run.correlationId()) && l.hasNonNull("saga_id"))
                .map(l -> l.get("saga_id").asText()).findFirst().orElseThrow();

        assertThat(run.metrics()).isNotEmpty().allSatisfy(m -> {
            JsonNode definition = m.path("_aws").path("CloudWatchMetrics").get(0);
            assertThat(definition.path("Namespace").asText()).isEqualTo("nosqles");
            assertThat(definition.path("Dimensions").toString()).isEqualTo("[[\"Service\"]]");
            assertThat(m.path("Service").asText()).isEqualTo(stack);
        });
        // every handled command is one commit of the order, the customer or the saga (the customer's creation was
        // before the capture)
        long commits = commits("Order-" + run.orderId()) + commits("CreateOrderSaga-" + sagaId)
                + commits("Customer-" + customerOf(run.orderId())) - 1;
        assertThat(sum(run, "CommandsHandled")).isEqualTo(commits);
        assertThat(sum(run, "SagasStarted")).isEqualTo(1);
        assertThat(sum(run, "SagasCompleted")).isEqualTo(1);
        assertThat(sum(run, "SagasFailed")).isZero();
        assertThat(sum(run, "CommandsRejected")).isZero();
        assertThat(sum(run, "EventsDispatched")).isPositive();
        assertThat(run.metrics()).anySatisfy(m -> assertThat(m.has("SubscriptionLag")).isTrue());
    }

    @Test
    void the_api_invocations_trace_header_travels_through_the_events_and_the_saga_messages() {
        String header = "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 24) + ";Parent=53995c3f42cd8ad8;Sampled=1";
        Run run = placeOneOrder(header); // only the API's invocation has it: the others get it from what they handle

        assertThat(api.get("/orders/" + run.orderId() + "/events").body().get(0).path("correlationId").asText())
                .isEqualTo(run.correlationId());
        // the stream function: from the events' metadata; the participants: from the SQS attribute AWSTraceHeader
        assertThat(functions(run.logs(), l -> field(l, "trace_header", header))).contains("ApiFunction",
                "OrderSagaStreamFunction", "CustomerCommandsFunction");
    }

    private static long sum(Run run, String metric) {
        return run.metrics().stream().filter(m -> m.has(metric)).mapToLong(m -> m.get(metric).asLong()).sum();
    }

    private String customerOf(String orderId) {
        return api.get("/orders/" + orderId).body().get("customerId").asText();
    }

    private long commits(String streamId) {
        return dynamoDb.query(b -> b.tableName(app.resources().tableName("EventsTable")).consistentRead(true)
                .keyConditionExpression("streamId = :s").select(Select.COUNT)
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(streamId)))).count();
    }
}
