package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.readmodel.OrderSummaries;
import dev.nosqles.app.readmodel.ReadModelWiring;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.projection.ReadModelStatus;
import dev.nosqles.projection.RebuildProgress;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.runtime.ApiClient.Response;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The list routes across versions of their read model, on the template-served application: a version rebuilt from
 * the events table while the stream function keeps feeding, switched to (the answers name it), the old one dropped
 * (its cursors are refused as a caller's mistake, 400, not a 500 or a page of something else).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimeReadModelVersionsTest {
    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private RunningApp app;
    private DynamoDbClient dynamoDb;
    private DynamoDbReadModels operator;

    @BeforeAll
    void start() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("rmv-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(line -> { }));
        dynamoDb = app.aws().dynamoDb();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        operator = DynamoDbReadModels.builder().client(dynamoDb)
                .readModelsTable(app.resources().tableName("ReadModelsTable"))
                .checkpointsTable(app.resources().tableName("CheckpointsTable"))
                .eventStore(DynamoDbEventStore.builder().client(dynamoDb)
                        .tableName(app.resources().tableName("EventsTable")).build())
                .projections(ReadModelWiring.projections()).cursorKey(key).dropGrace(Duration.ZERO).build();
    }

    @AfterAll
    void stop() {
        dynamoDb.close();
        app.close();
    }

    private void feed() {
        app.pollers().stream().filter(p -> p.mappingId().startsWith("OrderSagaStreamFunction"))
                .forEach(p -> p.drainUntilIdle());
    }

    private Response send(String method, String path, String body) {
        return api.send(method, path, body, "X-Local-Principal", "vera");
    }

    private String placeOrder(String customerId) {
        Response r = send("POST", "/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"5.00\"}");
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("orderId").asText();
    }

    private static List<String> ids(Response page) {
        List<String> ids = new ArrayList<>();
        for (JsonNode item : page.body().get("items")) {
            ids.add(item.get("orderId").asText());
        }
        return ids;
    }

    @Test
    void a_rebuilt_version_serves_once_switched_to_and_the_cursors_of_a_dropped_one_are_400() {
        Response created = send("POST", "/customers", "{\"name\":\"Vera\",\"creditLimit\":\"1000\"}");
        String customer = created.body().get("customerId").asText();
        List<String> placed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            placed.add(placeOrder(customer));
        }
        feed();
        String path = "/customers/" + customer + "/orders";
        Response first = send("GET", path + "?limit=2", null);
        assertThat(first.header("X-Read-Model-Version")).isEqualTo("1");
        String versionOneCursor = first.body().get("next").asText();

        List<RebuildProgress> progress = new ArrayList<>();
        ReadModelStatus rebuilt = operator.rebuild(OrderSummaries.NAME, DynamoDbReadModels.RebuildOptions.defaults(),
                progress::add);
        assertThat(rebuilt.versions()).extracting(ReadModelStatus.Version::state)
                .containsExactly(ReadModelStatus.State.SERVING, ReadModelStatus.State.READY);
        assertThat(progress).isNotEmpty().last().satisfies(p -> assertThat(p.done()).isTrue());
        // the stream function feeds both versions from now on
        placed.add(placeOrder(customer));
        feed();
        assertThat(send("GET", path + "?limit=100", null).header("X-Read-Model-Version")).isEqualTo("1");

        operator.switchTo(OrderSummaries.NAME, 2);
        Response afterSwitch = send("GET", path + "?limit=100", null);
        assertThat(afterSwitch.header("X-Read-Model-Version")).isEqualTo("2");
        assertThat(ids(afterSwitch)).containsExactlyInAnyOrderElementsOf(placed);
        // a cursor of the retired version still reads that version
        Response retired = send("GET", path + "?limit=2&cursor=" + versionOneCursor, null);
        assertThat(retired.status()).isEqualTo(200);
        assertThat(retired.header("X-Read-Model-Version")).isEqualTo("1");

        operator.drop(OrderSummaries.NAME, 1);
        Response expired = send("GET", path + "?limit=2&cursor=" + versionOneCursor, null);
        assertThat(expired.problem(400)).isEqualTo("invalid-cursor");
        assertThat(expired.body().get("detail").asText()).contains("no longer served");
        assertThat(expired.body().get("field").asText()).isEqualTo("cursor");
    }
}
