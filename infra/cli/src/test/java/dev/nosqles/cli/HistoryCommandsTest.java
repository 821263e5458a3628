package dev.nosqles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.app.saga.CreateOrderSagaData;
import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code nosqles stream show}, {@code saga show} and {@code sagas stuck} against the local runtime (found through
 * its runtime.json with --local), the reference application behind it: an order placed through the API and every
 * function run until idle.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    static Path state;

    @TempDir
    static Path work;

    private RunningApp app;
    private Map<String, String> env;

    @BeforeAll
    void start() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("hist-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(line -> { }));
        LocalRuntime.writeConnection(state, app);
        env = Map.of("NOSQLES_STATE_DIR", state.toString());
    }

    @AfterAll
    void stop() {
        app.close();
    }

    private CliRun nosqles(String... args) {
        return CliRun.run(env, work, AppProjections.all(), ReadModelOperations::dynamoDb, false, args);
    }

    private JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(app.baseUri() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    /** An order placed and its saga run to the end; returns the order id. */
    private String approvedOrder() throws Exception {
        String customer = post("/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100\"}").get("customerId").asText();
        String orderId = post("/orders", "{\"customerId\":\"" + customer + "\",\"orderTotal\":\"10\"}")
                .get("orderId").asText();
        app.drainUntilIdle();
        return orderId;
    }

    private static JsonNode json(CliRun run) throws Exception {
        assertThat(run.status()).as(run.err()).isEqualTo(0);
        assertThat(run.err()).isEmpty();
        return JSON.readTree(run.out());
    }

    /** The table's data rows (after the title line and the header). */
    private static List<String> rows(CliRun run) {
        List<String> lines = run.out().lines().filter(l -> !l.isBlank()).toList();
        return new ArrayList<>(lines.subList(2, lines.size()));
    }

    @Test
    void stream_show_prints_the_history_with_its_metadata_and_at_a_version_stops_there() throws Exception {
        String orderId = approvedOrder();

        JsonNode all = json(nosqles("stream", "show", "Order", orderId, "--local", "--json")).get("stream");
        assertThat(all.get("aggregateType").asText()).isEqualTo("Order");
        // the approval's commit holds the saga's reply request, a pseudo event, too
        assertThat(all.get("lastVersion").asLong()).isEqualTo(3);
        JsonNode created = all.get("entries").get(0);
        JsonNode approved = all.get("entries").get(1);
        JsonNode replyRequested = all.get("entries").get(2);
        assertThat(replyRequested.get("type").asText()).isEqualTo("nosqles.SagaReplyRequested");
        assertThat(replyRequested.get("pseudo").asBoolean()).isTrue();
        assertThat(created.get("pseudo").asBoolean()).isFalse();
        assertThat(replyRequested.get("messageId").asText()).isEqualTo(approved.get("messageId").asText());
        assertThat(created.get("type").asText()).isEqualTo("OrderCreated");
        assertThat(approved.get("type").asText()).isEqualTo("OrderApproved");
        assertThat(created.get("data").asText()).contains("\"orderTotal\":\"10.00\"");
        assertThat(Instant.parse(approved.get("recordedAt").asText())).isAfterOrEqualTo(
                Instant.parse(created.get("recordedAt").asText()));
        assertThat(approved.get("principal").asText()).isEqualTo("saga:CreateOrderSaga");
        assertThat(approved.get("messageId").asText()).isNotBlank();

        CliRun table = nosqles("stream", "show", "Order", orderId, "--local");
        assertThat(table.status()).as(table.err()).isZero();
        assertThat(table.out()).containsPattern("\\nVERSION\\s+TIME\\s+TYPE\\s+PRINCIPAL\\s+CORRELATION\\s+CAUSATION"
                + "\\s+MESSAGE ID\\s+PSEUDO");
        assertThat(rows(table)).hasSize(3);
        assertThat(rows(table).get(2)).containsPattern("^3\\s+\\S+\\s+nosqles.SagaReplyRequested\\s.*\\syes$");
        assertThat(rows(table).get(1)).containsPattern("^2\\s+20\\S+Z\\s+OrderApproved\\s+saga:CreateOrderSaga\\s+")
                .contains(approved.get("messageId").asText());
        System.out.println("--- sample: nosqles stream show Order " + orderId + " --local\n" + table.out());

        CliRun first = nosqles("stream", "show", "Order", orderId, "--at-version", "1", "--local");
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(rows(first)).singleElement().satisfies(r -> assertThat(r).containsPattern("^1\\s+\\S+\\s+"
                + "OrderCreated\\s"));

        CliRun asOf = nosqles("stream", "show", "Order", orderId, "--as-of", created.get("recordedAt").asText(),
                "--local", "--json");
        assertThat(json(asOf).get("stream").get("entries")).hasSize(1);
    }

    @Test
    void saga_show_prints_the_steps_from_the_command_to_the_participants_commit_the_reply_and_completion()
            throws Exception {
        String orderId = approvedOrder();
        // the saga's id is derived from the event that started it (the order's OrderCreated); the correlation id
        // of what the saga caused is the request's (ADR 0005), so it does not name the saga
        JsonNode history = json(nosqles("stream", "show", "Order", orderId, "--local", "--json")).get("stream");
        String sagaId = dev.nosqles.saga.SagaManager.sagaIdOf("CreateOrderSaga",
                history.get("entries").get(0).get("eventId").asText());
        assertThat(history.get("entries").get(1).get("correlationId").asText())
                .isEqualTo(history.get("entries").get(0).get("correlationId").asText()).isNotEqualTo(sagaId);

        JsonNode saga = json(nosqles("saga", "show", sagaId, "--local", "--json")).get("saga");
        assertThat(saga.get("sagaType").asText()).isEqualTo("CreateOrderSaga");
        assertThat(saga.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(saga.get("lanes").toString())
                .isEqualTo("[\"orchestrator\",\"customer-commands\",\"order-commands\"]");
        List<String> steps = new ArrayList<>();
        saga.get("entries").forEach(e -> steps.add(e.get("kind").asText() + " " + e.path("step").asText("-")));
        assertThat(steps).containsExactly("STARTED -", "COMMAND_SENT reserve-credit",
                "COMMAND_HANDLED reserve-credit", "REPLY reserve-credit", "COMMAND_SENT approve-order",
                "COMMAND_HANDLED approve-order", "REPLY approve-order", "COMPLETED -");
        String approveCommand = saga.get("entries").get(4).get("messageId").asText();
        assertThat(approveCommand).isEqualTo(json(nosqles("stream", "show", "Order", orderId, "--local", "--json"))
                .get("stream").get("entries").get(1).get("messageId").asText());

        // the operator's way from an order to its saga: the event that started it
        JsonNode byEvent = json(nosqles("saga", "show", "--started-by",
                history.get("entries").get(0).get("eventId").asText(), "--local", "--json")).get("saga");
        assertThat(byEvent.get("sagaId").asText()).isEqualTo(sagaId);
        assertThat(byEvent.get("entries")).hasSameSizeAs(saga.get("entries"));
        CliRun notStarter = nosqles("saga", "show", "--started-by", approveCommand, "--local");
        assertThat(notStarter.status()).isEqualTo(Nosqles.FAILED);
        assertThat(notStarter.err()).startsWith("nosqles: no saga started by event");

        CliRun table = nosqles("saga", "show", sagaId, "--local");
        assertThat(table.status()).as(table.err()).isZero();
        assertThat(table.out()).startsWith("Saga " + sagaId + " (CreateOrderSaga) COMPLETED")
                .containsPattern("\\nTIME\\s+KIND\\s+STEP\\s+FROM -> TO\\s+MESSAGE ID\\s+DETAIL\\s+DEADLINE")
                .containsPattern("COMMAND_SENT\\s+reserve-credit\\s+orchestrator -> customer-commands\\s+\\S+\\s+"
                        + "ReserveCredit to ")
                .containsPattern("COMMAND_HANDLED\\s+reserve-credit\\s+customer-commands\\s+")
                .containsPattern("REPLY\\s+approve-order\\s+order-commands -> orchestrator\\s+")
                .containsPattern("\\n20\\S+Z\\s+COMPLETED\\s+-\\s+orchestrator\\s+");
        assertThat(rows(table)).hasSize(8);
        System.out.println("--- sample: nosqles saga show " + sagaId + " --local\n" + table.out());
    }

    @Test
    void sagas_stuck_prints_none_once_every_saga_has_run_and_one_whose_reply_is_past_its_deadline()
            throws Exception {
        approvedOrder();

        CliRun table = nosqles("sagas", "stuck", "--local");
        assertThat(table.status()).as(table.err()).isZero();
        assertThat(table.out()).startsWith("No saga past due in ");
        assertThat(json(nosqles("sagas", "stuck", "--local", "--json")).get("sagas")).isEmpty();

        // a saga whose credit reservation nobody answered, started a minute ago (30 s deadline), through the
        // framework on the runtime's tables; its command never left (no function runs here)
        DynamoDbClient dynamo = app.aws().dynamoDb();
        SagaManager<CreateOrderSagaData> manager = SagaManager.builder(CreateOrderSaga.definition())
                .eventStore(DynamoDbEventStore.builder().client(dynamo).tableName(app.resources()
                .tableName("EventsTable"))
                        .build()).snapshotStore(SnapshotStore.none()).sender(new SagaMessageSender() {
                    @Override
                    public void send(SagaMessage.CommandMessage command) {
                    }

                    @Override
                    public void send(SagaMessage.ReplyMessage reply) {
                    }

                    @Override
                    public void schedule(SagaMessage.DeadlineMessage deadline, Duration delay) {
                    }
                }).deadlines(DynamoDbSagaDeadlines.builder().client(dynamo)
                        .tableName(app.resources().tableName("SagaDeadlinesTable")).build())
                        .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-1))).build();
        String sagaId = manager.start(UUID.randomUUID().toString(), new CreateOrderSagaData("o-stuck", "c-stuck",
                new BigDecimal("10.00")), EventMetadata.empty()).saga().sagaId();

        JsonNode stuck = json(nosqles("sagas", "stuck", "--local", "--json")).get("sagas");
        assertThat(stuck).hasSize(1);
        assertThat(stuck.get(0).get("sagaId").asText()).isEqualTo(sagaId);
        assertThat(stuck.get(0).get("step").asText()).isEqualTo("reserve-credit");
        assertThat(stuck.get(0).get("overdueMillis").asLong()).isBetween(29_000L, 120_000L);
        assertThat(stuck.get(0).get("attempt").asInt()).isZero();
        CliRun listed = nosqles("sagas", "stuck", "--local");
        assertThat(listed.out()).startsWith("1 saga(s) past due in ")
                .containsPattern("\\n" + sagaId + "\\s+CreateOrderSaga\\s+reserve-credit\\s+"
                        + stuck.get(0).get("awaitingCommandId").asText() + "\\s+20\\S+Z\\s+\\d+\\.\\d s\\s+0\\n");
        System.out.println("--- sample: nosqles sagas stuck --local\n" + listed.out());
        CliRun saga = nosqles("saga", "show", sagaId, "--local");
        assertThat(saga.out()).startsWith("Saga " + sagaId + " (CreateOrderSaga) RUNNING")
                .doesNotContain("COMMAND_HANDLED");
    }

    @Test
    void an_unknown_stream_or_saga_fails_with_one_line() throws Exception {
        CliRun stream = nosqles("stream", "show", "Order", "no-such-order", "--local");
        CliRun saga = nosqles("saga", "show", "no-such-saga", "--local");

        assertThat(stream.status()).isEqualTo(Nosqles.FAILED);
        assertThat(stream.errLines()).singleElement().asString()
                .startsWith("nosqles: no stream Order-no-such-order in make run at http");
        assertThat(saga.status()).isEqualTo(Nosqles.FAILED);
        assertThat(saga.errLines()).singleElement().asString().startsWith("nosqles: no saga no-such-saga of type "
                + "CreateOrderSaga");
    }

    @Test
    void bad_arguments_exit_2_with_one_line() {
        List<String[]> bad = List.of(
                new String[] {"stream", "show", "Order", "--local"},
                new String[] {"stream", "show", "Order", "o1", "--at-version", "1", "--as-of",
                        "2026-03-01T10:00:00Z", "--local"},
                new String[] {"stream", "show", "Order", "o1", "--at-version", "0", "--local"},
                new String[] {"stream", "show", "Order", "o1", "--at-version", "first", "--local"},
                new String[] {"stream", "show", "Order", "o1", "--as-of", "yesterday", "--local"},
                new String[] {"stream", "show", "Not-A-Type", "o1", "--local"},
                new String[] {"stream", "show", "Order", "o/1", "--local"},
                new String[] {"stream", "--local"},
                new String[] {"saga", "show", "--local"},
                new String[] {"saga", "show", "s1", "s2", "--local"},
                new String[] {"saga", "show", "s1", "--started-by", "e1", "--local"},
                new String[] {"saga", "show", "--started-by", " ", "--local"},
                new String[] {"sagas", "--local"},
                new String[] {"sagas", "stuck", "--max", "3", "--local"});
        for (String[] args : bad) {
            CliRun run = nosqles(args);
            assertThat(run.status()).as(String.join(" ", args) + ": " + run.err()).isEqualTo(Nosqles.USAGE);
            assertThat(run.errLines()).as(String.join(" ", args)).singleElement().asString().startsWith("nosqles: ");
            assertThat(run.out()).isEmpty();
        }
        assertThat(nosqles("stream", "show", "Order", "o1", "--as-of", "yesterday", "--local").err())
                .isEqualTo("nosqles: --as-of must be an ISO-8601 instant such as 2026-03-01T10:00:00Z, not "
                        + "yesterday" + System.lineSeparator());
    }
}
