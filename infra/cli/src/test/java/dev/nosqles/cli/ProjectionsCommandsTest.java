package dev.nosqles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.app.Application;
import dev.nosqles.app.customer.CustomerCommand;
import dev.nosqles.app.order.OrderCommand;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.projection.Projection;
import dev.nosqles.dynamodb.DynamoDbReadModels;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The operator's walk-through on moto, through the command line as a person types it: list, rebuild (progress on
 * stderr), switch, drop, with the real {@link DynamoDbReadModels} behind the command.
 */
class ProjectionsCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Projection<?>> PROJECTIONS = List.of(TestProjection.SUMMARIES);

    @TempDir
    Path dir;

    private DynamoDbClient client;
    private Map<String, String> env;
    private Application app;
    private final List<String> orders = new ArrayList<>();
    private String eventsTable;
    private String checkpointsTable;
    private String readModelsTable;

    @BeforeEach
    void tables() {
        LocalAws aws = LocalAws.shared();
        client = aws.configure(DynamoDbClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        eventsTable = "cli-events-" + suffix;
        checkpointsTable = "cli-checkpoints-" + suffix;
        readModelsTable = "cli-read-models-" + suffix;
        EventTables.createEventsTable(client, eventsTable);
        EventTables.createCheckpointsTable(client, checkpointsTable);
        DynamoDbReadModels.createTable(client, readModelsTable);
        env = Map.of("EVENTS_TABLE", eventsTable, "CHECKPOINTS_TABLE", checkpointsTable,
                "READ_MODELS_TABLE", readModelsTable, "AWS_REGION", aws.region().id());
        app = new Application(DynamoDbEventStore.builder().client(client).tableName(eventsTable).build(),
                SnapshotStore.none(), Clock.systemUTC(), UUID::randomUUID);
        app.customers().create("c-1", new CustomerCommand.CreateCustomer("Ann", new BigDecimal("1000.00"), null));
        for (int i = 0; i < 7; i++) {
            String id = "o-" + i;
            app.orders().create(id, new OrderCommand.CreateOrder("c-1", new BigDecimal("10.00")));
            if (i % 3 == 0) {
                app.orders().update(id, new OrderCommand.ApproveOrder());
            } else if (i % 3 == 1) {
                app.orders().update(id, new OrderCommand.RejectOrder("no credit"));
            }
            orders.add(id);
        }
    }

    private CliRun nosqles(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", LocalAws.shared().endpoint().toString()));
        return CliRun.run(env, dir, PROJECTIONS, ReadModelOperations::dynamoDb, false, all.toArray(String[]::new));
    }

    private JsonNode listJson() throws Exception {
        CliRun list = nosqles("projections", "list", "--json");
        assertThat(list.status()).isEqualTo(0);
        return JSON.readTree(list.out()).get("readModels").get(0);
    }

    @Test
    void rebuild_switch_rebuild_switch_and_drop_the_old_version_from_the_command_line() throws Exception {
        // given: a read model no stream batch has registered yet
        CliRun first = nosqles("projections", "list");
        assertThat(first.status()).isEqualTo(0);
        assertThat(first.out()).contains("order-summaries").contains("not registered");

        // when: rebuilt from the events table, with progress on stderr (plain lines: no terminal)
        CliRun rebuilt = nosqles("projections", "rebuild", "order-summaries", "--segments", "2", "--page-size", "3");
        assertThat(rebuilt.status()).as(rebuilt.err()).isEqualTo(0);
        assertThat(rebuilt.out()).contains("order-summaries: version 1 is READY (12 events from the events table")
                .contains("no version serves yet")
                .contains("nosqles projections switch order-summaries 1");
        assertThat(rebuilt.errLines()).last().asString()
                .startsWith("rebuild order-summaries: 100%").contains("12 events").endsWith("done");
        JsonNode model = listJson();
        assertThat(model.get("servingVersion").asInt()).isZero();
        assertThat(model.get("codeVersion").asInt()).isEqualTo(1);
        assertThat(model.get("versions")).hasSize(1);
        assertThat(model.get("versions").get(0).get("state").asText()).isEqualTo("READY");
        assertThat(model.get("versions").get(0).get("rebuiltEvents").asLong()).isEqualTo(12);

        // then: reads move to it, and a second version is built beside it
        assertThat(nosqles("projections", "switch", "order-summaries", "1").out())
                .startsWith("order-summaries: version 1 serves");
        app.orders().update("o-2", new OrderCommand.ApproveOrder());
        assertThat(nosqles("projections", "rebuild", "order-summaries").out()).contains("version 2 is READY");
        CliRun switched = nosqles("projections", "switch", "order-summaries", "2");
        assertThat(switched.out()).startsWith("order-summaries: version 2 serves; version 1 RETIRED");
        CliRun table = nosqles("projections", "list");
        assertThat(table.out()).containsPattern("order-summaries\\s+1\\s+RETIRED\\s+v1")
                .containsPattern("\\n\\s+\\* 2\\s+SERVING\\s+v1\\s+13");

        // the serving version cannot be dropped: one line, status 1, nothing changed
        // (with the default grace: refused at once, without announcing a deletion)
        CliRun refused = nosqles("projections", "drop", "order-summaries", "2");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.errLines()).singleElement().asString().startsWith("nosqles: refused: order-summaries: "
                + "version 2 serves reads");
        assertThat(listJson().get("versions")).hasSize(2);

        CliRun dropped = nosqles("projections", "drop", "order-summaries", "1", "--grace", "0");
        assertThat(dropped.status()).as(dropped.err()).isEqualTo(0);
        assertThat(dropped.out()).isEqualTo("order-summaries: version 1 dropped; versions left: 2 SERVING"
                + System.lineSeparator());
        JsonNode after = listJson();
        assertThat(after.get("servingVersion").asInt()).isEqualTo(2);
        assertThat(after.get("versions")).hasSize(1);
        assertThat(nosqles("projections", "switch", "order-summaries", "1").status()).isEqualTo(1);

        // and the serving rows are the fold of every order's events, each event once
        DynamoDbReadModels models = DynamoDbReadModels.builder().client(client).eventsTable(eventsTable)
                .checkpointsTable(checkpointsTable).readModelsTable(readModelsTable)
                .eventStore(DynamoDbEventStore.builder().client(client).tableName(eventsTable).build())
                .projections(PROJECTIONS).cursorKey(new byte[32]).build();
        for (String id : orders) {
            int events = app.orders().history(id).size();
            String state = app.orders().get(id).state().status().name();
            // (amounts as DynamoDB keeps numbers: without trailing zeros)
            assertThat(models.get(TestProjection.SUMMARIES, id)).get().usingRecursiveComparison()
                    .withComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                    .isEqualTo(new TestProjection.Summary(id, "c-1", new BigDecimal("10.00"), state, events));
        }
    }
}
