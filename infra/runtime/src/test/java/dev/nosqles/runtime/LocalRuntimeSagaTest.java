package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.ApiClient.Response;




import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The whole application of template.yaml end to end over HTTP, as `make run` serves it: the API, the events
 * stream to its one function (publisher, sagas, read model: ADR 0012), the FIFO command queues, the reply queue. The pollers are not
 * started; each step drains them until nothing moves, so every assertion sees a settled application.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeSagaTest {
    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private RunningApp app;
    private SqsClient sqs;
    private SnsClient sns;
    private DynamoDbClient dynamoDb;
    private String subscribedQueue;

    @BeforeAll
    void start() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("saga-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
        sqs = app.aws().configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        dynamoDb = app.aws().dynamoDb();
        sns = app.aws().configure(SnsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        // another service's queue on the integration events, subscribed before anything is published
        subscribedQueue = SubscribedQueues.subscribe(sqs, sns, app.resources().topicArn("EventsTopic"),
                app.resources().stackName() + "-subscriber");
    }

    @AfterAll
    void stop() {
        sqs.close();
        sns.close();
        dynamoDb.close();
        app.close();
    }

    // --- HTTP ---------------------------------------------------------------------------------------------------

    private Response send(String method, String path, String body, String... headers) {
        return api.send(method, path, body, headers);
    }

    private Response get(String path) {
        return api.get(path);
    }

    private String createCustomer(String limit) {
        Response r = send("POST", "/customers", "{\"name\":\"Ann\",\"creditLimit\":\"" + limit + "\"}");
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("customerId").asText();
    }

    private String placeOrder(String customerId, String total, String... headers) {
        Response r = send("POST", "/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + total + "\"}",
                headers);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body().get("state").asText()).isEqualTo("APPROVAL_PENDING");
        return r.body().get("orderId").asText();
    }

    private String state(String orderId) {
        return get("/orders/" + orderId).body().get("state").asText();
    }

    private String availableCredit(String customerId) {
        return get("/customers/" + customerId).body().get("availableCredit").asText();
    }

    private JsonNode customer(String customerId) {
        return get("/customers/" + customerId).body();
    }

    private List<String> eventTypes(String orderId) {
        List<String> types = new ArrayList<>();
        get("/orders/" + orderId + "/events").body().forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    /**
     * The customer's domain events, read from the tables the runtime created (there is no HTTP route for a
     * customer's history).
     */
    private List<String> customerEvents(String customerId) {
        return Application.onDynamoDb(dynamoDb, app.resources().tableName("EventsTable"),
                        app.resources().tableName("SnapshotsTable"), RuntimeKeys.of(app.aws(), app.resources())).customers().history(customerId).stream()
                .map(e -> e.event().getClass().getSimpleName()).toList();
    }

    /** Runs every function until nothing moves: the saga goes as far as it can. */
    private void settle() {
        app.drainUntilIdle();
    }

    // --- the saga -----------------------------------------------------------------------------------------------

    @Test
    void the_templates_stream_and_customer_command_functions_handle_eight_aggregates_or_customers_at_once() {
        assertThat(((dev.nosqles.app.saga.OrderSagaStreamHandler) app.handler("OrderSagaStreamFunction"))
                .concurrency()).isEqualTo(8);
        assertThat(((dev.nosqles.app.saga.CustomerCommandHandler) app.handler("CustomerCommandsFunction"))
                .concurrency()).isEqualTo(8);
    }

    @Test
    void a_created_customer_has_its_whole_credit_limit_available() {
        String customerId = createCustomer("100");
        settle();
        assertThat(customer(customerId).get("creditLimit").asText()).isEqualTo("100.00");
        assertThat(availableCredit(customerId)).isEqualTo("100.00");
    }

    @Test
    void an_order_within_the_credit_limit_is_approved_and_its_total_taken_from_the_available_credit() {
        String customerId = createCustomer("100");
        String orderId = placeOrder(customerId, "60");

        settle();

        assertThat(state(orderId)).isEqualTo("APPROVED");
        assertThat(availableCredit(customerId)).isEqualTo("40.00");
    }

    @Test
    void an_order_beyond_the_credit_limit_is_rejected_and_the_credit_left_unchanged() {
        String customerId = createCustomer("100");
        String orderId = placeOrder(customerId, "100.01");

        settle();

        assertThat(state(orderId)).isEqualTo("REJECTED");
        assertThat(eventTypes(orderId)).containsExactly("OrderCreated", "OrderRejected");
        assertThat(availableCredit(customerId)).isEqualTo("100.00");
        assertThat(customerEvents(customerId)).containsExactly("CustomerCreated");
    }

    @Test
    void cancelling_an_approved_order_answers_200_cancelled_and_the_credit_comes_back_once_the_stream_moved() {
        String customerId = createCustomer("100");
        String orderId = placeOrder(customerId, "70");
        settle();
        assertThat(availableCredit(customerId)).isEqualTo("30.00");

        Response cancelled = send("POST", "/orders/" + orderId + "/cancel", null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.body().get("state").asText()).isEqualTo("CANCELLED");
        settle();

        assertThat(state(orderId)).isEqualTo("CANCELLED");
        assertThat(availableCredit(customerId)).isEqualTo("100.00");
    }

    @Test
    void cancelling_a_rejected_order_is_a_422_problem_and_writes_nothing() {
        String customerId = createCustomer("10");
        String orderId = placeOrder(customerId, "20");
        settle();
        assertThat(state(orderId)).isEqualTo("REJECTED");
        long customerVersion = customer(customerId).get("version").asLong();

        Response refused = send("POST", "/orders/" + orderId + "/cancel", null);
        settle();

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).isEqualTo("application/problem+json");
        assertThat(refused.body().get("type").asText()).isEqualTo("urn:nosqles:problem:order-cannot-be-cancelled");
        assertThat(eventTypes(orderId)).containsExactly("OrderCreated", "OrderRejected");
        assertThat(customer(customerId).get("version").asLong()).isEqualTo(customerVersion);
        assertThat(availableCredit(customerId)).isEqualTo("10.00");
    }

    @Test
    void two_concurrent_cancels_with_different_idempotency_keys_cancel_once_and_give_the_credit_back_once()
            throws Exception {
        String customerId = createCustomer("100");
        String orderId = placeOrder(customerId, "45");
        settle();
        assertThat(availableCredit(customerId)).isEqualTo("55.00");

        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> cancels = new ArrayList<>();
            for (String key : List.of("cancel-a-" + orderId, "cancel-b-" + orderId)) {
                cancels.add(threads.submit(() -> {
                    go.await();
                    return send("POST", "/orders/" + orderId + "/cancel", null, "Idempotency-Key", key);
                }));
            }
            go.countDown();
            for (Future<Response> cancel : cancels) {
                Response r = cancel.get(30, TimeUnit.SECONDS);
                assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
                assertThat(r.body().get("state").asText()).isEqualTo("CANCELLED");
            }
        } finally {
            threads.shutdownNow();
        }
        settle();

        assertThat(eventTypes(orderId)).containsExactly("OrderCreated", "OrderApproved", "OrderCancelled");
        assertThat(availableCredit(customerId)).isEqualTo("100.00");
        assertThat(customerEvents(customerId)).containsExactly("CustomerCreated", "CreditReserved", "CreditReleased");
    }

    @Test
    void an_approved_order_read_at_version_1_was_pending_approval() {
        String orderId = placeOrder(createCustomer("100"), "10");
        settle();
        assertThat(state(orderId)).isEqualTo("APPROVED");

        JsonNode v1 = get("/orders/" + orderId + "?version=1").body();

        assertThat(v1.get("state").asText()).isEqualTo("APPROVAL_PENDING");
        assertThat(v1.get("version").asLong()).isEqualTo(1);
    }

    @Test
    void the_history_shows_the_order_created_then_approved_each_with_its_principal_and_correlation_id() {
        String correlationId = "corr-" + UUID.randomUUID();
        String orderId = placeOrder(createCustomer("100"), "10", "X-Correlation-Id", correlationId);
        settle();

        JsonNode history = get("/orders/" + orderId + "/events").body();

        assertThat(history).extracting(e -> e.get("type").asText()).containsExactly("OrderCreated", "OrderApproved");
        JsonNode created = history.get(0);
        JsonNode approved = history.get(1);
        assertThat(created.get("principal").asText()).isEqualTo("anonymous");
        assertThat(created.get("correlationId").asText()).isEqualTo(correlationId);
        // approved by the saga (its id name-based on the OrderCreated), which keeps the request's correlation id
        // through every step (ADR 0005): the saga's id is not the correlation id
        String sagaId = UUID.nameUUIDFromBytes(("CreateOrderSaga:" + created.get("eventId").asText())
                .getBytes(StandardCharsets.UTF_8)).toString();
        assertThat(approved.get("principal").asText()).isEqualTo("saga:CreateOrderSaga");
        assertThat(approved.get("correlationId").asText()).isEqualTo(correlationId).isNotEqualTo(sagaId);
    }

    @Test
    void every_published_event_arrives_once_on_a_fifo_queue_subscribed_to_the_events_topic() {
        String customerId = createCustomer("100");
        String orderId = placeOrder(customerId, "25");
        settle();
        assertThat(state(orderId)).isEqualTo("APPROVED");

        List<JsonNode> received = receiveAll(subscribedQueue);

        assertThat(received).filteredOn(e -> e.get("subject").asText().equals("Order-" + orderId))
                .extracting(e -> e.get("type").asText()).containsExactly("OrderCreated", "OrderApproved");
        assertThat(received).filteredOn(e -> e.get("subject").asText().equals("Customer-" + customerId))
                .extracting(e -> e.get("type").asText()).containsExactly("CustomerCreated", "CreditReserved");
        assertThat(received).extracting(e -> e.get("id").asText()).doesNotHaveDuplicates();
        assertThat(received).allSatisfy(e -> assertThat(e.get("specversion").asText()).isEqualTo("1.0"));
        // the stream function also relays the saga's commits: none of them, nor a pseudo event, is published
        assertThat(received).extracting(e -> e.get("aggregatetype").asText()).containsOnly("Order", "Customer");
        assertThat(received).extracting(e -> e.get("type").asText()).noneMatch(t -> t.startsWith("nosqles."));
    }

    @Test
    void the_runtime_logs_each_saga_step_with_its_function_and_never_a_payload() {
        log.clear();
        String customerId = createCustomer("100");
        placeOrder(customerId, "30");
        settle();

        assertThat(log).anySatisfy(line -> assertThat(line).startsWith("OrderSagaStreamFunction <- EventsStream: ")
                        .contains("Order-"))
                .anySatisfy(line -> assertThat(line).startsWith("CustomerCommandsFunction <- Commands: 1 message(s)")
                        .contains("CreateOrderSaga").contains("command ReserveCredit to customer-commands/")
                        .endsWith(" ms"))
                // the replies are handled by the stream function that relays them, not through the reply queue
                // (ADR 0013): the customer's commit reaches it, and no reply reaches SagaRepliesFunction
                .anySatisfy(line -> assertThat(line).startsWith("OrderSagaStreamFunction <- EventsStream: ")
                        .contains("Customer-"))
                .noneSatisfy(line -> assertThat(line).startsWith("SagaRepliesFunction <- Replies: ")
                        .contains("reply SUCCESS"))
                // the Order's command is handled by the stream function that relays it (ADR 0015): the order's
                // second commit reaches it, and no command reaches OrderCommandsFunction
                .anySatisfy(line -> assertThat(line).startsWith("OrderSagaStreamFunction <- EventsStream: ")
                        .containsPattern("Order-[0-9a-f]{8} v2"))
                .noneSatisfy(line -> assertThat(line).startsWith("OrderCommandsFunction <- Commands: "))
                .noneSatisfy(line -> assertThat(line).contains("30.00"))
                .noneSatisfy(line -> assertThat(line).contains("Ann"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_runtime_runs_the_saga_sweeper_on_its_schedule_and_a_finished_saga_leaves_nothing_to_sweep() {
        String customerId = createCustomer("100");
        String orderId = placeOrder(customerId, "30");
        app.pollers().stream().filter(p -> !(p instanceof dev.nosqles.runtime.esm.SchedulePoller))
                .filter(p -> p.mappingId().startsWith("OrderSagaStreamFunction")).forEach(p -> p.drainUntilIdle());
        String deadlinesTable = app.resources().tableName("SagaDeadlinesTable");
        assertThat(dynamoDb.scan(b -> b.tableName(deadlinesTable)).items()).isNotEmpty(); // the new saga's deadline
        settle();
        assertThat(state(orderId)).isEqualTo("APPROVED");

        assertThat(app.pollers()).filteredOn(p -> p.mappingId().equals("SagaSweeperFunction-Sweep"))
                .singleElement().isInstanceOfSatisfying(dev.nosqles.runtime.esm.SchedulePoller.class,
                        p -> assertThat(p.next()).isAfter(java.time.Instant.now().plusSeconds(1)));
        assertThat(log).contains("  event source SagaSweeperFunction-Sweep");
        Object sweep = ((com.amazonaws.services.lambda.runtime.RequestHandler<
                com.amazonaws.services.lambda.runtime.events.ScheduledEvent, Object>) app.handler("SagaSweeperFunction"))
                .handleRequest(new com.amazonaws.services.lambda.runtime.events.ScheduledEvent(), null);
        assertThat((Map<String, Integer>) sweep).containsEntry("pastDue", 0);
        assertThat(dynamoDb.scan(b -> b.tableName(deadlinesTable)).items()).isEmpty(); // every saga here has ended
    }

    /** Everything on the queue, each message deleted once read (a FIFO group releases its next only then). */
    private List<JsonNode> receiveAll(String queueUrl) {
        return SubscribedQueues.receiveAll(sqs, queueUrl);
    }
}
