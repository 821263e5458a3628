package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.app.Application;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.esm.EventSourcePoller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code make run} keeps its state across a restart: moto started on a state directory
 * ({@link LocalAws#start(Path)}), killed (SIGKILL: nothing is saved at exit) while a CreateOrderSaga is in flight,
 * started again on the same directory. The customer and the order are still there and the saga finishes, once.
 * The state kept is moto's, so the test is tagged {@code moto} (left out when the suite runs on another backend).
 */
@Tag("moto")
class LocalRuntimeRestartTest {
    private static final String STACK = "restart-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path stateDir;

    private RunningApp start(LocalAws aws) {
        return LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(aws)
                .withStackName(STACK)
                .withPollersStarted(false)
                .withLog(line -> { }));
    }

    @Test
    void after_a_kill_the_customer_and_the_order_are_still_there_and_the_saga_in_flight_finishes_once() {
        String customerId;
        String orderId;
        LocalAws first = LocalAws.startMoto(stateDir.resolve(LocalAws.MOTO_STATE_FILE));
        try (RunningApp app = start(first)) {
            ApiClient api = new ApiClient(app::baseUri);
            customerId = api.send("POST", "/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100.00\"}")
                    .body().get("customerId").asText();
            orderId = api.send("POST", "/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"60.00\"}")
                    .body().get("orderId").asText();
            // the saga's stream function runs: the saga starts and its first command waits in the customer queue
            int invoked = 0;
            for (EventSourcePoller poller : app.pollers()) {
                if (poller.mappingId().startsWith("OrderSagaStreamFunction")) {
                    invoked += poller.drainUntilIdle();
                }
            }
            assertThat(invoked).as("the saga stream function ran before the kill").isPositive();
            assertThat(api.send("GET", "/orders/" + orderId, null).body().get("state").asText())
                    .isEqualTo("APPROVAL_PENDING");
        } finally {
            first.close(); // SIGKILL
        }
        assertThat(stateDir.resolve(LocalAws.MOTO_STATE_FILE)).exists();

        LocalAws second = LocalAws.startMoto(stateDir.resolve(LocalAws.MOTO_STATE_FILE));
        try (RunningApp app = start(second);
             DynamoDbClient dynamoDb = second.dynamoDb()) {
            ApiClient api = new ApiClient(app::baseUri);
            assertThat(api.send("GET", "/customers/" + customerId, null).status()).isEqualTo(200);
            assertThat(api.send("GET", "/orders/" + orderId, null).body().get("state").asText())
                    .isEqualTo("APPROVAL_PENDING");

            app.drainUntilIdle();

            assertThat(api.send("GET", "/orders/" + orderId, null).body().get("state").asText())
                    .isEqualTo("APPROVED");
            List<String> orderEvents = new ArrayList<>();
            api.send("GET", "/orders/" + orderId + "/events", null).body()
                    .forEach(e -> orderEvents.add(e.get("type").asText()));
            assertThat(orderEvents).containsExactly("OrderCreated", "OrderApproved");
            assertThat(api.send("GET", "/customers/" + customerId, null).body().get("availableCredit").asText())
                    .as("credit reserved once").isEqualTo("40.00");
            assertThat(Application.onDynamoDb(dynamoDb, app.resources().tableName("EventsTable"),
                            app.resources().tableName("SnapshotsTable"), RuntimeKeys.of(second, app.resources())).customers().history(customerId).stream()
                    .map(e -> e.event().getClass().getSimpleName()).toList())
                    .as("the customer's events").containsExactly("CustomerCreated", "CreditReserved");
        } finally {
            second.close();
        }
    }

    @Test
    void a_fresh_state_directory_starts_empty() throws Exception {
        LocalAws aws = LocalAws.startMoto(stateDir.resolve(LocalAws.MOTO_STATE_FILE));
        try (DynamoDbClient dynamoDb = aws.dynamoDb()) {
            assertThat(dynamoDb.listTables().tableNames()).isEmpty();
        } finally {
            aws.close();
        }
        assertThat(Files.list(stateDir)).noneMatch(p -> p.getFileName().toString().endsWith(".tmp"));
    }
}
