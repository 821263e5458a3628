package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.app.Application;
import dev.nosqles.app.order.OrderCommand.ApproveOrder;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.ApiClient.Response;





import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The reference application over HTTP, as `make run` serves it from template.yaml. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private RunningApp app;
    private DynamoDbClient dynamoDb;

    @BeforeAll
    void start() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("api-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
        dynamoDb = app.aws().dynamoDb();
    }

    @AfterAll
    void stop() {
        dynamoDb.close();
        app.close();
    }

    private Response send(String method, String path, String body, String... headers) {
        return api.send(method, path, body, headers);
    }

    private Response get(String path) {
        return api.get(path);
    }

    private Response post(String path, String body, String... headers) {
        return api.post(path, body, headers);
    }

    private String createCustomer(String name, String limit) {
        Response r = post("/customers", customerJson(name, limit));
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("customerId").asText();
    }

    private String placeOrder(String customerId, String total) {
        Response r = post("/orders", orderJson(customerId, total));
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("orderId").asText();
    }

    private static String customerJson(String name, String limit) {
        return "{\"name\":\"" + name + "\",\"creditLimit\":\"" + limit + "\"}";
    }

    private static String orderJson(String customerId, String total) {
        return "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + total + "\"}";
    }

    /** The application on the tables the runtime created: for what has no HTTP route yet (the saga's approval). */
    private Application applicationOnTheRuntimesTables() {
        return Application.onDynamoDb(dynamoDb, app.resources().tableName("EventsTable"),
                app.resources().tableName("SnapshotsTable"), RuntimeKeys.of(app.aws(), app.resources()));
    }

    @Nested
    class Customers {
        @Test
        void a_created_customer_answers_201_with_its_location_and_reads_back() {
            Response created = post("/customers", customerJson("Ann", "100.5"));
            assertThat(created.status()).isEqualTo(201);
            String id = created.body().get("customerId").asText();
            assertThat(created.location()).isEqualTo("/customers/" + id);

            Response read = get(created.location());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.contentType()).isEqualTo("application/json");
            assertThat(read.body()).isEqualTo(JSON.createObjectNode().put("customerId", id).put("name", "Ann")
                    .put("creditLimit", "100.50").put("availableCredit", "100.50").put("version", 1));
        }

        @Test
        void a_create_retried_with_the_same_idempotency_key_answers_the_same_customer() {
            String key = "cust-" + UUID.randomUUID();
            Response first = post("/customers", customerJson("Bob", "50"), "Idempotency-Key", key);
            Response retry = post("/customers", customerJson("Bob", "50"), "Idempotency-Key", key);
            assertThat(first.status()).isEqualTo(201);
            assertThat(retry.status()).isEqualTo(201);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(get(first.location()).body().get("version").asLong()).isEqualTo(1);
        }

        @Test
        void the_same_idempotency_key_for_a_different_customer_is_a_422_problem() {
            String key = "cust-" + UUID.randomUUID();
            assertThat(post("/customers", customerJson("Bob", "50"), "Idempotency-Key", key).status()).isEqualTo(201);
            assertThat(post("/customers", customerJson("Bob", "51"), "Idempotency-Key", key).problem(422))
                    .isEqualTo("idempotency-key-reused");
        }

        @Test
        void an_unknown_customer_is_a_404_problem() {
            assertThat(get("/customers/" + UUID.randomUUID()).problem(404)).isEqualTo("not-found");
        }

        @ParameterizedTest
        @ValueSource(strings = {"not json", "[1,2]", "{\"name\":\"Ann\""})
        void a_body_that_is_not_one_json_object_is_a_400_problem(String body) {
            assertThat(post("/customers", body).problem(400)).isEqualTo("malformed-json");
        }

        @Test
        void an_invalid_credit_limit_is_a_400_problem() {
            assertThat(post("/customers", customerJson("Ann", "-1")).problem(400)).isEqualTo("invalid-field");
        }
    }

    @Nested
    class Orders {
        @Test
        void a_placed_order_answers_201_pending_approval_and_reads_back() {
            String customerId = createCustomer("Ann", "100");
            Response placed = post("/orders", orderJson(customerId, "25"));
            assertThat(placed.status()).isEqualTo(201);
            String orderId = placed.body().get("orderId").asText();
            assertThat(placed.body()).isEqualTo(JSON.createObjectNode()
                    .put("orderId", orderId).put("state", "APPROVAL_PENDING"));
            assertThat(placed.location()).isEqualTo("/orders/" + orderId);

            assertThat(get(placed.location()).body()).isEqualTo(JSON.createObjectNode().put("orderId", orderId)
                    .put("customerId", customerId).put("orderTotal", "25.00").put("state", "APPROVAL_PENDING")
                    .put("version", 1));
        }

        @Test
        void an_order_retried_with_the_same_idempotency_key_is_placed_once() {
            String customerId = createCustomer("Ann", "100");
            String key = "order-" + UUID.randomUUID();
            Response first = post("/orders", orderJson(customerId, "25"), "Idempotency-Key", key);
            Response retry = post("/orders", orderJson(customerId, "25.00"), "Idempotency-Key", key);
            assertThat(retry.status()).isEqualTo(201);
            assertThat(retry.body()).isEqualTo(first.body());
            String orderId = first.body().get("orderId").asText();
            assertThat(get("/orders/" + orderId + "/events").body()).hasSize(1);
        }

        @Test
        void the_same_idempotency_key_for_a_different_order_is_a_422_problem() {
            String customerId = createCustomer("Ann", "100");
            String key = "order-" + UUID.randomUUID();
            post("/orders", orderJson(customerId, "25"), "Idempotency-Key", key);
            assertThat(post("/orders", orderJson(customerId, "26"), "Idempotency-Key", key).problem(422))
                    .isEqualTo("idempotency-key-reused");
        }

        @Test
        void an_order_for_an_unknown_customer_is_a_422_problem() {
            assertThat(post("/orders", orderJson(UUID.randomUUID().toString(), "25")).problem(422))
                    .isEqualTo("unknown-customer");
        }

        @Test
        void cancelling_a_pending_order_is_a_422_problem() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            assertThat(post("/orders/" + orderId + "/cancel", null).problem(422))
                    .isEqualTo("order-cannot-be-cancelled");
        }

        @Test
        void an_unknown_order_its_history_and_its_cancel_are_404_problems() {
            String unknown = UUID.randomUUID().toString();
            assertThat(get("/orders/" + unknown).problem(404)).isEqualTo("not-found");
            assertThat(get("/orders/" + unknown + "/events").problem(404)).isEqualTo("not-found");
            assertThat(post("/orders/" + unknown + "/cancel", null).problem(404)).isEqualTo("not-found");
        }
    }

    @Nested
    class HistoryAndTimeTravel {
        @Test
        void the_history_lists_every_event_in_order_with_its_envelope() {
            String customerId = createCustomer("Ann", "100");
            String orderId = placeOrder(customerId, "25");
            applicationOnTheRuntimesTables().orders().update(orderId, new ApproveOrder());
            assertThat(post("/orders/" + orderId + "/cancel", null, "X-Correlation-Id", "corr-7").status())
                    .isEqualTo(200);

            Response history = get("/orders/" + orderId + "/events");
            assertThat(history.status()).isEqualTo(200);
            assertThat(history.body()).extracting(e -> e.get("type").asText())
                    .containsExactly("OrderCreated", "OrderApproved", "OrderCancelled");
            assertThat(history.body()).extracting(e -> e.get("version").asLong()).containsExactly(1L, 2L, 3L);
            assertThat(history.body().get(0).get("data")).isEqualTo(JSON.createObjectNode()
                    .put("customerId", customerId).put("orderTotal", "25.00").put("owner", "anonymous"));
            assertThat(history.body().get(2).get("correlationId").asText()).isEqualTo("corr-7");
        }

        @Test
        void an_order_reads_as_it_was_at_each_version() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            applicationOnTheRuntimesTables().orders().update(orderId, new ApproveOrder());
            post("/orders/" + orderId + "/cancel", null);

            assertThat(get("/orders/" + orderId + "?version=1").body().get("state").asText())
                    .isEqualTo("APPROVAL_PENDING");
            Response v2 = get("/orders/" + orderId + "?version=2");
            assertThat(v2.body().get("state").asText()).isEqualTo("APPROVED");
            assertThat(v2.body().get("version").asLong()).isEqualTo(2);
            assertThat(get("/orders/" + orderId + "?version=3").body().get("state").asText()).isEqualTo("CANCELLED");
            assertThat(get("/orders/" + orderId).body().get("version").asLong()).isEqualTo(3);
        }

        @Test
        void a_version_the_order_has_not_reached_is_a_404_problem() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            assertThat(get("/orders/" + orderId + "?version=2").problem(404)).isEqualTo("not-found");
        }

        @Test
        void an_instant_before_the_order_existed_is_a_404_problem() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            assertThat(get("/orders/" + orderId + "?asOf=2000-01-01T00:00:00Z").problem(404)).isEqualTo("not-found");
        }

        @ParameterizedTest
        @ValueSource(strings = {"version=0", "version=abc", "asOf=yesterday", "version=1&asOf=2026-01-01T00:00:00Z"})
        void a_malformed_time_travel_query_is_a_400_problem(String query) {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            assertThat(get("/orders/" + orderId + "?" + query).problem(400)).isEqualTo("invalid-query");
        }
    }

    @Nested
    class TheLocalApiGateway {
        @Test
        void a_method_without_a_route_in_the_template_is_a_405_problem() {
            Response r = send("DELETE", "/orders/" + UUID.randomUUID(), null);
            assertThat(r.problem(405)).isEqualTo("method-not-allowed");
        }

        @Test
        void a_path_without_a_route_in_the_template_is_a_404_problem() {
            assertThat(get("/nothing/here").problem(404)).isEqualTo("not-found");
        }

        @Test
        void each_request_is_logged_on_one_line_with_its_status_and_function() {
            String id = createCustomer("Ann", "1");
            get("/customers/" + id);
            assertThat(log).anySatisfy(line -> assertThat(line).startsWith("POST /customers -> 201 ApiFunction "))
                    .anySatisfy(line -> assertThat(line).startsWith("GET /customers/" + id + " -> 200 ApiFunction "));
        }

        @Test
        void the_events_go_to_the_table_the_template_declares_under_the_stack_name() {
            String id = createCustomer("Ann", "1");
            assertThat(app.resources().tableName("EventsTable")).startsWith(app.resources().stackName() + "-");
            assertThat(dynamoDb.query(b -> b.tableName(app.resources().tableName("EventsTable"))
                    .keyConditionExpression("streamId = :s")
                    .expressionAttributeValues(java.util.Map.of(":s",
                            software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("Customer-" + id))))
                    .count()).isEqualTo(1);
        }
    }
}
