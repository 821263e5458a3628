package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.localaws.LocalAws;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** `make run` as a user sees it: the pollers run on their own threads and a placed order is decided by itself. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimePollersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration AT_MOST = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private RunningApp app;

    @BeforeAll
    void start() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("run-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(true)
                .withLog(log::add));
    }

    @AfterAll
    void stop() {
        app.close();
    }

    private JsonNode call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.baseUri() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void a_placed_order_is_approved_by_the_running_pollers_and_each_step_is_logged() throws Exception {
        String customerId = call("POST", "/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100\"}")
                .get("customerId").asText();
        String orderId = call("POST", "/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"40\"}")
                .get("orderId").asText();

        Instant giveUp = Instant.now().plus(AT_MOST);
        String state = call("GET", "/orders/" + orderId, null).get("state").asText();
        while (state.equals("APPROVAL_PENDING") && Instant.now().isBefore(giveUp)) {
            Thread.sleep(100); // the pollers run on their own threads
            state = call("GET", "/orders/" + orderId, null).get("state").asText();
        }

        assertThat(state).isEqualTo("APPROVED");
        assertThat(call("GET", "/customers/" + customerId, null).get("availableCredit").asText()).isEqualTo("60.00");
        // the approval is the stream function's (ADR 0015): it relays the order's second commit (in the invocation
        // after the one that wrote it, so possibly just after the state is read), and no command reaches the
        // order-commands queue
        String relayed = "Order-" + orderId.substring(0, 8) + " v2";
        while (log.stream().noneMatch(line -> line.contains(relayed)) && Instant.now().isBefore(giveUp)) {
            Thread.sleep(100);
        }
        assertThat(log).anySatisfy(line -> assertThat(line).startsWith("OrderSagaStreamFunction <- EventsStream: ")
                .contains("Order-" + orderId.substring(0, 8) + " v2"))
                .noneSatisfy(line -> assertThat(line).startsWith("OrderCommandsFunction <- Commands: "));
    }
}
