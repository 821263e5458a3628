package dev.nosqles.app.api;

import dev.nosqles.lambda.Telemetry;
import dev.nosqles.app.readmodel.OrderQueries;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.app.api.internal.ApiRequest;
import dev.nosqles.app.api.internal.IdempotentIds;
import dev.nosqles.app.api.internal.IdempotentIds.Operation;
import dev.nosqles.app.customer.CustomerCommand.ReleaseCredit;
import dev.nosqles.app.customer.CustomerCommand.ReserveCredit;
import dev.nosqles.app.order.OrderCommand.ApproveOrder;
import dev.nosqles.app.order.OrderCommand.RejectOrder;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.app.internal.AppJson;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.testsupport.MutableClock;
import dev.nosqles.testsupport.TestTables;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Select;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiHandlerTest {
    private DynamoDbClient client;
    private String eventsTable;
    private EventStore store;
    private SnapshotStore snapshots;
    private Application app;
    private ApiHandler handler;
    private final MutableClock clock = MutableClock.at("2026-03-01T09:00:00Z");

    @BeforeAll
    void startApplication() {
        client = TestTables.client(new CapacityMeter());
        eventsTable = TestTables.newEventsTable(client, "api");
        String snapshotsTable = TestTables.newSnapshotsTable(client, "api");
        snapshots = DynamoDbSnapshotStore.builder().client(client).tableName(snapshotsTable).build();
        store = DynamoDbEventStore.builder().client(client).tableName(eventsTable).clock(clock).build();
        app = new Application(store, snapshots, clock, UUID::randomUUID);
        handler = new ApiHandler(app, OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));
    }

    record Response(int status, Map<String, String> headers, JsonNode body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }

        /** Asserts an RFC 9457 problem with this status and returns its type. */
        String problem(int expectedStatus) {
            assertThat(status).as("status of %s", body).isEqualTo(expectedStatus);
            assertThat(header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(body.get("status").asInt()).isEqualTo(expectedStatus);
            assertThat(body.get("title").asText()).isNotBlank();
            assertThat(body.get("detail").asText()).isNotBlank();
            assertThat(body.get("type").asText()).startsWith("urn:nosqles:problem:");
            return body.get("type").asText().substring("urn:nosqles:problem:".length());
        }

        /** The part of the request a problem names. */
        String field() {
            return body.hasNonNull("field") ? body.get("field").asText() : null;
        }
    }

    private Response call(ApiEvents request) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(request.build(), null);
        try {
            return new Response(r.getStatusCode(), r.getHeaders(), AppJson.mapper().readTree(r.getBody()));
        } catch (Exception e) {
            throw new AssertionError("the body is not JSON: " + r.getBody(), e);
        }
    }

    private String createCustomer(String name, String limit) {
        Response r = call(ApiEvents.post("/customers", customerJson(name, limit)));
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("customerId").asText();
    }

    /** A customer created by the caller with this JWT subject. */
    private String createCustomerAs(String sub, String name, String limit) {
        Response r = call(ApiEvents.post("/customers", customerJson(name, limit)).jwtSubject(sub));
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("customerId").asText();
    }

    private static String customerJson(String name, String limit) {
        return "{\"name\":\"" + name + "\",\"creditLimit\":\"" + limit + "\"}";
    }

    private static String orderJson(String customerId, String total) {
        return "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + total + "\"}";
    }

    private String placeOrder(String customerId, String total) {
        Response r = call(ApiEvents.post("/orders", orderJson(customerId, total)));
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("orderId").asText();
    }

    private String approvedOrder() {
        String orderId = placeOrder(createCustomer("Ann", "100"), "25");
        app.orders().update(orderId, new ApproveOrder());
        return orderId;
    }

    /** Every item in the events table: proof that a failed request wrote nothing. */
    private int storedItems() {
        return client.scan(b -> b.tableName(eventsTable).select(Select.COUNT).consistentRead(true)).count();
    }

    private List<RecordedEvent> stream(String type, String id) {
        return store.read(StreamId.of(type, id)).events();
    }

    @Nested
    class Customers {
        @Test
        void creating_a_customer_answers_201_with_its_id_and_location() {
            Response r = call(ApiEvents.post("/customers", customerJson("Ann", "100.5")));
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            String id = r.body().get("customerId").asText();
            assertThat(UUID.fromString(id)).isNotNull();
            assertThat(r.header("Location")).isEqualTo("/customers/" + id);
            assertThat(stream("Customer", id)).extracting(RecordedEvent::type).containsExactly("CustomerCreated");
        }

        @Test
        void a_successful_create_is_visible_to_the_nothing_written_check() {
            int before = storedItems();
            createCustomer("Ann", "1");
            assertThat(storedItems()).isEqualTo(before + 1);
        }

        @Test
        void a_customer_reads_back_with_its_available_credit_and_version() {
            String id = createCustomer("Ann", "100.5");
            Response r = call(ApiEvents.get("/customers/" + id));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(AppJson.mapper().createObjectNode().put("customerId", id).put("name", "Ann")
                    .put("creditLimit", "100.50").put("availableCredit", "100.50").put("version", 1));
        }

        @Test
        void a_customer_with_many_reservations_reads_back_the_same_from_its_snapshot() {
            String id = createCustomer("Ann", "1000");
            for (int i = 1; i <= 50; i++) {
                app.customers().update(id, new ReserveCredit("o" + i, new BigDecimal("1.10")));
            }
            app.customers().update(id, new ReleaseCredit("o1"));
            assertThat(snapshots.load(StreamId.of("Customer", id))).hasValueSatisfying(s -> {
                assertThat(s.version()).isEqualTo(50);
                assertThat(s.stateType()).isEqualTo("CustomerState");
            });
            Response r = call(ApiEvents.get("/customers/" + id));
            assertThat(r.body().get("availableCredit").asText()).isEqualTo("946.10");
            assertThat(r.body().get("creditLimit").asText()).isEqualTo("1000.00");
            assertThat(r.body().get("version").asLong()).isEqualTo(52);
            assertThat(app.customers().get(id).state().reservations()).hasSize(49).containsEntry("o2",
                    new BigDecimal("1.10"));
        }

        @Test
        void unknown_fields_in_the_body_are_ignored() {
            Response r = call(ApiEvents.post("/customers",
                    "{\"name\":\"Ann\",\"creditLimit\":\"10\",\"vip\":true}"));
            assertThat(r.status()).isEqualTo(201);
        }

        @Test
        void a_create_retried_with_the_same_idempotency_key_answers_the_same_and_creates_once() {
            String key = "cust-" + UUID.randomUUID();
            Response first = call(ApiEvents.post("/customers", customerJson("Bob", "50")).idempotencyKey(key));
            Response retry = call(ApiEvents.post("/customers", customerJson("Bob", "50")).idempotencyKey(key));
            assertThat(first.status()).isEqualTo(201);
            assertThat(retry.status()).isEqualTo(201);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
            String id = first.body().get("customerId").asText();
            assertThat(stream("Customer", id)).hasSize(1);
            assertThat(stream("Customer", id).getFirst().metadata().messageId())
                    .isEqualTo(IdempotentIds.messageId(Operation.CREATE_CUSTOMER, ApiRequest.ANONYMOUS, key));
        }

        @Test
        void the_same_idempotency_key_for_a_different_customer_is_422_and_writes_nothing() {
            String key = "cust-" + UUID.randomUUID();
            call(ApiEvents.post("/customers", customerJson("Bob", "50")).idempotencyKey(key));
            int before = storedItems();
            Response r = call(ApiEvents.post("/customers", customerJson("Bob", "60")).idempotencyKey(key));
            assertThat(r.problem(422)).isEqualTo("idempotency-key-reused");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void creates_without_an_idempotency_key_make_distinct_customers() {
            assertThat(createCustomer("Ann", "1")).isNotEqualTo(createCustomer("Ann", "1"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   ", "{", "[]", "\"text\"", "not json", "{} {}", "{\"name\":\"Ann\"}x"})
        void a_body_that_is_not_one_json_object_is_400_and_writes_nothing(String body) {
            int before = storedItems();
            Response r = call(ApiEvents.post("/customers", body));
            assertThat(r.problem(400)).isEqualTo("malformed-json");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void a_missing_body_is_400() {
            assertThat(call(ApiEvents.post("/customers", null)).problem(400)).isEqualTo("malformed-json");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"creditLimit\":\"10\"}",
            "{\"name\":\"  \",\"creditLimit\":\"10\"}",
            "{\"name\":42,\"creditLimit\":\"10\"}",
            "{\"name\":\"Ann\"}",
            "{\"name\":\"Ann\",\"creditLimit\":null}",
            "{\"name\":\"Ann\",\"creditLimit\":\"0\"}",
            "{\"name\":\"Ann\",\"creditLimit\":\"-5\"}",
            "{\"name\":\"Ann\",\"creditLimit\":\"ten\"}",
            "{\"name\":\"Ann\",\"creditLimit\":\"1.001\"}",
            "{\"name\":\"Ann\",\"creditLimit\":\"1e400\"}",
            "{\"name\":\"Ann\",\"creditLimit\":100}",
            "{\"name\":\"Ann\",\"creditLimit\":\"NaN\"}"})
        void invalid_customer_fields_are_400_and_write_nothing(String body) {
            int before = storedItems();
            Response r = call(ApiEvents.post("/customers", body));
            assertThat(r.problem(400)).isEqualTo("invalid-field");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void a_base64_encoded_body_is_decoded() {
            String encoded = Base64.getEncoder().encodeToString(
                    customerJson("Zoë", "5").getBytes(StandardCharsets.UTF_8));
            Response r = call(ApiEvents.post("/customers", null).base64Body(encoded));
            assertThat(r.status()).isEqualTo(201);
            Response read = call(ApiEvents.get("/customers/" + r.body().get("customerId").asText()));
            assertThat(read.body().get("name").asText()).isEqualTo("Zoë");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/customers/3f1c1a6e-0000-4000-8000-000000000000", "/customers/a%20b",
            "/customers/has*star"})
        void an_unknown_or_malformed_customer_id_is_404(String path) {
            assertThat(call(ApiEvents.get(path)).problem(404)).isEqualTo("not-found");
        }

        @Test
        void a_customer_id_too_long_to_be_an_id_is_404() {
            assertThat(call(ApiEvents.get("/customers/" + "x".repeat(200))).problem(404)).isEqualTo("not-found");
        }
    }

    /** Issue 16: every hostile input gets a 4xx problem naming what is wrong, and nothing is written. */
    @Nested
    class HostileInput {
        private Response refused(ApiEvents request, int status, String type, String field) {
            int before = storedItems();
            Response r = call(request);
            assertThat(r.problem(status)).isEqualTo(type);
            assertThat(r.field()).isEqualTo(field);
            assertThat(storedItems()).as("nothing written").isEqualTo(before);
            return r;
        }

        /** Regression: these answered 500 (the digit check overflowed an int, then setScale threw). */
        @ParameterizedTest
        @ValueSource(strings = {"1E+2147483647", "1E+2147483648", "99E+2147483646"})
        void a_huge_exponent_in_an_amount_is_400_not_500(String amount) {
            refused(ApiEvents.post("/customers", customerJson("x", amount)), 400, "invalid-field", "creditLimit");
            String customerId = createCustomer("Ann", "100");
            refused(ApiEvents.post("/orders", orderJson(customerId, amount)), 400, "invalid-field", "orderTotal");
        }

        /** Regression: an unpaired surrogate passed the API and failed in the store seconds later with a 500. */
        @Test
        void an_unpaired_surrogate_in_a_name_is_400_not_500() {
            refused(ApiEvents.post("/customers", "{\"name\":\"a\\ud800b\",\"creditLimit\":\"1\"}"),
                    400, "invalid-field", "name");
            refused(ApiEvents.post("/customers", "{\"name\":\"a\udc00b\",\"creditLimit\":\"1\"}"),
                    400, "invalid-encoding", "body");
        }

        @ParameterizedTest
        @ValueSource(strings = {"a\\u0000b", "\\u001b[31mred", "\\u202Eevil", "\\u200B\\u200B", "\\u2066x",
            "\\u007f", " \\ufeff "})
        void a_name_with_controls_bidi_overrides_or_only_invisible_characters_is_400(String escapedName) {
            refused(ApiEvents.post("/customers", customerJson(escapedName, "1")), 400, "invalid-field", "name");
        }

        @Test
        void a_name_is_measured_in_code_points() {
            String emoji = "\uD83D\uDE00";
            Response ok = call(ApiEvents.post("/customers", customerJson(emoji.repeat(150), "1")));
            assertThat(ok.status()).isEqualTo(201);
            assertThat(call(ApiEvents.get("/customers/" + ok.body().get("customerId").asText())).body()
                    .get("name").asText()).isEqualTo(emoji.repeat(150));
            refused(ApiEvents.post("/customers", customerJson(emoji.repeat(201), "1")), 400, "invalid-field", "name");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1e2", "+5", ".5", "5.", " 12.50 ", "\u0661\u0662", "012", "1.001", "-0", "0"})
        void an_amount_outside_the_one_grammar_is_400(String amount) {
            refused(ApiEvents.post("/customers", customerJson("Ann", amount)), 400, "invalid-field", "creditLimit");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"name\":\"Ann\",\"name\":\"Bob\",\"creditLimit\":\"1\"}",
            "{\"name\":\"Ann\",\"creditLimit\":\"1\",\"x\":{\"a\":1,\"a\":2}}"})
        void a_key_given_twice_is_400(String body) {
            refused(ApiEvents.post("/customers", body), 400, "duplicate-key", "body");
        }

        @Test
        void a_body_that_is_not_valid_utf8_is_400_not_replacement_characters() {
            byte[] bytes = "{\"name\":\"A?n\",\"creditLimit\":\"1\"}".getBytes(StandardCharsets.US_ASCII);
            bytes[10] = (byte) 0xC3; // a lead byte followed by 'n': malformed
            refused(ApiEvents.post("/customers", null).base64Body(Base64.getEncoder().encodeToString(bytes)),
                    400, "invalid-encoding", "body");
            byte[] surrogate = "{\"name\":\"A___\",\"creditLimit\":\"1\"}".getBytes(StandardCharsets.US_ASCII);
            surrogate[10] = (byte) 0xED;
            surrogate[11] = (byte) 0xA0;
            surrogate[12] = (byte) 0x80; // U+D800 encoded (CESU-8): not UTF-8
            refused(ApiEvents.post("/customers", null).base64Body(Base64.getEncoder().encodeToString(surrogate)),
                    400, "invalid-encoding", "body");
        }

        @ParameterizedTest
        @ValueSource(strings = {"image/png", "text/plain", "application/x-www-form-urlencoded",
            "application/json; charset=latin1", "application/jsonx", "multipart/form-data; boundary=x"})
        void a_body_of_another_content_type_is_415(String contentType) {
            refused(ApiEvents.post("/customers", customerJson("Ann", "1")).header("Content-Type", contentType),
                    415, "unsupported-media-type", "Content-Type");
        }

        @Test
        void a_body_without_a_content_type_is_415_and_json_with_utf8_is_accepted() {
            refused(ApiEvents.request("POST", "/customers").body(customerJson("Ann", "1")),
                    415, "unsupported-media-type", "Content-Type");
            assertThat(call(ApiEvents.post("/customers", customerJson("Ann", "1"))
                    .header("Content-Type", "Application/JSON; charset=UTF-8")).status()).isEqualTo(201);
        }

        @Test
        void a_body_nested_too_deep_is_400_and_one_too_large_is_413() {
            String deep = "{\"name\":\"Ann\",\"creditLimit\":\"1\",\"x\":" + "[".repeat(5000)
                    + "]".repeat(5000) + "}";
            refused(ApiEvents.post("/customers", deep), 400, "malformed-json", "body");
            String large = "{\"name\":\"Ann\",\"creditLimit\":\"1\",\"x\":\"" + "a".repeat(20_000) + "\"}";
            refused(ApiEvents.post("/customers", large), 413, "body-too-large", "body");
        }

        @ParameterizedTest
        @ValueSource(strings = {"+1", "\u0661", "01", "1 ", "0x1", "1e0", "9223372036854775808"})
        void a_version_that_is_not_ascii_digits_is_400_naming_it(String version) {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            assertThat(call(ApiEvents.get("/orders/" + orderId).query("version", version)).field())
                    .isEqualTo("version");
            refused(ApiEvents.get("/orders/" + orderId).query("version", version), 400, "invalid-query", "version");
        }

        @ParameterizedTest
        @ValueSource(strings = {"+1000000000-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59Z",
            "+999999999-12-31T23:59:59+18:00"})
        void the_latest_instants_read_the_current_order(String asOf) {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            Response r = call(ApiEvents.get("/orders/" + orderId).query("asOf", asOf));
            assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        }

        @ParameterizedTest
        @ValueSource(strings = {"-1000000000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
            "-999999999-01-01T00:00:00-18:00"})
        void the_earliest_instants_find_no_order(String asOf) {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            assertThat(call(ApiEvents.get("/orders/" + orderId).query("asOf", asOf)).problem(404))
                    .isEqualTo("not-found");
        }

        @Test
        void an_instant_in_other_digits_is_400() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            refused(ApiEvents.get("/orders/" + orderId).query("asOf", "\u0662\u0660\u0662\u0666-01-01T00:00:00Z"),
                    400, "invalid-query", "asOf");
        }

        @Test
        void a_malformed_idempotency_key_is_400_naming_the_header() {
            refused(ApiEvents.post("/customers", customerJson("Ann", "1")).idempotencyKey("k\u00e9y"),
                    400, "invalid-header", "Idempotency-Key");
            refused(ApiEvents.post("/customers", customerJson("Ann", "1")).idempotencyKey("k".repeat(256)),
                    400, "invalid-header", "Idempotency-Key");
        }
    }

    @Nested
    class PlacingOrders {
        @Test
        void placing_an_order_answers_201_pending_approval() {
            String customerId = createCustomer("Ann", "100");
            Response r = call(ApiEvents.post("/orders", orderJson(customerId, "25")));
            assertThat(r.status()).isEqualTo(201);
            String orderId = r.body().get("orderId").asText();
            assertThat(r.body()).isEqualTo(AppJson.mapper().createObjectNode()
                    .put("orderId", orderId).put("state", "APPROVAL_PENDING"));
            assertThat(r.header("Location")).isEqualTo("/orders/" + orderId);
        }

        @Test
        void an_order_reads_back_with_its_customer_total_state_and_version() {
            String customerId = createCustomer("Ann", "100");
            String orderId = placeOrder(customerId, "25");
            Response r = call(ApiEvents.get("/orders/" + orderId));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(AppJson.mapper().createObjectNode().put("orderId", orderId)
                    .put("customerId", customerId).put("orderTotal", "25.00").put("state", "APPROVAL_PENDING")
                    .put("version", 1));
        }

        @Test
        void an_order_for_an_unknown_customer_is_422_and_writes_nothing() {
            int before = storedItems();
            Response r = call(ApiEvents.post("/orders", orderJson(UUID.randomUUID().toString(), "25")));
            assertThat(r.problem(422)).isEqualTo("unknown-customer");
            assertThat(storedItems()).isEqualTo(before);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"orderTotal\":\"5\"}", "{\"customerId\":\"bad id\",\"orderTotal\":\"5\"}",
            "{\"customerId\":\"c1\",\"orderTotal\":\"0\"}", "{\"customerId\":\"c1\",\"orderTotal\":\"-3\"}",
            "{\"customerId\":\"c1\",\"orderTotal\":\"abc\"}", "{\"customerId\":\"c1\"}"})
        void invalid_order_fields_are_400_and_write_nothing(String body) {
            int before = storedItems();
            assertThat(call(ApiEvents.post("/orders", body)).problem(400)).isEqualTo("invalid-field");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void an_order_retried_with_the_same_idempotency_key_answers_the_same_and_is_placed_once() {
            String customerId = createCustomer("Ann", "100");
            String key = "order-" + UUID.randomUUID();
            Response first = call(ApiEvents.post("/orders", orderJson(customerId, "25")).idempotencyKey(key));
            app.orders().update(first.body().get("orderId").asText(), new ApproveOrder());
            Response retry = call(ApiEvents.post("/orders", orderJson(customerId, "25.00")).idempotencyKey(key));
            assertThat(first.status()).isEqualTo(201);
            assertThat(retry.status()).isEqualTo(201);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(stream("Order", first.body().get("orderId").asText()))
                    .extracting(RecordedEvent::type).containsExactly("OrderCreated", "OrderApproved");
        }

        @Test
        void the_same_idempotency_key_for_a_different_order_is_422_and_writes_nothing() {
            String customerId = createCustomer("Ann", "100");
            String key = "order-" + UUID.randomUUID();
            call(ApiEvents.post("/orders", orderJson(customerId, "25")).idempotencyKey(key));
            int before = storedItems();
            Response r = call(ApiEvents.post("/orders", orderJson(customerId, "26")).idempotencyKey(key));
            assertThat(r.problem(422)).isEqualTo("idempotency-key-reused");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void the_same_idempotency_key_makes_different_ids_for_a_customer_and_an_order() {
            String key = "shared-" + UUID.randomUUID();
            String customerId = call(ApiEvents.post("/customers", customerJson("Ann", "9")).idempotencyKey(key))
                    .body().get("customerId").asText();
            Response order = call(ApiEvents.post("/orders", orderJson(customerId, "5")).idempotencyKey(key));
            assertThat(order.status()).isEqualTo(201);
            assertThat(order.body().get("orderId").asText()).isNotEqualTo(customerId);
        }

        @ParameterizedTest
        @ValueSource(strings = {"/orders/3f1c1a6e-0000-4000-8000-000000000000", "/orders/a%20b"})
        void an_unknown_or_malformed_order_id_is_404(String path) {
            assertThat(call(ApiEvents.get(path)).problem(404)).isEqualTo("not-found");
        }
    }

    @Nested
    class TimeTravel {
        @Test
        void an_order_reads_as_it_was_at_each_version() {
            String orderId = approvedOrder();
            call(ApiEvents.post("/orders/" + orderId + "/cancel", null));
            assertThat(call(ApiEvents.get("/orders/" + orderId).query("version", "1")).body().get("state").asText())
                    .isEqualTo("APPROVAL_PENDING");
            Response v2 = call(ApiEvents.get("/orders/" + orderId).query("version", "2"));
            assertThat(v2.body().get("state").asText()).isEqualTo("APPROVED");
            assertThat(v2.body().get("version").asLong()).isEqualTo(2);
            assertThat(call(ApiEvents.get("/orders/" + orderId).query("version", "3")).body().get("state").asText())
                    .isEqualTo("CANCELLED");
        }

        @Test
        void a_version_the_order_has_not_reached_is_404() {
            String orderId = approvedOrder();
            assertThat(call(ApiEvents.get("/orders/" + orderId).query("version", "3")).problem(404))
                    .isEqualTo("not-found");
        }

        @Test
        void an_order_reads_as_it_was_at_an_instant() {
            String customerId = createCustomer("Ann", "100");
            Instant created = clock.instant();
            String orderId = placeOrder(customerId, "25");
            clock.advance(Duration.ofMinutes(5));
            Instant approved = clock.instant();
            app.orders().update(orderId, new ApproveOrder());
            clock.advance(Duration.ofMinutes(5));
            call(ApiEvents.post("/orders/" + orderId + "/cancel", null));

            assertThat(stateAsOf(orderId, created.plusSeconds(60).toString())).isEqualTo("APPROVAL_PENDING");
            assertThat(stateAsOf(orderId, approved.toString())).isEqualTo("APPROVED");
            assertThat(stateAsOf(orderId, approved.plusSeconds(299).toString())).isEqualTo("APPROVED");
            assertThat(stateAsOf(orderId, clock.instant().toString())).isEqualTo("CANCELLED");
        }

        @Test
        void an_instant_with_an_offset_is_accepted() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            Instant now = clock.instant();
            clock.advance(Duration.ofMinutes(1));
            String inParis = now.atOffset(java.time.ZoneOffset.ofHours(1)).toString();
            assertThat(stateAsOf(orderId, inParis)).isEqualTo("APPROVAL_PENDING");
        }

        @Test
        void an_instant_before_the_order_existed_is_404() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            Response r = call(ApiEvents.get("/orders/" + orderId).query("asOf", "2000-01-01T00:00:00Z"));
            assertThat(r.problem(404)).isEqualTo("not-found");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-1", "abc", "1.5", "1,2", "", "99999999999999999999"})
        void a_version_that_is_not_a_positive_whole_number_is_400(String version) {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            assertThat(call(ApiEvents.get("/orders/" + orderId).query("version", version)).problem(400))
                    .isEqualTo("invalid-query");
        }

        @ParameterizedTest
        @ValueSource(strings = {"yesterday", "2026-13-01T00:00:00Z", "2026-03-01", "", "1700000000"})
        void an_instant_that_is_not_iso_8601_is_400(String asOf) {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            assertThat(call(ApiEvents.get("/orders/" + orderId).query("asOf", asOf)).problem(400))
                    .isEqualTo("invalid-query");
        }

        @Test
        void version_and_instant_together_are_400() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            Response r = call(ApiEvents.get("/orders/" + orderId).query("version", "1")
                    .query("asOf", clock.instant().toString()));
            assertThat(r.problem(400)).isEqualTo("invalid-query");
        }

        private String stateAsOf(String orderId, String asOf) {
            Response r = call(ApiEvents.get("/orders/" + orderId).query("asOf", asOf));
            assertThat(r.status()).as("asOf %s: %s", asOf, r.body()).isEqualTo(200);
            return r.body().get("state").asText();
        }
    }

    @Nested
    class History {
        @Test
        void the_history_lists_every_event_with_its_envelope() {
            String customerId = createCustomerAs("user-42", "Ann", "100");
            Response placed = call(ApiEvents.post("/orders", orderJson(customerId, "25"))
                    .jwtSubject("user-42").header("X-Correlation-Id", "corr-1"));
            String orderId = placed.body().get("orderId").asText();
            app.orders().update(orderId, new RejectOrder("credit limit exceeded"));

            Response r = call(ApiEvents.get("/orders/" + orderId + "/events").jwtSubject("user-42"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(2);
            JsonNode created = r.body().get(0);
            assertThat(created.get("type").asText()).isEqualTo("OrderCreated");
            assertThat(created.get("version").asLong()).isEqualTo(1);
            assertThat(UUID.fromString(created.get("eventId").asText())).isNotNull();
            assertThat(Instant.parse(created.get("timestamp").asText())).isEqualTo(clock.instant());
            assertThat(created.get("principal").asText()).isEqualTo("user-42");
            assertThat(created.get("correlationId").asText()).isEqualTo("corr-1");
            assertThat(created.get("data")).isEqualTo(AppJson.mapper().createObjectNode()
                    .put("customerId", customerId).put("orderTotal", "25.00").put("owner", "user-42"));
            JsonNode rejected = r.body().get(1);
            assertThat(rejected.get("type").asText()).isEqualTo("OrderRejected");
            assertThat(rejected.get("principal").asText()).isEqualTo("system");
            assertThat(rejected.get("data").get("reason").asText()).isEqualTo("credit limit exceeded");
        }

        @Test
        void a_request_without_an_identity_is_recorded_as_anonymous() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            JsonNode event = call(ApiEvents.get("/orders/" + orderId + "/events")).body().get(0);
            assertThat(event.get("principal").asText()).isEqualTo("anonymous");
            assertThat(event.get("correlationId").asText()).isNotBlank();
        }

        @Test
        void an_iam_caller_is_recorded_by_its_user_arn() {
            String arn = "arn:aws:iam::123456789012:user/ops";
            String customerId = call(ApiEvents.post("/customers", customerJson("Ann", "100")).iamUser(arn))
                    .body().get("customerId").asText();
            String orderId = call(ApiEvents.post("/orders", orderJson(customerId, "25")).iamUser(arn))
                    .body().get("orderId").asText();
            JsonNode event = call(ApiEvents.get("/orders/" + orderId + "/events").iamUser(arn)).body().get(0);
            assertThat(event.get("principal").asText()).isEqualTo(arn);
        }

        @Test
        void the_correlation_id_is_echoed_in_the_response() {
            Response r = call(ApiEvents.get("/orders/unknown").header("X-Correlation-Id", "corr-9"));
            assertThat(r.header("X-Correlation-Id")).isEqualTo("corr-9");
        }

        @Test
        void a_malformed_correlation_id_is_400() {
            Response r = call(ApiEvents.get("/orders/unknown").header("X-Correlation-Id", "x".repeat(300)));
            assertThat(r.problem(400)).isEqualTo("invalid-header");
        }

        @Test
        void the_history_of_an_unknown_order_is_404() {
            assertThat(call(ApiEvents.get("/orders/" + UUID.randomUUID() + "/events")).problem(404))
                    .isEqualTo("not-found");
        }
    }

    @Nested
    class Cancelling {
        @Test
        void cancelling_an_approved_order_answers_200_with_the_cancelled_order() {
            String orderId = approvedOrder();
            Response r = call(ApiEvents.post("/orders/" + orderId + "/cancel", null));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().get("orderId").asText()).isEqualTo(orderId);
            assertThat(r.body().get("state").asText()).isEqualTo("CANCELLED");
            assertThat(r.body().get("version").asLong()).isEqualTo(3);
            assertThat(r.body().get("orderTotal").asText()).isEqualTo("25.00");
        }

        @Test
        void cancelling_a_pending_order_is_422_and_writes_nothing() {
            String orderId = placeOrder(createCustomer("Ann", "100"), "25");
            Response r = call(ApiEvents.post("/orders/" + orderId + "/cancel", null));
            assertThat(r.problem(422)).isEqualTo("order-cannot-be-cancelled");
            assertThat(stream("Order", orderId)).hasSize(1);
        }

        @Test
        void a_cancel_retried_with_the_same_idempotency_key_answers_the_same_and_cancels_once() {
            String orderId = approvedOrder();
            String key = "cancel-" + UUID.randomUUID();
            Response first = call(ApiEvents.post("/orders/" + orderId + "/cancel", null).idempotencyKey(key));
            Response retry = call(ApiEvents.post("/orders/" + orderId + "/cancel", null).idempotencyKey(key));
            assertThat(first.status()).isEqualTo(200);
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.body()).isEqualTo(first.body());
            List<RecordedEvent> events = stream("Order", orderId);
            assertThat(events).extracting(RecordedEvent::type)
                    .containsExactly("OrderCreated", "OrderApproved", "OrderCancelled");
            assertThat(events.getLast().metadata().messageId())
                    .isEqualTo(IdempotentIds.messageId(Operation.CANCEL_ORDER, ApiRequest.ANONYMOUS, key));
        }

        @Test
        void cancelling_a_cancelled_order_without_a_key_answers_200_and_writes_nothing() {
            String orderId = approvedOrder();
            call(ApiEvents.post("/orders/" + orderId + "/cancel", null));
            Response again = call(ApiEvents.post("/orders/" + orderId + "/cancel", null));
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body().get("state").asText()).isEqualTo("CANCELLED");
            assertThat(stream("Order", orderId)).hasSize(3);
        }

        @Test
        void cancelling_an_unknown_order_is_404() {
            int before = storedItems();
            assertThat(call(ApiEvents.post("/orders/" + UUID.randomUUID() + "/cancel", null)).problem(404))
                    .isEqualTo("not-found");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void a_cancel_that_keeps_losing_races_is_409_and_writes_nothing() {
            String orderId = approvedOrder();
            ApiHandler racing = new ApiHandler(new Application(new ConflictingEventStore(store), SnapshotStore.none(),
                    clock, UUID::randomUUID), OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));
            APIGatewayV2HTTPResponse r = racing.handleRequest(
                    ApiEvents.post("/orders/" + orderId + "/cancel", null).build(), null);
            assertThat(r.getStatusCode()).isEqualTo(409);
            assertThat(r.getHeaders()).containsEntry("Content-Type", "application/problem+json");
            assertThat(r.getBody()).contains("urn:nosqles:problem:concurrency-conflict");
            assertThat(stream("Order", orderId)).hasSize(2);
        }
    }

    /** An Idempotency-Key is scoped by the caller and the operation (issue 9, item 8). */
    @Nested
    class IdempotencyKeys {
        @Test
        void the_key_that_created_an_order_is_422_on_cancelling_it_and_cancels_nothing() {
            String customerId = createCustomerAs("alice", "Ann", "100");
            String key = "k-" + UUID.randomUUID();
            Response created = call(ApiEvents.post("/orders", orderJson(customerId, "25")).idempotencyKey(key)
                    .jwtSubject("alice"));
            String orderId = created.body().get("orderId").asText();
            app.orders().update(orderId, new ApproveOrder());

            Response cancel = call(ApiEvents.post("/orders/" + orderId + "/cancel", null).idempotencyKey(key)
                    .jwtSubject("alice"));

            assertThat(cancel.problem(422)).isEqualTo("idempotency-key-reused");
            assertThat(stream("Order", orderId)).extracting(RecordedEvent::type)
                    .containsExactly("OrderCreated", "OrderApproved");
            // a key of its own cancels it; its replay answers the same and cancels once
            String cancelKey = "k-" + UUID.randomUUID();
            Response first = call(ApiEvents.post("/orders/" + orderId + "/cancel", null).idempotencyKey(cancelKey)
                    .jwtSubject("alice"));
            Response replay = call(ApiEvents.post("/orders/" + orderId + "/cancel", null).idempotencyKey(cancelKey)
                    .jwtSubject("alice"));
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body().get("state").asText()).isEqualTo("CANCELLED");
            assertThat(replay.body()).isEqualTo(first.body());
            assertThat(stream("Order", orderId)).extracting(RecordedEvent::type)
                    .containsExactly("OrderCreated", "OrderApproved", "OrderCancelled");
        }

        @Test
        void another_callers_cancel_with_the_same_key_is_a_404_and_cancels_nothing() {
            String key = "k-" + UUID.randomUUID();
            Response created = call(ApiEvents.post("/orders", orderJson(createCustomerAs("carol", "Cy", "100"), "10"))
                    .idempotencyKey(key).jwtSubject("carol"));
            String orderId = created.body().get("orderId").asText();
            app.orders().update(orderId, new ApproveOrder());

            Response cancel = call(ApiEvents.post("/orders/" + orderId + "/cancel", null).idempotencyKey(key)
                    .jwtSubject("dave"));

            assertThat(cancel.problem(404)).isEqualTo("not-found");
            assertThat(stream("Order", orderId)).extracting(RecordedEvent::type)
                    .containsExactly("OrderCreated", "OrderApproved");
        }

        @Test
        void two_callers_with_the_same_key_create_two_customers_and_each_replay_answers_its_own() {
            String key = "shared-" + UUID.randomUUID();
            Response alice = call(ApiEvents.post("/customers", customerJson("Ann", "50")).idempotencyKey(key)
                    .jwtSubject("alice"));
            Response bob = call(ApiEvents.post("/customers", customerJson("Ann", "50")).idempotencyKey(key)
                    .jwtSubject("bob"));
            Response aliceAgain = call(ApiEvents.post("/customers", customerJson("Ann", "50")).idempotencyKey(key)
                    .jwtSubject("alice"));

            assertThat(alice.status()).isEqualTo(201);
            assertThat(bob.status()).isEqualTo(201);
            String aliceId = alice.body().get("customerId").asText();
            String bobId = bob.body().get("customerId").asText();
            assertThat(bobId).isNotEqualTo(aliceId);
            assertThat(aliceAgain.body()).isEqualTo(alice.body());
            assertThat(stream("Customer", aliceId)).singleElement()
                    .satisfies(e -> assertThat(e.metadata().principal()).isEqualTo("alice"));
            assertThat(stream("Customer", bobId)).singleElement()
                    .satisfies(e -> assertThat(e.metadata().principal()).isEqualTo("bob"));
        }

        @Test
        void two_callers_with_the_same_key_and_different_orders_each_get_their_own_not_a_422() {
            String bobArn = "arn:aws:iam::123456789012:user/bob";
            String aliceCustomer = createCustomerAs("alice", "Ann", "100");
            String bobCustomer = call(ApiEvents.post("/customers", customerJson("Bob", "100")).iamUser(bobArn))
                    .body().get("customerId").asText();
            String key = "shared-" + UUID.randomUUID();
            Response alice = call(ApiEvents.post("/orders", orderJson(aliceCustomer, "10")).idempotencyKey(key)
                    .jwtSubject("alice"));
            Response bob = call(ApiEvents.post("/orders", orderJson(bobCustomer, "20")).idempotencyKey(key)
                    .iamUser(bobArn));

            assertThat(alice.status()).isEqualTo(201);
            assertThat(bob.status()).isEqualTo(201);
            assertThat(bob.body().get("orderId").asText()).isNotEqualTo(alice.body().get("orderId").asText());
        }
    }

    /** Issue 16: customers and orders belong to the principal that created them. */
    @Nested
    class Ownership {
        @Test
        void another_principal_cannot_read_a_customer_or_place_an_order_for_it() {
            String alices = createCustomerAs("alice", "Ann", "100");
            assertThat(call(ApiEvents.get("/customers/" + alices).jwtSubject("alice")).status()).isEqualTo(200);
            assertThat(call(ApiEvents.get("/customers/" + alices).jwtSubject("bob")).problem(404))
                    .isEqualTo("not-found");
            assertThat(call(ApiEvents.get("/customers/" + alices)).problem(404)).isEqualTo("not-found");
            int before = storedItems();
            assertThat(call(ApiEvents.post("/orders", orderJson(alices, "10")).jwtSubject("bob")).problem(422))
                    .isEqualTo("unknown-customer");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void another_principal_gets_404_for_an_order_its_versions_its_history_and_its_cancel() {
            String orderId = call(ApiEvents.post("/orders", orderJson(createCustomerAs("alice", "Ann", "100"), "25"))
                    .jwtSubject("alice")).body().get("orderId").asText();
            app.orders().update(orderId, new ApproveOrder());
            for (ApiEvents bobs : List.of(ApiEvents.get("/orders/" + orderId),
                    ApiEvents.get("/orders/" + orderId).query("version", "1"),
                    ApiEvents.get("/orders/" + orderId).query("asOf", clock.instant().toString()),
                    ApiEvents.get("/orders/" + orderId + "/events"),
                    ApiEvents.post("/orders/" + orderId + "/cancel", null))) {
                Response r = call(bobs.jwtSubject("bob"));
                assertThat(r.problem(404)).isEqualTo("not-found");
            }
            assertThat(stream("Order", orderId)).extracting(RecordedEvent::type)
                    .containsExactly("OrderCreated", "OrderApproved");
            Response alices = call(ApiEvents.post("/orders/" + orderId + "/cancel", null).jwtSubject("alice"));
            assertThat(alices.body().get("state").asText()).isEqualTo("CANCELLED");
        }

        @Test
        void the_owner_is_recorded_in_the_created_events() {
            String customerId = createCustomerAs("alice", "Ann", "100");
            assertThat(app.customers().get(customerId).state().owner()).isEqualTo("alice");
            String orderId = call(ApiEvents.post("/orders", orderJson(customerId, "5")).jwtSubject("alice"))
                    .body().get("orderId").asText();
            assertThat(app.orders().get(orderId).state().owner()).isEqualTo("alice");
            assertThat(stream("Order", orderId).getFirst().data()).contains("\"owner\":\"alice\"");
        }

        @Test
        void a_customer_and_an_order_recorded_before_owners_belong_to_the_principal_of_their_first_event() {
            String customerId = UUID.randomUUID().toString();
            app.customers().create(customerId, new dev.nosqles.app.customer.CustomerCommand.CreateCustomer("Old",
                    new BigDecimal("50")), dev.nosqles.store.EventMetadata.empty().withPrincipal("alice"));
            assertThat(stream("Customer", customerId).getFirst().data()).doesNotContain("owner");
            String orderId = UUID.randomUUID().toString();
            app.orders().create(orderId, new dev.nosqles.app.order.OrderCommand.CreateOrder(customerId,
                    new BigDecimal("5")), dev.nosqles.store.EventMetadata.empty().withPrincipal("alice"));

            assertThat(call(ApiEvents.get("/customers/" + customerId).jwtSubject("alice")).status()).isEqualTo(200);
            assertThat(call(ApiEvents.get("/orders/" + orderId + "/events").jwtSubject("alice")).status())
                    .isEqualTo(200);
            assertThat(call(ApiEvents.get("/customers/" + customerId).jwtSubject("bob")).problem(404))
                    .isEqualTo("not-found");
            assertThat(call(ApiEvents.get("/orders/" + orderId).jwtSubject("bob")).problem(404))
                    .isEqualTo("not-found");
        }
    }

    @Nested
    class Routing {
        @ParameterizedTest
        @ValueSource(strings = {"/", "/nothing", "/orders/x/y/z", "/customers/", "/orders//events"})
        void an_unknown_path_is_404(String path) {
            assertThat(call(ApiEvents.get(path)).problem(404)).isEqualTo("not-found");
        }

        @Test
        void a_known_path_with_the_wrong_method_is_405_with_the_allowed_methods() {
            Response r = call(ApiEvents.request("DELETE", "/orders/abc"));
            assertThat(r.problem(405)).isEqualTo("method-not-allowed");
            assertThat(r.header("Allow")).isEqualTo("GET");
            assertThat(call(ApiEvents.request("GET", "/orders/abc/cancel")).header("Allow")).isEqualTo("POST");
            assertThat(call(ApiEvents.request("PUT", "/customers")).problem(405)).isEqualTo("method-not-allowed");
        }
    }

    @Nested
    class Failures {
        @Test
        void an_unexpected_failure_is_a_500_problem_that_reveals_nothing() {
            EventStore broken = new EventStore() {
                @Override
                public dev.nosqles.store.AppendResult append(StreamId streamId, dev.nosqles.store.ExpectedVersion e,
                        List<dev.nosqles.store.NewEvent> events, dev.nosqles.store.EventMetadata metadata) {
                    throw new IllegalStateException("secret table detail");
                }

                @Override
                public dev.nosqles.store.StreamSlice read(StreamId streamId, dev.nosqles.store.ReadRequest request) {
                    throw new IllegalStateException("secret table detail");
                }
            };
            ApiHandler failing = new ApiHandler(new Application(broken, SnapshotStore.none(), clock,
                    UUID::randomUUID), OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));
            APIGatewayV2HTTPResponse r = failing.handleRequest(ApiEvents.get("/orders/o1").build(), null);
            assertThat(r.getStatusCode()).isEqualTo(500);
            assertThat(r.getHeaders()).containsEntry("Content-Type", "application/problem+json");
            assertThat(r.getBody()).contains("urn:nosqles:problem:internal-error").doesNotContain("secret");
        }
    }

    @Nested
    class ForgettingPersonalData {
        private Response forget(String customerId) {
            return call(ApiEvents.request("DELETE", "/customers/" + customerId + "/personal-data"));
        }

        @Test
        void a_customer_with_an_email_reads_back_with_it_and_an_invalid_email_is_a_400_naming_the_field() {
            Response created = call(ApiEvents.post("/customers",
                    "{\"name\":\"Ann\",\"email\":\"ann@example.org\",\"creditLimit\":\"10\"}"));
            String id = created.body().get("customerId").asText();
            assertThat(call(ApiEvents.get("/customers/" + id)).body().get("email").asText())
                    .isEqualTo("ann@example.org");
            int before = storedItems();
            Response refused = call(ApiEvents.post("/customers",
                    "{\"name\":\"Ann\",\"email\":\"not an address\",\"creditLimit\":\"10\"}"));
            assertThat(refused.problem(400)).isEqualTo("invalid-field");
            assertThat(refused.field()).isEqualTo("email");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void a_forget_answers_202_records_it_once_and_the_customer_reads_back_with_placeholders() {
            Response created = call(ApiEvents.post("/customers",
                    "{\"name\":\"Ann\",\"email\":\"ann@example.org\",\"creditLimit\":\"10\"}"));
            String id = created.body().get("customerId").asText();

            Response first = forget(id);
            Response second = forget(id);

            assertThat(first.status()).isEqualTo(202);
            assertThat(first.body()).isEqualTo(AppJson.mapper().createObjectNode().put("customerId", id)
                    .put("forgotten", true).put("effectiveWithin", "PT0S")); // keys in memory: no cache
            assertThat(second.status()).isEqualTo(202);
            assertThat(stream("Customer", id)).extracting(RecordedEvent::type)
                    .containsExactly("CustomerCreated", "CustomerPersonalDataForgotten");
            assertThat(stream("Customer", id).get(1).data()).isEqualTo("{}");
            JsonNode customer = call(ApiEvents.get("/customers/" + id)).body();
            assertThat(customer.get("name").asText()).isEqualTo("[forgotten]");
            assertThat(customer.get("email").asText()).isEqualTo("[forgotten]");
            assertThat(customer.get("personalDataForgotten").asBoolean()).isTrue();
            assertThat(app.subjectKeys().isForgotten(id)).isTrue();
            JsonNode history = call(ApiEvents.get("/customers/" + id + "/events")).body();
            assertThat(history.get(0).get("data").get("name").asText()).isEqualTo("[forgotten]");
            assertThat(call(ApiEvents.get("/customers/" + id).query("version", "1")).body().get("name").asText())
                    .isEqualTo("[forgotten]");
        }

        @Test
        void the_stored_event_holds_no_personal_data_in_plain_text() {
            Response created = call(ApiEvents.post("/customers",
                    "{\"name\":\"Quentin Plaintext\",\"email\":\"quentin@example.org\",\"creditLimit\":\"10\"}"));
            String id = created.body().get("customerId").asText();
            String data = stream("Customer", id).getFirst().data();
            assertThat(data).doesNotContain("Quentin").doesNotContain("quentin@").contains("\"$pd\"");
        }

        @Test
        void an_unknown_or_anothers_customer_is_404_and_nothing_is_written() {
            String someoneElses = createCustomerAs("someone-else", "Ann", "10");
            int before = storedItems();
            assertThat(forget(UUID.randomUUID().toString()).problem(404)).isEqualTo("not-found");
            assertThat(forget("bad id!").problem(404)).isEqualTo("not-found");
            assertThat(forget(someoneElses).problem(404)).isEqualTo("not-found");
            assertThat(storedItems()).isEqualTo(before);
            assertThat(app.subjectKeys().isForgotten(someoneElses)).isFalse();
        }

        @Test
        void the_idempotency_key_that_created_the_customer_is_refused_for_its_forget() {
            Response created = call(ApiEvents.post("/customers", customerJson("Ann", "10"))
                    .header("Idempotency-Key", "k-create"));
            String id = created.body().get("customerId").asText();
            Response refused = call(ApiEvents.request("DELETE", "/customers/" + id + "/personal-data")
                    .header("Idempotency-Key", "k-create"));
            assertThat(refused.problem(422)).isEqualTo("idempotency-key-reused");
            assertThat(stream("Customer", id)).hasSize(1);
        }

        @Test
        void a_retried_create_of_a_forgotten_customer_is_409_and_brings_nothing_back() {
            String body = "{\"name\":\"Ann\",\"email\":\"ann@example.org\",\"creditLimit\":\"10\"}";
            String id = call(ApiEvents.post("/customers", body).header("Idempotency-Key", "k-gone")).body()
                    .get("customerId").asText();
            assertThat(forget(id).status()).isEqualTo(202);
            int before = storedItems();

            Response again = call(ApiEvents.post("/customers", body).header("Idempotency-Key", "k-gone"));

            assertThat(again.problem(409)).isEqualTo("subject-forgotten");
            assertThat(storedItems()).isEqualTo(before);
        }

        @Test
        void personal_data_without_its_key_or_a_tombstone_is_a_503_never_placeholders() {
            Response created = call(ApiEvents.post("/customers",
                    "{\"name\":\"Ann\",\"email\":\"ann@example.org\",\"creditLimit\":\"10\"}"));
            String id = created.body().get("customerId").asText();
            // the same tables read with keys that never saw this customer (a keys table mismatch)
            ApiHandler otherKeys = new ApiHandler(new Application(store, snapshots, clock, UUID::randomUUID,
                    new dev.nosqles.memory.InMemorySubjectKeys()), OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));

            APIGatewayV2HTTPResponse r = otherKeys.handleRequest(ApiEvents.get("/customers/" + id).build(), null);

            assertThat(r.getStatusCode()).isEqualTo(503);
            assertThat(r.getHeaders()).containsEntry("Content-Type", "application/problem+json");
            assertThat(r.getBody()).contains("urn:nosqles:problem:subject-key-missing")
                    .doesNotContain("[forgotten]").doesNotContain("Ann");
        }

        @Test
        void a_forget_deletes_the_customers_snapshot_which_may_hold_plaintext_written_before_the_declaration() {
            String id = createCustomer("Ann", "10");
            StreamId stream = StreamId.of("Customer", id);
            // as written before name and email were declared personal: the state in plain text
            snapshots.save(new dev.nosqles.store.Snapshot(stream, 1, "LegacyCustomerState", 1,
                    "{\"name\":\"Ann Plaintext\"}", clock.instant(), List.of()));
            String other = createCustomer("Bob", "10");
            snapshots.save(new dev.nosqles.store.Snapshot(StreamId.of("Customer", other), 1, "LegacyCustomerState",
                    1, "{\"name\":\"Bob\"}", clock.instant(), List.of()));

            assertThat(forget(id).status()).isEqualTo(202);

            assertThat(snapshots.load(stream)).isEmpty();
            assertThat(snapshots.load(StreamId.of("Customer", other))).isPresent();
            assertThat(forget(id).status()).isEqualTo(202);
        }

        @Test
        void the_forget_answers_effective_within_the_keys_cache_period() {
            dev.nosqles.privacy.SubjectKeys working = app.subjectKeys();
            dev.nosqles.privacy.SubjectKeys cachedFor90s = new dev.nosqles.privacy.SubjectKeys() {
                @Override
                public byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
                    return working.encrypt(subject, plaintext, aad);
                }

                @Override
                public java.util.Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
                    return working.decrypt(subject, ciphertext, aad);
                }

                @Override
                public ForgetOutcome forget(String subject) {
                    return working.forget(subject);
                }

                @Override
                public boolean isForgotten(String subject) {
                    return working.isForgotten(subject);
                }

                @Override
                public java.time.Duration cacheTtl() {
                    return java.time.Duration.ofSeconds(90);
                }
            };
            ApiHandler cached = new ApiHandler(new Application(store, snapshots, clock, UUID::randomUUID,
                    cachedFor90s), OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));
            String id = createCustomer("Ann", "10");

            APIGatewayV2HTTPResponse r = cached.handleRequest(ApiEvents.request("DELETE",
                    "/customers/" + id + "/personal-data").build(), null);

            assertThat(r.getStatusCode()).isEqualTo(202);
            assertThat(r.getBody()).contains("\"effectiveWithin\":\"PT1M30S\"");
        }

        @Test
        void when_the_key_cannot_be_deleted_the_forget_is_503_and_nothing_is_recorded() {
            dev.nosqles.privacy.SubjectKeys working = app.subjectKeys();
            dev.nosqles.privacy.SubjectKeys cannotForget = new dev.nosqles.privacy.SubjectKeys() {
                @Override
                public byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
                    return working.encrypt(subject, plaintext, aad);
                }

                @Override
                public java.util.Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
                    return working.decrypt(subject, ciphertext, aad);
                }

                @Override
                public ForgetOutcome forget(String subject) {
                    throw new dev.nosqles.privacy.KeyServiceUnavailableException(subject,
                            new IllegalStateException("kms down"));
                }

                @Override
                public boolean isForgotten(String subject) {
                    return working.isForgotten(subject);
                }
            };
            ApiHandler failing = new ApiHandler(new Application(store, snapshots, clock, UUID::randomUUID,
                    cannotForget), OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));
            String id = call(ApiEvents.post("/customers",
                    "{\"name\":\"Ann\",\"email\":\"ann@example.org\",\"creditLimit\":\"10\"}")).body()
                    .get("customerId").asText();
            int before = storedItems();

            APIGatewayV2HTTPResponse r = failing.handleRequest(ApiEvents.request("DELETE",
                    "/customers/" + id + "/personal-data").build(), null);

            assertThat(r.getStatusCode()).isEqualTo(503);
            assertThat(r.getBody()).contains("urn:nosqles:problem:key-service-unavailable");
            assertThat(storedItems()).isEqualTo(before);
            assertThat(stream("Customer", id)).extracting(RecordedEvent::type).containsExactly("CustomerCreated");
            assertThat(working.isForgotten(id)).isFalse();
            assertThat(call(ApiEvents.get("/customers/" + id)).body().get("name").asText()).isEqualTo("Ann");
        }

        @Test
        void when_the_key_service_is_unavailable_a_create_is_503_with_retry_after_and_nothing_is_written() {
            dev.nosqles.privacy.SubjectKeys down = new dev.nosqles.privacy.SubjectKeys() {
                @Override
                public byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
                    throw new dev.nosqles.privacy.KeyServiceUnavailableException(subject,
                            new IllegalStateException("kms down"));
                }

                @Override
                public java.util.Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
                    throw new dev.nosqles.privacy.KeyServiceUnavailableException(subject,
                            new IllegalStateException("kms down"));
                }

                @Override
                public ForgetOutcome forget(String subject) {
                    throw new dev.nosqles.privacy.KeyServiceUnavailableException(subject,
                            new IllegalStateException("kms down"));
                }

                @Override
                public boolean isForgotten(String subject) {
                    throw new dev.nosqles.privacy.KeyServiceUnavailableException(subject,
                            new IllegalStateException("kms down"));
                }
            };
            ApiHandler failing = new ApiHandler(new Application(store, snapshots, clock, UUID::randomUUID, down), OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));
            String existing = createCustomer("Ann", "10");
            int before = storedItems();

            APIGatewayV2HTTPResponse create = failing.handleRequest(ApiEvents.post("/customers",
                    customerJson("Ann", "10")).build(), null);
            APIGatewayV2HTTPResponse read = failing.handleRequest(ApiEvents.get("/customers/" + existing).build(),
                    null);
            APIGatewayV2HTTPResponse forget = failing.handleRequest(ApiEvents.request("DELETE",
                    "/customers/" + existing + "/personal-data").build(), null);

            for (APIGatewayV2HTTPResponse r : List.of(create, read, forget)) {
                assertThat(r.getStatusCode()).isEqualTo(503);
                assertThat(r.getHeaders()).containsEntry("Content-Type", "application/problem+json")
                        .containsKey("Retry-After");
                assertThat(r.getBody()).contains("urn:nosqles:problem:key-service-unavailable")
                        .doesNotContain("kms down");
            }
            assertThat(storedItems()).isEqualTo(before);
        }
    }

    @Nested
    class Priming {
        @Test
        void priming_before_a_checkpoint_answers_requests_and_writes_nothing() {
            int before = storedItems();
            handler.prime();
            assertThat(storedItems()).isEqualTo(before);
        }
    }
}
