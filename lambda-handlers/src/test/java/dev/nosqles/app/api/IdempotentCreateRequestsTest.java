package dev.nosqles.app.api;

import dev.nosqles.lambda.Telemetry;
import dev.nosqles.app.readmodel.OrderQueries;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.app.internal.AppJson;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.testsupport.LostResponseInterceptor;
import dev.nosqles.testsupport.TestTables;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * What a {@code POST /orders} and a {@code POST /customers} cost in DynamoDB requests, counted by an SDK interceptor
 * on the application's real client (moto): the first request, its retry with the same {@code Idempotency-Key} and
 * body (answered from the first commit the failed conditional write hands back, no read), the same key with another
 * body (422, nothing written), and a create whose PutItem landed but whose answer was lost (the SDK retries it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotentCreateRequestsTest {
    private final Requests requests = new Requests();
    private final LostResponseInterceptor lost = LostResponseInterceptor.ofFirst(0, PutItemRequest.class);
    private DynamoDbClient client;
    private String eventsTable;
    private ApiHandler handler;

    @BeforeAll
    void startApplication() {
        client = LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new CapacityMeter())
                        .addExecutionInterceptor(requests).addExecutionInterceptor(lost))
                .build();
        eventsTable = TestTables.newEventsTable(client, "postcost");
        handler = new ApiHandler(Application.onDynamoDb(client, eventsTable,
                TestTables.newSnapshotsTable(client, "postcost")), OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));
    }

    /** The DynamoDB operations called (one per API call, whatever the SDK retried) and the HTTP attempts sent. */
    static final class Requests implements ExecutionInterceptor {
        private final List<String> calls = new ArrayList<>();
        private int attempts;

        @Override
        public synchronized void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            calls.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
        }

        @Override
        public synchronized void beforeTransmission(Context.BeforeTransmission context,
                                                    ExecutionAttributes attributes) {
            attempts++;
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }

        synchronized int attempts() {
            return attempts;
        }

        synchronized void reset() {
            calls.clear();
            attempts = 0;
        }
    }

    record Response(int status, String contentType, JsonNode body) {
    }

    private Response call(ApiEvents request) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(request.build(), null);
        try {
            return new Response(r.getStatusCode(), r.getHeaders().get("Content-Type"),
                    AppJson.mapper().readTree(r.getBody()));
        } catch (Exception e) {
            throw new AssertionError("the body is not JSON: " + r.getBody(), e);
        }
    }

    /** The request, and the DynamoDB calls it made. */
    private Response counted(ApiEvents request) {
        requests.reset();
        return call(request);
    }

    private int storedItems() {
        return client.scan(b -> b.tableName(eventsTable).select(Select.COUNT).consistentRead(true)).count();
    }

    private static ApiEvents postCustomer(String key, String name, String limit) {
        return ApiEvents.post("/customers", "{\"name\":\"" + name + "\",\"creditLimit\":\"" + limit + "\"}")
                .idempotencyKey(key);
    }

    private static ApiEvents postOrder(String key, String customerId, String total) {
        return ApiEvents.post("/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + total + "\"}")
                .idempotencyKey(key);
    }

    private String customer() {
        Response r = call(postCustomer("c-" + UUID.randomUUID(), "Ann", "100"));
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("customerId").asText();
    }

    @Test
    void a_first_post_orders_costs_the_customer_check_and_the_put() {
        String customerId = customer();

        Response first = counted(postOrder("o-" + UUID.randomUUID(), customerId, "25"));

        assertThat(first.status()).isEqualTo(201);
        assertThat(requests.calls()).containsExactly("Query", "PutItem");
    }

    @Test
    void a_retried_post_orders_costs_the_customer_check_and_the_failed_put_and_answers_the_same() {
        String customerId = customer();
        String key = "o-" + UUID.randomUUID();
        Response first = call(postOrder(key, customerId, "25"));
        int before = storedItems();

        Response retry = counted(postOrder(key, customerId, "25.00"));

        assertThat(requests.calls()).containsExactly("Query", "PutItem");
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(storedItems()).isEqualTo(before);
    }

    @Test
    void a_retried_post_orders_with_another_body_is_a_422_problem_costs_two_requests_and_writes_nothing() {
        String customerId = customer();
        String key = "o-" + UUID.randomUUID();
        call(postOrder(key, customerId, "25"));
        int before = storedItems();

        Response reused = counted(postOrder(key, customerId, "26"));

        assertThat(requests.calls()).containsExactly("Query", "PutItem");
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.contentType()).isEqualTo("application/problem+json");
        assertThat(reused.body().get("type").asText()).isEqualTo("urn:nosqles:problem:idempotency-key-reused");
        assertThat(storedItems()).isEqualTo(before);
    }

    @Test
    void a_post_customers_first_or_retried_costs_its_put_alone_and_another_body_is_a_422() {
        String key = "c-" + UUID.randomUUID();

        Response first = counted(postCustomer(key, "Bob", "50"));
        assertThat(requests.calls()).containsExactly("PutItem");
        int before = storedItems();

        Response retry = counted(postCustomer(key, "Bob", "50.0"));
        assertThat(requests.calls()).containsExactly("PutItem");

        Response reused = counted(postCustomer(key, "Bob", "60"));
        assertThat(requests.calls()).containsExactly("PutItem");

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.contentType()).isEqualTo("application/problem+json");
        assertThat(reused.body().get("type").asText()).isEqualTo("urn:nosqles:problem:idempotency-key-reused");
        assertThat(storedItems()).isEqualTo(before);
    }

    @Test
    void a_post_orders_whose_put_landed_but_whose_answer_was_lost_is_one_order_and_costs_no_extra_call() {
        String customerId = customer();
        String key = "o-" + UUID.randomUUID();
        int before = storedItems();
        int injected = lost.injected();

        lost.loseNext(1); // the PutItem lands, its answer is lost, the SDK sends it again
        Response first = counted(postOrder(key, customerId, "25"));

        assertThat(lost.injected()).isEqualTo(injected + 1);
        assertThat(first.status()).isEqualTo(201);
        assertThat(requests.calls()).containsExactly("Query", "PutItem");
        assertThat(requests.attempts()).isEqualTo(3); // the check, the put and the SDK's retry of it
        assertThat(storedItems()).isEqualTo(before + 1);

        Response retry = counted(postOrder(key, customerId, "25"));
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(requests.calls()).containsExactly("Query", "PutItem");
        assertThat(storedItems()).isEqualTo(before + 1);
    }
}
