package dev.nosqles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.runtime.esm.EventSourcePoller;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * {@code nosqles subscriptions} and {@code nosqles dlq} against the local runtime ({@code make run}'s, found through
 * its runtime.json with --local), the reference application behind it: an order placed through the API, its
 * functions run step by step, messages put into the dead-letter queues as a failure would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationsCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    static Path state;

    @TempDir
    static Path work;

    private RunningApp app;
    private SqsClient sqs;
    private DynamoDbClient dynamo;
    private Map<String, String> env;

    @BeforeAll
    void start() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("ops-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(line -> { }));
        LocalRuntime.writeConnection(state, app);
        env = Map.of("NOSQLES_STATE_DIR", state.toString());
        sqs = app.aws().configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        dynamo = app.aws().dynamoDb();
    }

    @AfterAll
    void stop() {
        sqs.close();
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

    private String orderState(String orderId) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(app.baseUri() + "/orders/" + orderId))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).get("state").asText();
    }

    private String placeOrder() throws Exception {
        String customer = post("/customers", "{\"name\":\"Ann\",\"creditLimit\":\"100\"}").get("customerId").asText();
        return post("/orders", "{\"customerId\":\"" + customer + "\",\"orderTotal\":\"10\"}").get("orderId")
                .asText();
    }

    private String events() {
        return app.resources().tableName("EventsTable");
    }

    private long items() {
        return dynamo.scan(b -> b.tableName(events()).select(Select.COUNT)).count();
    }

    private EventSourcePoller poller(String mappingId) {
        return app.pollers().stream().filter(p -> p.mappingId().equals(mappingId)).findFirst().orElseThrow();
    }

    /** Runs the sagas' stream function only: the command it sends waits in the customers' queue. */
    private Message commandSentToCustomers() {
        poller("OrderSagaStreamFunction-EventsStream").drainUntilIdle();
        String queue = app.resources().queueUrl("CustomerCommandsQueue");
        List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).visibilityTimeout(0)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        assertThat(got).hasSize(1);
        return got.getFirst();
    }

    private void deadLetter(String dlq, Message m) {
        sqs.sendMessage(b -> b.queueUrl(app.resources().queueUrl(dlq)).messageBody(m.body())
                .messageGroupId(m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .messageDeduplicationId(UUID.randomUUID().toString()));
    }

    private JsonNode lag(CliRun run, String subscriber) throws Exception {
        assertThat(run.status()).as(run.err()).isEqualTo(0);
        for (JsonNode s : JSON.readTree(run.out()).get("subscriptions")) {
            if (s.get("subscriber").asText().equals(subscriber)) {
                return s;
            }
        }
        throw new AssertionError(subscriber + " not in " + run.out());
    }

    @Test
    void subscriptions_count_what_each_subscriber_has_not_handled_and_nothing_once_the_functions_ran()
            throws Exception {
        app.drainUntilIdle();
        placeOrder();
        // everything before was handled: pending are this order's and its customer's first events
        CliRun before = nosqles("subscriptions", "--local", "--json");
        JsonNode publisher = lag(before, "event-publisher");
        assertThat(publisher.get("eventsBehind").asLong()).isEqualTo(2);
        assertThat(publisher.get("streamsBehind").asLong()).isEqualTo(2);
        assertThat(Instant.parse(publisher.get("oldestPendingAt").asText())).isBefore(Instant.now());
        // the saga relays keep no checkpoints (ADR 0011): no lag row, named below the table
        assertThat(JSON.readTree(before.out()).get("subscriptions").findValuesAsText("subscriber"))
                .doesNotContain("create-order-saga-starter", "saga-reply-sender");
        CliRun behind = nosqles("subscriptions", "--local");
        assertThat(behind.out()).containsPattern("\\nevent-publisher\\s+2\\s+2\\s+20\\S+\\s+\\d+ ms\\s+")
                .contains("Relays without checkpoints", "create-order-saga-starter, saga-CreateOrderSaga-commands,"
                        + " saga-reply-sender, release-credit-on-order-cancelled");
        System.out.println("--- sample: nosqles subscriptions --local (an order placed, no function run yet)\n"
                + behind.out());

        app.drainUntilIdle();

        CliRun after = nosqles("subscriptions", "--local", "--json");
        for (JsonNode s : JSON.readTree(after.out()).get("subscriptions")) {
            assertThat(s.get("eventsBehind").asLong()).as(s.toString()).isZero();
            assertThat(s.get("ageMillis").asLong()).as(s.toString()).isZero();
            assertThat(s.get("oldestPendingAt").isNull()).isTrue();
        }
        assertThat(lag(after, "read-model.order-summaries.1").get("lastHandledAt").isNull()).isFalse();
        CliRun table = nosqles("subscriptions", "--local");
        assertThat(table.status()).isEqualTo(0);
        assertThat(table.out()).containsPattern("\\nSUBSCRIBER\\s+EVENTS BEHIND\\s+STREAMS BEHIND\\s+OLDEST PENDING")
                .containsPattern("\\nevent-publisher\\s+0\\s+0\\s+-\\s+-\\s+20");
        System.out.println("--- sample: nosqles subscriptions --local\n" + table.out());
    }

    @Test
    void dlq_redrive_of_an_applied_command_changes_nothing_and_of_a_lost_one_gets_the_order_approved()
            throws Exception {
        app.drainUntilIdle();
        // a command that was applied, and then found again in the dead-letter queue
        placeOrder();
        Message applied = commandSentToCustomers();
        app.drainUntilIdle();
        deadLetter("CustomerCommandsDlq", applied);
        // a command that died before it was applied (received and never deleted, say, five times)
        String orderId = placeOrder();
        Message lost = commandSentToCustomers();
        sqs.deleteMessage(b -> b.queueUrl(app.resources().queueUrl("CustomerCommandsQueue"))
                .receiptHandle(lost.receiptHandle()));
        deadLetter("CustomerCommandsDlq", lost);
        app.drainUntilIdle();
        assertThat(orderState(orderId)).isEqualTo("APPROVAL_PENDING");

        CliRun list = nosqles("dlq", "list", "--local");
        assertThat(list.status()).as(list.err()).isEqualTo(0);
        assertThat(list.out()).containsPattern("\\nCustomerCommandsDlq\\s+2\\s+0\\s+CustomerCommandsQueue")
                .containsPattern("\\nStreamFailuresQueue\\s+\\d+\\s+\\d+\\s+stream functions");
        System.out.println("--- sample: nosqles dlq list --local\n" + list.out());
        CliRun show = nosqles("dlq", "show", "CustomerCommandsDlq", "--local");
        assertThat(show.status()).as(show.err()).isEqualTo(0);
        assertThat(show.out()).contains("2 message(s) shown").contains("ReserveCredit").doesNotContain("orderTotal");
        System.out.println("--- sample: nosqles dlq show CustomerCommandsDlq --local\n" + show.out());
        JsonNode shown = JSON.readTree(nosqles("dlq", "show", "CustomerCommandsDlq", "--local", "--json").out());
        assertThat(shown.get("messages")).hasSize(2);
        assertThat(shown.get("messages").get(0).get("body").isNull()).isTrue();

        long itemsBefore = items();
        CliRun redrive = nosqles("dlq", "redrive", "CustomerCommandsDlq", "--local");

        assertThat(redrive.status()).as(redrive.err()).isEqualTo(0);
        System.out.println("--- sample: nosqles dlq redrive CustomerCommandsDlq --local\n" + redrive.out());
        assertThat(redrive.out()).containsPattern("ALREADY_APPLIED\\s+command\\s+\\S+\\s+already applied: will be "
                + "dropped").containsPattern("REDRIVEN\\s+command\\s+\\S+\\s+not applied before")
                .contains("2 message(s): 1 redriven, 1 already applied (will be dropped), 0 kept");
        app.drainUntilIdle();
        assertThat(orderState(orderId)).isEqualTo("APPROVED");
        // the lost command wrote the customer's reservation and the order's approval; the duplicate wrote nothing
        long written = items() - itemsBefore;
        placeOrderOfReference();
        assertThat(written).isEqualTo(referenceItems);
        assertThat(nosqles("dlq", "list", "--local", "--json").out()).contains("\"queue\" : \"CustomerCommandsDlq\","
                + "\n    \"source\" : \"CustomerCommandsQueue\",\n    \"visible\" : 0");
    }

    private long referenceItems;

    /** The items one order's lost command writes when it arrives once, measured on a fresh order. */
    private void placeOrderOfReference() throws Exception {
        app.drainUntilIdle();
        placeOrder();
        commandSentToCustomers();
        long before = items();
        app.drainUntilIdle();
        referenceItems = items() - before;
    }

    @Test
    void dlq_redrive_of_a_stream_batch_invokes_the_stream_function_through_the_runtime_and_nothing_runs_twice()
            throws Exception {
        placeOrder();
        app.drainUntilIdle();
        String streamArn = dynamo.describeTable(b -> b.tableName(events())).table().latestStreamArn();
        List<Record> records = new ArrayList<>();
        String shardId = null;
        try (DynamoDbStreamsClient streams = app.aws().configure(DynamoDbStreamsClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            for (Shard shard : streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards()) {
                String it = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                List<Record> got = streams.getRecords(b -> b.shardIterator(it).limit(1000)).records();
                if (!got.isEmpty()) {
                    records = got;
                    shardId = shard.shardId();
                    break;
                }
            }
        }
        assertThat(records).isNotEmpty();
        List<Record> batch = records.subList(0, Math.min(5, records.size()));
        String body = streamBatchGivenUp("arn:aws:lambda:" + app.aws().region().id()
                        + ":123456789012:function:OrderSagaStreamFunction", shardId,
                batch.getFirst().dynamodb().sequenceNumber(), batch.getLast().dynamodb().sequenceNumber(),
                batch.size(), streamArn);
        String failures = app.resources().queueUrl("StreamFailuresQueue");
        sqs.sendMessage(b -> b.queueUrl(failures).messageBody(body));
        sqs.sendMessage(b -> b.queueUrl(failures).messageBody(body));
        long itemsBefore = items();
        Map<String, Long> queuedBefore = queued();

        CliRun redrive = nosqles("dlq", "redrive", "StreamFailuresQueue", "--local", "--json");

        assertThat(redrive.status()).as(redrive.err() + redrive.out()).isEqualTo(0);
        JsonNode report = JSON.readTree(redrive.out()).get("redrive");
        assertThat(report.get("redriven").asLong()).isEqualTo(2);
        assertThat(report.get("outcomes").get(0).get("detail").asText())
                .isEqualTo(batch.size() + " records replayed to OrderSagaStreamFunction (records it had handled "
                        + "are skipped by its checkpoints)");
        app.drainUntilIdle();
        assertThat(items()).as("every subscriber had handled these records: nothing written").isEqualTo(itemsBefore);
        assertThat(queued()).as("and nothing sent").isEqualTo(queuedBefore);
        assertThat(new BigInteger(batch.getLast().dynamodb().sequenceNumber()))
                .isGreaterThanOrEqualTo(new BigInteger(batch.getFirst().dynamodb().sequenceNumber()));
    }

    /**
     * The invocation record Lambda sends to a stream mapping's on-failure destination when it gives up on a batch
     * (AWS's documented shape: request and response context, the batch's shard and sequence numbers, no records).
     */
    private static String streamBatchGivenUp(String functionArn, String shardId, String firstSequence,
                                             String lastSequence, int size, String streamArn) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode request = root.putObject("requestContext");
        request.put("requestId", UUID.randomUUID().toString());
        request.put("functionArn", functionArn);
        request.put("condition", "RetryAttemptsExhausted");
        request.put("approximateInvokeCount", 3);
        ObjectNode response = root.putObject("responseContext");
        response.put("statusCode", 200);
        response.put("executedVersion", "$LATEST");
        response.put("functionError", "Unhandled");
        root.put("version", "1.0");
        root.put("timestamp", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
        ObjectNode info = root.putObject("DDBStreamBatchInfo");
        info.put("shardId", shardId);
        info.put("startSequenceNumber", firstSequence);
        info.put("endSequenceNumber", lastSequence);
        info.put("batchSize", size);
        info.put("streamArn", streamArn);
        return root.toString();
    }

    private Map<String, Long> queued() {
        Map<String, Long> sent = new HashMap<>();
        for (String q : List.of("CustomerCommandsQueue", "OrderCommandsQueue", "SagaRepliesQueue")) {
            var a = sqs.getQueueAttributes(b -> b.queueUrl(app.resources().queueUrl(q)).attributeNamesWithStrings(
                    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings();
            sent.put(q, Long.parseLong(a.get("ApproximateNumberOfMessages"))
                    + Long.parseLong(a.get("ApproximateNumberOfMessagesNotVisible")));
        }
        return sent;
    }

    @Test
    void a_long_redrive_draws_a_progress_bar_on_stderr_and_says_what_it_did_with_each_message() throws Exception {
        String dlq = app.resources().queueUrl("SagaRepliesDlq");
        for (int i = 0; i < 25; i++) {
            String body = "{\"kind\":\"reply\",\"messageId\":\"r-" + i + "\",\"sagaType\":\"CreateOrderSaga\","
                    + "\"sagaId\":\"no-such-saga-" + i + "\",\"replyChannel\":\"saga-replies\",\"inReplyTo\":\"m-" + i
                    + "\",\"outcome\":\"SUCCESS\",\"data\":{}}";
            sqs.sendMessage(b -> b.queueUrl(dlq).messageBody(body));
        }

        CliRun redrive = nosqles("dlq", "redrive", "SagaRepliesDlq", "--local");

        assertThat(redrive.status()).as(redrive.err()).isEqualTo(0);
        assertThat(redrive.out().lines().filter(l -> l.startsWith("REDRIVEN        reply")).count()).isEqualTo(25);
        assertThat(redrive.out()).contains("SagaRepliesDlq: 25 message(s): 25 redriven, 0 already applied");
        assertThat(redrive.errLines()).last().asString()
                .isEqualTo("redrive SagaRepliesDlq: 100%  25 of 25 messages, done");
        // the replies of sagas that never were: out of the way of the other tests
        sqs.purgeQueue(b -> b.queueUrl(app.resources().queueUrl("SagaRepliesQueue")));
    }

    @Test
    void a_redrive_stopped_by_its_max_says_what_remains_and_succeeds() throws Exception {
        String dlq = app.resources().queueUrl("SagaRepliesDlq");
        for (int i = 0; i < 3; i++) {
            String body = "{\"kind\":\"reply\",\"messageId\":\"rm-" + i + "\",\"sagaType\":\"CreateOrderSaga\","
                    + "\"sagaId\":\"no-such-saga-rm-" + i + "\",\"replyChannel\":\"saga-replies\",\"inReplyTo\":\"m-"
                    + i + "\",\"outcome\":\"SUCCESS\",\"data\":{}}";
            sqs.sendMessage(b -> b.queueUrl(dlq).messageBody(body));
        }

        CliRun redrive = nosqles("dlq", "redrive", "SagaRepliesDlq", "--max", "2", "--local", "--json");

        assertThat(redrive.status()).as(redrive.err()).isEqualTo(0);
        JsonNode report = JSON.readTree(redrive.out()).get("redrive");
        assertThat(report.get("redriven").asLong()).isEqualTo(2);
        assertThat(report.get("remaining").asLong()).isEqualTo(1);
        // out of the way of the other tests (a purge is allowed once a minute per queue: drain instead)
        drain(dlq);
        drain(app.resources().queueUrl("SagaRepliesQueue"));
    }

    private void drain(String url) {
        while (true) {
            var page = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
            if (page.isEmpty()) {
                return;
            }
            page.forEach(m -> sqs.deleteMessage(d -> d.queueUrl(url).receiptHandle(m.receiptHandle())));
        }
    }

    @Test
    void bad_arguments_get_one_line_and_status_2() {
        for (String[] args : List.of(new String[] {"dlq", "show", "NoSuchQueue", "--local"},
                new String[] {"dlq", "redrive", "CustomerCommandsDlq", "--max", "0", "--local"},
                new String[] {"dlq", "--local"},
                new String[] {"dlq", "show", "--local"},
                new String[] {"subscriptions", "--max-items", "0", "--local"},
                new String[] {"subscriptions", "--max-items", "many", "--local"})) {
            CliRun run = nosqles(args);
            assertThat(run.status()).as(String.join(" ", args) + ": " + run.err()).isEqualTo(2);
            assertThat(run.errLines()).as(String.join(" ", args)).singleElement().asString().startsWith("nosqles: ");
            assertThat(run.out()).isEmpty();
        }
    }
}
