package dev.nosqles.runtime.ric;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import dev.nosqles.runtime.template.FunctionDefinition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The functions of template.yaml under the real AWS Lambda Java runtime interface client, on events shaped as AWS
 * sends them: the API function on HTTP API requests, the saga stream function on DynamoDB Streams batches of the
 * events table, and the saga queue functions on SQS batches of their queues, each in its own JVM started as the
 * managed runtime starts it (see {@link LambdaFunctionProcess}). The client deserialises every event with its own
 * serialisation library (not the local runtime's converters) and serialises the answers, so a field the handlers
 * read that the runtime would not fill, or an answer it could not write, fails here.
 *
 * <p>The client talks to a {@link RuntimeApiServer} in this JVM, a minimal Runtime API that hands it one event at a
 * time; see that class for why it is used rather than the Runtime Interface Emulator. The resources come from
 * template.yaml through the local runtime (its pollers stopped: this test is the event source), and each function
 * gets the environment the template gives it plus the service-specific endpoint variables of the local AWS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimeInterfaceClientTest {
    private static final List<String> EVENTS_KEYS = List.of("streamId", "version");

    private RunningApp app;
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;
    private final Map<String, LambdaFunctionProcess> functions = new LinkedHashMap<>();
    private final Set<String> delivered = new HashSet<>();
    private int streamInvocations;
    private int queueInvocations;

    @BeforeAll
    void start() {
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(LocalAws.shared())
                .withStackName("ric-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(line -> { }));
        dynamoDb = app.aws().dynamoDb();
        sqs = app.aws().configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        for (String id : List.of("ApiFunction", "OrderSagaStreamFunction", "CustomerCommandsFunction",
                "OrderCommandsFunction", "SagaRepliesFunction")) {
            FunctionDefinition function = app.template().function(id).orElseThrow();
            functions.put(id, LambdaFunctionProcess.start(id, function.handler(), environment(function, Map.of()),
                    false));
        }
    }

    @AfterAll
    void stop() {
        functions.values().forEach(LambdaFunctionProcess::close);
        if (sqs != null) {
            sqs.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
        if (app != null) {
            app.close();
        }
    }

    /** The template's environment for the function, the local AWS's endpoints per service and credentials. */
    private Map<String, String> environment(FunctionDefinition function, Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>(app.resources().environment(function));
        AwsCredentials credentials = app.aws().credentials().resolveCredentials();
        env.put("AWS_ACCESS_KEY_ID", credentials.accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey());
        env.put("AWS_SESSION_TOKEN", "local");
        env.putAll(app.aws().endpointVariables());
        env.putAll(overrides);
        return env;
    }

    private record HttpAnswer(int status, JsonNode body, String contentType) {
    }

    private HttpAnswer api(String routeKey, String path, Map<String, String> params, String body) {
        RuntimeApiServer.Answer answer = functions.get("ApiFunction")
                .invoke(AwsEvents.httpApi(routeKey, path, params, body));
        assertThat(answer.failed()).as("the API function answered (%s)", answer.payload()).isFalse();
        JsonNode response = AwsEvents.parse(answer.payload());
        String text = response.path("body").asText(null);
        if (text != null && response.path("isBase64Encoded").asBoolean(false)) {
            text = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        }
        return new HttpAnswer(response.get("statusCode").asInt(), text == null ? null : AwsEvents.parse(text),
                response.path("headers").path("content-type").asText(response.path("headers")
                        .path("Content-Type").asText("")));
    }

    /**
     * Delivers what the template's event sources would, through the client, until nothing is left: every new item
     * of the events table to the saga stream function (as INSERT records, in key order), every message of the saga
     * queues to its function (deleting what it did not report as failed).
     */
    private void settle() {
        String table = app.resources().tableName("EventsTable");
        String streamArn = app.resources().attribute("EventsTable", "StreamArn");
        String region = app.aws().region().id();
        boolean moved;
        do {
            moved = false;
            List<Map<String, AttributeValue>> fresh = new ArrayList<>();
            dynamoDb.scanPaginator(b -> b.tableName(table)).items().forEach(item -> {
                if (delivered.add(item.get("streamId").s() + "#" + item.get("version").n())) {
                    fresh.add(item);
                }
            });
            fresh.sort(Comparator.<Map<String, AttributeValue>, String>comparing(i -> i.get("streamId").s())
                    .thenComparingLong(i -> Long.parseLong(i.get("version").n())));
            if (!fresh.isEmpty()) {
                moved = true;
                streamInvocations++;
                RuntimeApiServer.Answer answer = functions.get("OrderSagaStreamFunction")
                        .invoke(AwsEvents.dynamodbInserts(fresh, EVENTS_KEYS, streamArn, region));
                assertThat(answer.failed()).as("stream function: %s", answer.payload()).isFalse();
                assertThat(AwsEvents.parse(answer.payload()).path("batchItemFailures")).as("stream failures")
                        .isEmpty();
            }
            for (String[] mapping : new String[][] {{"CustomerCommandsQueue", "CustomerCommandsFunction"},
                    {"OrderCommandsQueue", "OrderCommandsFunction"}, {"SagaRepliesQueue", "SagaRepliesFunction"}}) {
                moved |= deliverQueue(mapping[0], mapping[1], region);
            }
        } while (moved);
    }

    /** Sends the replies a participant's stream asked for to the reply queue, as the stream function would. */
    private void redriveTheRepliesOf(dev.nosqles.store.StreamId participant) {
        dev.nosqles.store.EventStore store = dev.nosqles.dynamodb.DynamoDbEventStore.builder().client(dynamoDb)
                .tableName(app.resources().tableName("EventsTable")).build();
        List<dev.nosqles.store.RecordedEvent> requested = store.read(participant).events().stream()
                .filter(e -> e.type().equals(dev.nosqles.saga.SagaParticipant.REPLY_REQUESTED)).toList();
        assertThat(requested).isNotEmpty();
        String url = app.resources().queueUrl("SagaRepliesQueue");
        for (dev.nosqles.store.RecordedEvent e : requested) {
            String body = dev.nosqles.saga.SagaParticipant.requestedReply(e).toJson();
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(body));
        }
    }

    /** The saga's ApproveOrder sent again to the order-commands queue, rebuilt from the order's reply request. */
    private void redriveTheApprovalOf(String orderId) {
        dev.nosqles.store.EventStore store = dev.nosqles.dynamodb.DynamoDbEventStore.builder().client(dynamoDb)
                .tableName(app.resources().tableName("EventsTable")).build();
        dev.nosqles.store.RecordedEvent requested = store.read(dev.nosqles.store.StreamId.of("Order", orderId))
                .events().stream().filter(e -> e.type().equals(dev.nosqles.saga.SagaParticipant.REPLY_REQUESTED))
                .findFirst().orElseThrow();
        dev.nosqles.saga.SagaMessage.ReplyMessage reply = dev.nosqles.saga.SagaParticipant.requestedReply(requested);
        dev.nosqles.lambda.saga.SqsSagaMessageSender.builder().client(sqs)
                .queueUrl("order-commands", app.resources().queueUrl("OrderCommandsQueue"))
                .queueUrl(reply.replyChannel(), app.resources().queueUrl("SagaRepliesQueue")).build()
                .send(new dev.nosqles.saga.SagaMessage.CommandMessage(reply.inReplyTo(), reply.sagaType(),
                        reply.sagaId(), reply.replyChannel(), "order-commands", orderId, "ApproveOrder", "{}", 0,
                        requested.timestamp(), reply.correlationId()));
    }

    private boolean deliverQueue(String queue, String function, String region) {
        String url = app.resources().queueUrl(queue);
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All")).messages();
        if (messages.isEmpty()) {
            return false;
        }
        queueInvocations++;
        RuntimeApiServer.Answer answer = functions.get(function)
                .invoke(AwsEvents.sqs(messages, app.resources().attribute(queue, "Arn"), region));
        assertThat(answer.failed()).as("%s: %s", function, answer.payload()).isFalse();
        assertThat(AwsEvents.parse(answer.payload()).path("batchItemFailures")).as("%s failures", function).isEmpty();
        for (Message m : messages) {
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
        }
        return true;
    }

    @Test
    void the_api_function_answers_http_api_requests_and_records_the_iam_caller() {
        HttpAnswer created = api("POST /customers", "/customers", Map.of(),
                "{\"name\":\"Ann\",\"creditLimit\":\"100.00\"}");
        assertThat(created.status()).isEqualTo(201);
        String customerId = created.body().get("customerId").asText();

        HttpAnswer read = api("GET /customers/{customerId}", "/customers/" + customerId,
                Map.of("customerId", customerId), null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().get("name").asText()).isEqualTo("Ann");

        HttpAnswer order = api("POST /orders", "/orders", Map.of(),
                "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"60.00\"}");
        String orderId = order.body().get("orderId").asText();
        HttpAnswer history = api("GET /orders/{orderId}/events", "/orders/" + orderId + "/events",
                Map.of("orderId", orderId), null);
        assertThat(history.body().toString()).as("the caller from the event's IAM authorizer, in the audit trail")
                .contains(AwsEvents.callerArn());
    }

    @Test
    void a_callers_mistake_is_a_problem_json_400_not_an_error_of_the_function() {
        HttpAnswer answer = api("POST /customers", "/customers", Map.of(), "{\"name\":\"\",\"creditLimit\":\"-1\"}");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void the_create_order_saga_runs_through_the_stream_and_queue_functions_and_approves_the_order() {
        String customerId = api("POST /customers", "/customers", Map.of(),
                "{\"name\":\"Bob\",\"creditLimit\":\"100.00\"}").body().get("customerId").asText();
        String orderId = api("POST /orders", "/orders", Map.of(),
                "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"60.00\"}").body().get("orderId").asText();

        settle();

        assertThat(streamInvocations).as("stream batches delivered").isPositive();
        assertThat(queueInvocations).as("queue batches delivered").isGreaterThanOrEqualTo(3);
        assertThat(api("GET /orders/{orderId}", "/orders/" + orderId, Map.of("orderId", orderId), null)
                .body().get("state").asText()).isEqualTo("APPROVED");
        assertThat(api("GET /customers/{customerId}", "/customers/" + customerId, Map.of("customerId", customerId),
                null).body().get("availableCredit").asText()).isEqualTo("40.00");
    }

    @Test
    void under_the_client_every_function_logs_json_lines_with_its_context_and_the_trace_and_writes_emf() {
        String customerId = api("POST /customers", "/customers", Map.of(),
                "{\"name\":\"Cy\",\"creditLimit\":\"100.00\"}").body().get("customerId").asText();
        String orderId = api("POST /orders", "/orders", Map.of(),
                "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"5.00\"}").body().get("orderId").asText();
        settle();
        // the stream function handled the replies itself (ADR 0013): the customer's reply redriven to the reply
        // queue, as one that fell back would be, invokes SagaRepliesFunction, which drops it as a duplicate
        redriveTheRepliesOf(dev.nosqles.store.StreamId.of("Customer", customerId));
        // and it handled the Order's command itself (ADR 0015): the ApproveOrder redriven to its queue, as one that
        // fell back would be, invokes OrderCommandsFunction, which finds it processed and sends its reply again
        redriveTheApprovalOf(orderId);
        settle();

        String stack = app.resources().stackName();
        functions.forEach((id, process) -> {
            List<String> lines = process.output().lines().filter(l -> l.startsWith("{")).toList();
            // the real client: the context's function name, the environment's service, X-Ray's trace id
            assertThat(lines).as(id).anySatisfy(l -> assertThat(l).contains("\"level\":\"INFO\"",
                    "\"function_name\":\"" + stack + "-" + id + "\"", "\"service\":\"" + stack + "\"",
                    "\"xray_trace_id\":\"1-5759e988-bd862e3fe1be46a994272793\"",
                    "\"trace_header\":\"Root=1-5759e988-bd862e3fe1be46a994272793"));
            assertThat(lines).as(id + " EMF").anySatisfy(l -> assertThat(l).startsWith("{\"_aws\":")
                    .contains("\"Namespace\":\"nosqles\"", "\"Service\":\"" + stack + "\""));
        });
        assertThat(functions.get("ApiFunction").output()).doesNotContain("Cy\"");
        // the template's JAVA_TOOL_OPTIONS name the JSON provider: SLF4J starts it without a word (a wrong name
        // would print an error and fall back to searching the class path)
        functions.forEach((id, process) -> assertThat(process.output()).as(id).doesNotContain("SLF4J("));
        // the redriven reply was one the stream function had applied: dropped by its message id
        assertThat(functions.get("SagaRepliesFunction").output())
                .contains("HandleReply dropped: its message was processed before");
        assertThat(functions.get("OrderCommandsFunction").output())
                .contains("ApproveOrder dropped: its message was processed before");
    }

    @Test
    void a_snapstart_init_under_the_client_runs_the_priming_before_the_checkpoint() throws Exception {
        FunctionDefinition function = app.template().function("ApiFunction").orElseThrow();
        try (RecordingDynamoDb dynamo = new RecordingDynamoDb();
             LambdaFunctionProcess snapStart = LambdaFunctionProcess.start("ApiFunction-snapstart",
                     function.handler(), environment(function, Map.of("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint())),
                     true)) {
            snapStart.awaitRestore();

            assertThat(snapStart.api().requests()).as("no invocation before the restore").containsExactly(
                    "GET restore/next");
            assertThat(dynamo.operations()).as("the priming read the events table before the checkpoint")
                    .contains("Query");
        }
    }

    @Test
    void an_on_demand_init_does_not_prime() throws Exception {
        FunctionDefinition function = app.template().function("ApiFunction").orElseThrow();
        try (RecordingDynamoDb dynamo = new RecordingDynamoDb();
             LambdaFunctionProcess onDemand = LambdaFunctionProcess.start("ApiFunction-on-demand",
                     function.handler(), environment(function, Map.of("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint())),
                     false)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!onDemand.api().requests().contains("GET invocation/next") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }

            assertThat(onDemand.api().requests()).containsExactly("GET invocation/next");
            // no priming (its reads are Queries); the only DynamoDB request an on-demand init may make is the
            // key-encryption key's GetItem, on the thread that prefetches it (ADR 0020)
            assertThat(dynamo.operations()).isSubsetOf("GetItem");
        }
    }
}
