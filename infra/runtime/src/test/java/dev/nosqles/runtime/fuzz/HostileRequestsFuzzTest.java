package dev.nosqles.runtime.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.app.Application;
import dev.nosqles.app.order.OrderCommand.ApproveOrder;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.runtime.fuzz.HostileRequests.Case;
import dev.nosqles.runtime.fuzz.RawHttp.Answer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * Issue 16: hostile requests, generated from a seed ({@code -Dfuzz.seed=N} replays another run), against the
 * application as {@code make run} serves it from template.yaml. For every request: an answer (never a dropped
 * connection) within 5 s; never a 5xx; a status the API reference allows for it, a refusal being an
 * {@code application/problem+json} that echoes nothing of the request; nothing written for a refusal. At the end:
 * no request data in any log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileRequestsFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("fuzz.seed", 16L);
    private static final int MIN_REQUESTS = 300;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    private final Handler julCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (record.getParameters() != null) {
                message = java.text.MessageFormat.format(message, record.getParameters());
            }
            log.add(message + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private dev.nosqles.runtime.StdoutCapture stdout;
    private RunningApp app;
    private DynamoDbClient dynamoDb;
    private RawHttp http;
    private String eventsTable;
    private List<Case> cases;
    private long slowest;
    private int answered;

    @BeforeAll
    void start() throws Exception {
        Logger.getLogger("").addHandler(julCapture);
        stdout = dev.nosqles.runtime.StdoutCapture.start(); // the functions' JSON log lines
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("fuzz-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
        dynamoDb = app.aws().dynamoDb();
        eventsTable = app.resources().tableName("EventsTable");
        http = new RawHttp(app.baseUri());
        String customerId = created(http.send(RawHttp.request("POST", "/customers",
                Map.of("Content-Type", "application/json"),
                "{\"name\":\"Fuzz\",\"creditLimit\":\"1000000\"}".getBytes(StandardCharsets.UTF_8)), 5_000), "customerId");
        String orderKey = "fuzz-order-" + UUID.randomUUID();
        String orderId = created(http.send(RawHttp.request("POST", "/orders", Map.of("Content-Type", "application/json",
                "Idempotency-Key", orderKey), ("{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"5\"}")
                .getBytes(StandardCharsets.UTF_8)), 5_000), "orderId");
        Application.onDynamoDb(dynamoDb, eventsTable, app.resources().tableName("SnapshotsTable"),
                dev.nosqles.runtime.RuntimeKeys.of(app.aws(), app.resources())).orders()
                .update(orderId, new ApproveOrder());
        cases = new HostileRequests(SEED, customerId, orderId, orderKey).all();
    }

    private static String created(Answer answer, String field) throws Exception {
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        return JSON.readTree(answer.body()).get(field).asText();
    }

    @AfterAll
    void stop() {
        Logger.getLogger("").removeHandler(julCapture);
        stdout.close();
        System.out.println("fuzz: seed " + SEED + ", " + answered + " requests, statuses " + statuses
                + ", slowest answer " + slowest + " ms");
        dynamoDb.close();
        app.close();
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> every_hostile_request_gets_a_clean_answer_in_time_and_a_refusal_writes_nothing() {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(c)));
    }

    private void check(Case c) throws Exception {
        int before = storedItems();
        Answer a = http.send(c.bytes(), 5_500);
        answered++;
        slowest = Math.max(slowest, a.millis());
        statuses.merge(a.status(), 1, Integer::sum);
        assertThat(a.status()).as("%s: an answer, not a dropped connection", c).isPositive();
        assertThat(a.millis()).as("%s: answered within 5 s", c).isLessThan(5_000);
        assertThat(a.status()).as("%s: never a 5xx (%s)", c, a.body()).isLessThan(500);
        assertThat(a.status()).as("%s: a status the contract allows (%s)", c, a.body()).isIn(c.allowed());
        assertThat(a.body()).as("%s: echoes nothing of the request", c).doesNotContain(HostileRequests.CANARY)
                .doesNotContain("Exception").doesNotContain("thrown");
        if (a.status() >= 400) {
            assertThat(a.header("Content-Type")).as("%s", c).isEqualTo("application/problem+json");
            if (!c.head()) {
                JsonNode problem = JSON.readTree(a.body());
                assertThat(problem.get("type").asText()).startsWith("urn:nosqles:problem:");
                assertThat(problem.get("status").asInt()).isEqualTo(a.status());
                assertThat(problem.get("title").asText()).isNotBlank();
                assertThat(problem.get("detail").asText()).isNotBlank();
            }
            if (a.status() == 405) {
                assertThat(a.header("Allow")).as("%s", c).matches("(GET|POST)(, (GET|POST))*");
            }
            assertThat(storedItems()).as("%s: nothing written for a refusal", c).isEqualTo(before);
        }
    }

    @Test
    @Order(2)
    void the_run_covers_every_category_with_at_least_300_requests_and_no_log_line_carries_request_data() {
        assertThat(answered).isEqualTo(cases.size()).isGreaterThanOrEqualTo(MIN_REQUESTS);
        assertThat(cases.stream().map(Case::category).distinct()).containsExactlyInAnyOrder("malformed-json", "types",
                "amounts", "texts", "sizes", "nesting", "ids-and-paths", "methods", "content-types", "headers",
                "framing", "query", "idempotency-keys");
        assertThat(statuses.keySet()).allSatisfy(s -> assertThat(s).isBetween(200, 499));
        assertThat(log).isNotEmpty().noneSatisfy(line -> assertThat(line).containsIgnoringCase(
                HostileRequests.CANARY));
        // the ids a caller chose (X-Correlation-Id, Idempotency-Key: the message id) are logged as what they are,
        // ids; nothing else of a request (body, path, other headers) reaches a line
        assertThat(stdout.lines()).as("the functions' JSON log lines")
                .anyMatch(line -> line.contains("\"function_name\":\"ApiFunction\""))
                .noneSatisfy(line -> assertThat(withoutIds(line)).containsIgnoringCase(HostileRequests.CANARY));
    }

    private static String withoutIds(String line) {
        if (!line.startsWith("{")) {
            return line;
        }
        try {
            com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode)
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            json.remove(List.of("correlation_id", "causation_id", "message_id"));
            return json.toString();
        } catch (java.io.IOException | ClassCastException e) {
            return line;
        }
    }

    /** Every item in the events table. */
    private int storedItems() {
        return dynamoDb.scan(b -> b.tableName(eventsTable).select(Select.COUNT).consistentRead(true)).count();
    }
}
