package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * template.yaml's FilterCriteria on the EventPublisherFunction, honoured by the local runtime on moto: the saga
 * orchestrators' commits are on the events stream (the saga function reads them) but never reach the publisher,
 * whose invocations carry only Order and Customer commits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeEventFilterTest {
    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private RunningApp app;

    @BeforeAll
    void start() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("filter-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @Test
    void a_saga_stream_commit_does_not_invoke_the_publisher_while_an_order_commit_does() {
        ApiClient.Response customer = api.send("POST", "/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100\"}");
        assertThat(customer.status()).isEqualTo(201);
        String customerId = customer.body().get("customerId").asText();
        app.drainUntilIdle();
        log.clear();

        ApiClient.Response order = api.send("POST", "/orders",
                "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"30\"}");
        assertThat(order.status()).isEqualTo(201);
        app.drainUntilIdle();
        assertThat(api.get("/orders/" + order.body().get("orderId").asText()).body().get("state").asText())
                .isEqualTo("APPROVED");

        List<String> saga = log.stream().filter(l -> l.startsWith("OrderSagaStreamFunction <- EventsStream: "))
                .toList();
        List<String> publisher = log.stream().filter(l -> l.startsWith("EventPublisherFunction <- EventsStream: "))
                .toList();
        // the saga's commits were on the stream: the other reader got them
        assertThat(saga).anySatisfy(l -> assertThat(l).contains("CreateOrderSaga-"));
        // the publisher got the Order and Customer commits and never a saga commit
        assertThat(publisher).anySatisfy(l -> assertThat(l).contains("Order-"))
                .anySatisfy(l -> assertThat(l).contains("Customer-"))
                .noneSatisfy(l -> assertThat(l).contains("CreateOrderSaga-"))
                .allSatisfy(l -> assertThat(l).endsWith(" ms").contains("-> ok"));
        // fewer invocations than the unfiltered reader: batches holding only saga commits invoked nobody
        long sagaOnly = saga.stream().filter(LocalRuntimeEventFilterTest::onlySagaCommits).count();
        assertThat(sagaOnly).isPositive();
        assertThat(publisher.size()).isLessThan(saga.size());
    }

    /** A logged batch whose every record is a CreateOrderSaga commit. */
    private static boolean onlySagaCommits(String line) {
        String records = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
        for (String r : records.split(", ")) {
            if (!r.startsWith("CreateOrderSaga-")) {
                return false;
            }
        }
        return true;
    }
}
