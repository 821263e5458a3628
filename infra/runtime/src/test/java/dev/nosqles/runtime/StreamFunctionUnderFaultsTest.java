package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.localaws.faults.FaultProxy;
import dev.nosqles.localaws.faults.FaultRule;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The events table's one stream function under faults, on the local runtime of template.yaml behind a
 * {@link FaultProxy}:
 * <ul>
 *   <li>the publisher inside it (ADR 0012), when a neighbour fails: the saga starter's first commit fails (a server
 *       error on every attempt of the SDK, several invocations in a row), so the batch holding the
 *       {@code OrderCreated} is retried. The publisher ran before the starter on that record and moved its
 *       checkpoint: the retries publish nothing again (counted at the SNS API, below SNS FIFO's own deduplication,
 *       which would hide a second publish from the subscriber), and the saga still runs to APPROVED;</li>
 *   <li>a reply handled in process (ADR 0013) whose saga commit fails: it falls back to the reply queue, and
 *       SagaRepliesFunction applies it once the fault is gone.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamFunctionUnderFaultsTest {
    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private FaultProxy proxy;
    private RunningApp app;
    private SqsClient sqs;
    private SnsClient sns;
    private String subscribedQueue;

    @BeforeAll
    void start() {
        proxy = FaultProxy.start(LocalAws.shared(), 12);
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(proxy.aws())
                .withStackName("pub-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
        // the test's own clients go straight to the local AWS: only the application's requests are counted
        sqs = LocalAws.shared().configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        sns = LocalAws.shared().configure(SnsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        subscribedQueue = SubscribedQueues.subscribe(sqs, sns, app.resources().topicArn("EventsTopic"),
                app.resources().stackName() + "-subscriber");
    }

    @AfterAll
    void stop() {
        sqs.close();
        sns.close();
        app.close();
        proxy.close();
    }

    @Test
    void a_batch_retried_for_the_saga_starter_publishes_each_event_once_and_the_saga_completes() {
        ApiClient.Response customer = api.send("POST", "/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100\"}");
        assertThat(customer.status()).isEqualTo(201);
        String customerId = customer.body().get("customerId").asText();
        app.drainUntilIdle();
        assertThat(receiveAll()).extracting(e -> e.get("type").asText()).contains("CustomerCreated");
        long publishesBefore = proxy.counts().requests("sns:PublishBatch");

        // the saga's first commit fails on every SDK attempt until 12 attempts have failed: more than one invocation
        FaultRule sagaCommitFails = FaultRule.serverError("dynamodb", "PutItem", 1.0).withResource("CreateOrderSaga-")
                .withBurst(12).withBudget(12);
        proxy.rules(List.of(sagaCommitFails));
        ApiClient.Response order = api.send("POST", "/orders",
                "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"30\"}");
        assertThat(order.status()).isEqualTo(201);
        String orderId = order.body().get("orderId").asText();
        app.drainUntilIdle();
        proxy.rules(List.of());
        app.drainUntilIdle();

        assertThat(proxy.counts().count(sagaCommitFails)).isEqualTo(12);
        // the batch holding OrderCreated was given to the function more than once (the log shortens ids to 8)
        assertThat(log.stream().filter(l -> l.startsWith("OrderSagaStreamFunction <- EventsStream: ")
                && l.contains("Order-" + orderId.substring(0, 8) + " v1")).count()).isGreaterThan(1);
        assertThat(api.get("/orders/" + orderId).body().get("state").asText()).isEqualTo("APPROVED");

        List<JsonNode> received = receiveAll();
        assertThat(received).extracting(e -> e.get("type").asText())
                .containsExactlyInAnyOrder("OrderCreated", "CreditReserved", "OrderApproved");
        // one PublishBatch per published event, although the batch of OrderCreated ran several times (each of the
        // three comes in a stream batch of its own: each is caused by handling the one before it)
        assertThat(proxy.counts().requests("sns:PublishBatch") - publishesBefore).isEqualTo(received.size());
    }

    @Test
    void a_reply_whose_saga_commit_fails_in_the_stream_function_falls_back_to_the_reply_queue_and_the_saga_completes() {
        ApiClient.Response customer = api.send("POST", "/customers", "{\"name\":\"Bo\",\"creditLimit\":\"100\"}");
        String customerId = customer.body().get("customerId").asText();
        app.drainUntilIdle();
        ApiClient.Response order = api.send("POST", "/orders",
                "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"30\"}");
        String orderId = order.body().get("orderId").asText();
        // the saga starts and sends ReserveCredit; the customer reserves and asks for its reply
        drain("OrderSagaStreamFunction");
        drain("CustomerCommandsFunction");
        log.clear();

        // every commit of a saga fails while the stream function relays the customer's reply
        FaultRule sagaCommitsFail = FaultRule.serverError("dynamodb", "PutItem", 1.0).withResource("CreateOrderSaga-");
        proxy.rules(List.of(sagaCommitsFail));
        drain("OrderSagaStreamFunction");
        proxy.rules(List.of());
        long faults = proxy.counts().count(sagaCommitsFail);
        app.drainUntilIdle();

        assertThat(faults).isPositive();
        // the stream batch was not failed for it: the reply went to its queue, and SagaRepliesFunction applied it
        assertThat(log).anySatisfy(l -> assertThat(l).startsWith("OrderSagaStreamFunction <- EventsStream: ")
                        .contains("Customer-" + customerId.substring(0, 8)).contains("-> ok"))
                .anySatisfy(l -> assertThat(l).startsWith("SagaRepliesFunction <- Replies: ")
                        .contains("reply SUCCESS").contains("-> ok"));
        assertThat(api.get("/orders/" + orderId).body().get("state").asText()).isEqualTo("APPROVED");
        assertThat(api.get("/customers/" + customerId).body().get("availableCredit").asText()).isEqualTo("70.00");
        receiveAll(); // leave the subscribed queue empty for the other test
    }

    /** Drives one function's event-source mapping until it has nothing more. */
    private void drain(String function) {
        app.pollers().stream().filter(p -> !(p instanceof dev.nosqles.runtime.esm.SchedulePoller))
                .filter(p -> p.mappingId().startsWith(function)).forEach(p -> p.drainUntilIdle());
    }

    private List<JsonNode> receiveAll() {
        return SubscribedQueues.receiveAll(sqs, subscribedQueue);
    }
}
