package dev.nosqles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.runtime.esm.EventSourcePoller;
import dev.nosqles.runtime.esm.SchedulePoller;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nosqles sagas stuck} and {@code saga show} on a saga that really is stuck, against the local runtime and
 * the reference application: the customer's command function does not run, so the credit reservation is not
 * answered; once its deadline (30 s) has passed the saga is listed as past due; the sweeper's turn then shows in
 * its timeline as a {@code SWEEPER} entry. The reservation still waits in the customer's queue, so the customer is
 * busy, not silent (ADR 0016): the sweeper re-sends it ({@code COMMAND_RESENT}, attempt 1, a new deadline) rather
 * than compensating, the list is empty again, and once the customer runs the order is approved on its merits.
 */
class StuckSagaCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The customer's command function: held back, so that the reservation is never answered. */
    private static final String CUSTOMER_COMMANDS = "CustomerCommandsFunction-";

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path state;

    @TempDir
    Path work;

    private RunningApp app;
    private Map<String, String> env;

    @BeforeEach
    void given_the_reference_app_on_the_local_runtime_with_its_pollers_driven_by_the_test() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("stuck-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(line -> { }));
        LocalRuntime.writeConnection(state, app);
        env = Map.of("NOSQLES_STATE_DIR", state.toString());
    }

    @AfterEach
    void stop() {
        app.close();
    }

    private CliRun nosqles(String... args) {
        return CliRun.run(env, work, AppProjections.all(), ReadModelOperations::dynamoDb, false, args);
    }

    private JsonNode json(String... args) throws Exception {
        CliRun run = nosqles(args);
        assertThat(run.status()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    private JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(app.baseUri() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    /** Drains every event source but the schedules and the customer's commands, until none has work. */
    private void drainAllButTheCustomersCommands() {
        int round;
        do {
            round = 0;
            for (EventSourcePoller p : app.pollers()) {
                if (!(p instanceof SchedulePoller) && !p.mappingId().startsWith(CUSTOMER_COMMANDS)) {
                    round += p.drainUntilIdle();
                }
            }
        } while (round > 0);
    }

    @Test
    void an_unanswered_reservation_is_listed_past_due_then_the_sweeper_shows_in_the_timeline() throws Exception {
        assertThat(app.pollers()).anyMatch(p -> p.mappingId().startsWith(CUSTOMER_COMMANDS));
        String customer = post("/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100\"}").get("customerId").asText();
        String orderId = post("/orders", "{\"customerId\":\"" + customer + "\",\"orderTotal\":\"10\"}")
                .get("orderId").asText();
        drainAllButTheCustomersCommands();
        JsonNode waiting = sagaOf(orderId);
        String sagaId = waiting.get("sagaId").asText();
        assertThat(waiting.get("status").asText()).isEqualTo("RUNNING");
        JsonNode sent = waiting.get("entries").get(1);
        assertThat(sent.get("kind").asText() + " " + sent.get("step").asText())
                .isEqualTo("COMMAND_SENT reserve-credit");
        Instant deadline = Instant.parse(sent.get("deadline").asText());

        // before the deadline: running, not past due (checked unless this machine took 20 of the 30 s to get here)
        if (Instant.now().isBefore(deadline.minusSeconds(10))) {
            assertThat(nosqles("sagas", "stuck", "--local").out()).startsWith("No saga past due in ");
        }
        sleepUntil(deadline.plusMillis(500));

        CliRun stuck = nosqles("sagas", "stuck", "--local");
        Instant listed = Instant.now();
        assertThat(stuck.status()).as(stuck.err()).isZero();
        Matcher row = Pattern.compile("\\n" + sagaId + "\\s+CreateOrderSaga\\s+reserve-credit\\s+"
                + sent.get("messageId").asText() + "\\s+(\\S+)\\s+\\d+(\\.\\d+)? \\S+\\s+0\\s*\\n") // overdue: "650 ms", or "16.0 s" on a busy machine
                .matcher(stuck.out());
        assertThat(stuck.out()).startsWith("1 saga(s) past due in ")
                .containsPattern("\\nSAGA\\s+TYPE\\s+STEP\\s+AWAITING\\s+DUE\\s+OVERDUE\\s+RESENT");
        assertThat(row.find()).as(stuck.out()).isTrue();
        // due: the command's deadline, counted from its send (ADR 0011), so the timeline's deadline plus the time
        // the stream took to relay the command; listed as past due, so not after the listing
        Instant armedDue = Instant.parse(row.group(1));
        assertThat(armedDue).isBetween(deadline, listed);
        System.out.println("--- sample: nosqles sagas stuck --local\n" + stuck.out());
        JsonNode due = json("sagas", "stuck", "--local", "--json").get("sagas");
        assertThat(due).hasSize(1);
        assertThat(due.get(0).get("sagaId").asText()).isEqualTo(sagaId);
        assertThat(due.get(0).get("awaitingCommandId").asText()).isEqualTo(sent.get("messageId").asText());
        assertThat(due.get(0).get("overdueMillis").asLong()).isPositive();

        @SuppressWarnings("unchecked")
        RequestHandler<ScheduledEvent, Map<String, Integer>> deployed =
                (RequestHandler<ScheduledEvent, Map<String, Integer>>) app.handler("SagaSweeperFunction");
        // the template's sweeper waits SAGA_SWEEP_GRACE_SECONDS past the deadline (ADR 0011): not yet
        assertThat(deployed.handleRequest(new ScheduledEvent(), null)).containsEntry("handled", 0);
        // the same function without the grace, as it is once the grace has passed
        Map<String, String> env = new java.util.HashMap<>(app.resources().environment(
                app.template().function("SagaSweeperFunction").orElseThrow()));
        assertThat(env).containsEntry(dev.nosqles.app.saga.SagaSweepHandler.GRACE_VARIABLE, "120");
        env.put(dev.nosqles.app.saga.SagaSweepHandler.GRACE_VARIABLE, "0");
        RequestHandler<ScheduledEvent, Map<String, Integer>> sweeper =
                new dev.nosqles.app.saga.SagaSweepHandler(env::get);
        assertThat(sweeper.handleRequest(new ScheduledEvent(), null)).containsEntry("handled", 1);
        // the reservation waits in the customer's queue: busy, so re-sent with a new deadline, not given up
        assertThat(nosqles("sagas", "stuck", "--local").out()).startsWith("No saga past due in ");
        JsonNode resent = json("saga", "show", sagaId, "--local", "--json").get("saga");
        assertThat(resent.get("status").asText()).isEqualTo("RUNNING");
        app.drainUntilIdle(); // the customer wakes up: reserves (the re-sent copy is dropped); the order is approved

        JsonNode saga = json("saga", "show", sagaId, "--local", "--json").get("saga");
        assertThat(saga.get("status").asText()).isEqualTo("COMPLETED");
        List<String> kinds = new ArrayList<>();
        saga.get("entries").forEach(e -> kinds.add(e.get("kind").asText() + " " + e.path("step").asText("-")));
        assertThat(kinds).containsSubsequence("STARTED -", "COMMAND_SENT reserve-credit", "SWEEPER reserve-credit",
                "COMMAND_RESENT reserve-credit", "REPLY reserve-credit", "COMPLETED -");
        assertThat(kinds).doesNotContain("DEADLINE_EXPIRED reserve-credit", "COMPENSATING -");
        HttpResponse<String> order = http.send(HttpRequest.newBuilder(URI.create(app.baseUri() + "/orders/" + orderId))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(order.body()).get("state").asText()).as(order.body()).isEqualTo("APPROVED");
        CliRun table = nosqles("saga", "show", sagaId, "--local");
        assertThat(table.out()).containsPattern("\\n20\\S+Z\\s+SWEEPER\\s+reserve-credit\\s+orchestrator\\s+"
                + sent.get("messageId").asText() + "\\s+by saga-sweeper\\s+" + armedDue.toString().substring(0, 19));
        System.out.println("--- sample: nosqles saga show " + sagaId + " --local (after the sweeper)\n"
                + table.out());
    }

    /** The one saga of the order, read through {@code saga show} (the order's creation event starts it). */
    private JsonNode sagaOf(String orderId) throws Exception {
        JsonNode created = json("stream", "show", "Order", orderId, "--local", "--json").get("stream").get("entries")
                .get(0);
        String sagaId = dev.nosqles.saga.SagaManager.sagaIdOf("CreateOrderSaga", created.get("eventId").asText());
        return json("saga", "show", sagaId, "--local", "--json").get("saga");
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long millis = Duration.between(Instant.now(), t).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
