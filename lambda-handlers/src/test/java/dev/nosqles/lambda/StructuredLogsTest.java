package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.dynamodb.DynamoDbStreamImages;
import dev.nosqles.lambda.saga.SqsSagaMessageSender;
import dev.nosqles.logging.LogContext;
import dev.nosqles.metrics.Metric;
import dev.nosqles.saga.RecordingSender;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.subscription.Subscriber;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import dev.nosqles.lambda.logging.JsonLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeNameForSends;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/** The functions' stdout: JSON lines with the Lambda context and the record's ids; EMF once per invocation. */
class StructuredLogsTest {
    private static final String SECRET = "data-field-that-must-never-be-logged";

    @AfterEach
    void clear() {
        MDC.clear();
    }

    private static DynamodbEvent commits(String... ids) {
        List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items = new ArrayList<>();
        for (String id : ids) {
            items.add(DynamoDbStreamImages.encode(StreamId.of("Thing", id), 1,
                    List.of(new NewEvent(UUID.randomUUID(), "Happened", 1, "{\"secret\":\"" + SECRET + "\"}")),
                    new EventMetadata("corr-" + id, "cause-" + id, "msg-" + id, "ann"), Instant.now()));
        }
        DynamodbEvent event = StreamSubscriptionHandlerTest.batch(items);
        event.getRecords().forEach(r -> r.getDynamodb().setApproximateCreationDateTime(
                java.util.Date.from(Instant.now().minusSeconds(3))));
        return event;
    }

    private static StreamSubscriptionHandler handler(Telemetry telemetry, String failOn) {
        Subscriber subscriber = Subscriber.builder("recorder").onRaw("Thing", (event, ctx) -> {
            LoggerFactory.getLogger("app").info("handling {}", event.type());
            if (event.streamId().id().equals(failOn)) {
                throw new IllegalStateException("refused by the subscriber");
            }
        }).build();
        return new StreamSubscriptionHandler(new EventDispatcher(List.of(subscriber), new InMemoryCheckpointStore(),
                new InMemoryEventStore()), (newest, types) -> { }, telemetry);
    }

    private static Telemetry telemetry() {
        return Telemetry.fromEnvironment(Map.of(Telemetry.SERVICE, "shop-stack")::get);
    }

    @Test
    void a_line_written_while_an_event_is_handled_carries_the_lambda_context_and_the_events_ids() {
        List<JsonNode> logs;
        try (LogCapture out = LogCapture.start()) {
            handler(telemetry(), "none").handleRequest(commits("a"), new TestContext("shop-Stream", "req-1"));
            logs = out.logs();
        }

        JsonNode line = logs.stream().filter(l -> l.path("message").asText().equals("handling Happened"))
                .findFirst().orElseThrow();
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("function_name").asText()).isEqualTo("shop-Stream");
        assertThat(line.path("function_request_id").asText()).isEqualTo("req-1");
        assertThat(line.has("cold_start")).isTrue();
        assertThat(line.path("service").asText()).isEqualTo("shop-stack");
        assertThat(line.path("correlation_id").asText()).isEqualTo("corr-a");
        assertThat(line.path("causation_id").asText()).isEqualTo("cause-a");
        assertThat(line.path("message_id").asText()).isEqualTo("msg-a");
        assertThat(line.path("stream_id").asText()).isEqualTo("Thing-a");
        assertThat(line.path("stream_version").asText()).isEqualTo("1");
        assertThat(line.has("timestamp")).isTrue();
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void the_first_invocation_is_the_cold_start_and_every_line_names_the_function_and_its_xray_trace() {
        Telemetry telemetry = telemetry();
        org.slf4j.Logger app = LoggerFactory.getLogger("app");
        List<JsonNode> logs;
        String traceProperty = "com.amazonaws.xray.traceHeader"; // the Lambda Java runtime sets it per invocation
        String before = System.getProperty(traceProperty);
        System.setProperty(traceProperty,
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        try (LogCapture out = LogCapture.start()) {
            telemetry.invocation(new TestContext("shop-Api", "req-1"), () -> {
                app.info("first");
                return null;
            });
            telemetry.invocation(new TestContext("shop-Api", "req-2"), () -> {
                app.info("second");
                return null;
            });
            logs = out.logs();
        } finally {
            if (before == null) {
                System.clearProperty(traceProperty);
            } else {
                System.setProperty(traceProperty, before);
            }
        }

        JsonNode first = logs.stream().filter(l -> l.path("message").asText().equals("first")).findFirst().orElseThrow();
        JsonNode second = logs.stream().filter(l -> l.path("message").asText().equals("second")).findFirst()
                .orElseThrow();
        assertThat(first.path("cold_start").isBoolean()).isTrue();
        assertThat(first.path("cold_start").asBoolean()).isTrue();
        assertThat(second.path("cold_start").asBoolean()).isFalse();
        assertThat(second.path("function_request_id").asText()).isEqualTo("req-2");
        assertThat(first.path("function_arn").asText())
                .isEqualTo("arn:aws:lambda:eu-west-1:123456789012:function:shop-Api");
        assertThat(first.path("function_version").asText()).isEqualTo("$LATEST");
        assertThat(first.path("function_memory_size").asInt()).isEqualTo(512);
        assertThat(first.path("xray_trace_id").asText()).isEqualTo("1-5759e988-bd862e3fe1be46a994272793");
        assertThat(first.path("logger").asText()).isEqualTo("app");
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void a_failed_record_logs_an_error_with_the_message_and_stack_trace_and_no_payload() {
        List<String> lines;
        List<JsonNode> logs;
        StreamsEventResponse response;
        try (LogCapture out = LogCapture.start()) {
            response = handler(telemetry(), "b").handleRequest(commits("a", "b"), new TestContext("f", "req-2"));
            lines = out.lines();
            logs = out.logs();
        }

        assertThat(response.getBatchItemFailures()).hasSize(1);
        JsonNode error = logs.stream().filter(l -> l.path("level").asText().equals("ERROR")).findFirst()
                .orElseThrow();
        // an application's own exception keeps its message (the exceptions that quote input do not: see below)
        assertThat(error.path("error").path("message").asText()).contains("refused by the subscriber");
        assertThat(error.path("error").path("stack").asText()).contains("StructuredLogsTest")
                .startsWith(IllegalStateException.class.getName());
        assertThat(error.path("stream_id").asText()).isEqualTo("Thing-b");
        assertThat(error.path("correlation_id").asText()).isEqualTo("corr-b");
        assertThat(error.path("function_request_id").asText()).isEqualTo("req-2");
        assertThat(lines).isNotEmpty().noneMatch(l -> l.contains(SECRET));
    }

    @Test
    void one_emf_line_per_invocation_with_the_events_dispatched_and_the_lag() {
        List<JsonNode> emf;
        try (LogCapture out = LogCapture.start()) {
            Telemetry telemetry = telemetry();
            StreamSubscriptionHandler handler = handler(telemetry, "none");
            handler.handleRequest(commits("a", "b"), new TestContext("f", "req-3"));
            handler.handleRequest(commits("a"), new TestContext("f", "req-4")); // a redelivery: duplicates
            emf = out.metrics();
        }

        assertThat(emf).hasSize(2);
        JsonNode first = emf.get(0);
        JsonNode definition = first.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(definition.path("Namespace").asText()).isEqualTo("nosqles");
        assertThat(definition.path("Dimensions").toString()).isEqualTo("[[\"Service\"]]");
        assertThat(first.path("Service").asText()).isEqualTo("shop-stack");
        assertThat(first.path(Metric.EVENTS_DISPATCHED.metricName()).asLong()).isEqualTo(2);
        assertThat(first.path(Metric.SUBSCRIPTION_LAG.metricName()).asLong()).isBetween(3000L, 60_000L);
        assertThat(emf.get(1).path(Metric.EVENTS_DISPATCHED.metricName()).asLong()).isZero();
        assertThat(emf.get(1).path(Metric.DUPLICATES_DROPPED.metricName()).asLong()).isEqualTo(1);
    }

    private static SQSEvent.SQSMessage redriven(String id, String body, String traceHeader) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(id);
        message.setBody(body);
        message.setAttributes(Map.of(Telemetry.AWS_TRACE_HEADER, traceHeader));
        SQSEvent.MessageAttribute redriven = new SQSEvent.MessageAttribute();
        redriven.setStringValue("2026-01-01T00:00:00Z");
        redriven.setDataType("String");
        message.setMessageAttributes(Map.of(Telemetry.REDRIVEN_AT, redriven));
        return message;
    }

    @Test
    void a_redriven_message_is_counted_once_handled_and_a_failed_ones_error_carries_its_trace_header() {
        var keys = new dev.nosqles.memory.InMemorySubjectKeys();
        InMemoryEventStore store = new InMemoryEventStore();
        var customers = dev.nosqles.app.Application.customers(store, SnapshotStore.none(), Clock.systemUTC(), keys)
                .build();
        customers.create("c1", new dev.nosqles.app.customer.CustomerCommand.CreateCustomer("Ann",
                new java.math.BigDecimal("100")));
        String reserve = (new SagaMessage.CommandMessage("m1", CreateOrderSaga.TYPE, "s1",
                CreateOrderSaga.REPLIES, CreateOrderSaga.CUSTOMER_COMMANDS.name(), "c1", "ReserveCredit",
                "{\"orderId\":\"o1\",\"amount\":\"10.00\"}")).toJson();
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(redriven("sqs-1", reserve, "Root=1-abc-def;Parent=1;Sampled=1"),
                redriven("sqs-2", "not a saga message", "Root=1-abc-fed;Parent=2;Sampled=1")));
        var commands = new dev.nosqles.lambda.saga.SagaCommandQueueHandler(
                dev.nosqles.saga.SagaParticipant.builder(customers, CreateOrderSaga.CUSTOMER_COMMANDS,
                        new RecordingSender()).eventStore(store).build(), telemetry());

        List<JsonNode> logs;
        long redrives;
        try (LogCapture out = LogCapture.start()) {
            assertThat(commands.handleRequest(event, new TestContext("commands", "req-5")).getBatchItemFailures())
                    .extracting(f -> f.getItemIdentifier()).containsExactly("sqs-2");
            logs = out.logs();
            redrives = out.metric(Metric.DLQ_REDRIVES.metricName());
        }

        assertThat(redrives).isEqualTo(1);
        assertThat(logs).filteredOn(l -> l.path("level").asText().equals("INFO")).anySatisfy(l -> {
            assertThat(l.path("saga_id").asText()).isEqualTo("s1");
            assertThat(l.path("trace_header").asText()).isEqualTo("Root=1-abc-def;Parent=1;Sampled=1");
        });
        assertThat(logs).filteredOn(l -> l.path("level").asText().equals("ERROR")).singleElement()
                .satisfies(l -> {
                    assertThat(l.path("message_id").asText()).isEqualTo("sqs-2");
                    assertThat(l.path("trace_header").asText()).isEqualTo("Root=1-abc-fed;Parent=2;Sampled=1");
                    assertThat(l.path("error").path("stack").asText()).isNotBlank();
                });
    }

    /** What an application's subscriber reads from an event: a number, where the event holds text. */
    record Reading(int secret) {
    }

    @Test
    void a_malformed_field_is_logged_with_its_stack_trace_and_without_the_value_it_held() {
        // Jackson's InvalidFormatException quotes the value it could not read: the secret
        Subscriber reader = Subscriber.builder("reader").onRaw("Thing", (event, ctx) -> {
            try {
                dev.nosqles.lambda.internal.LambdaJson.mapper().readValue(event.data(), Reading.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("unreadable event", e);
            }
        }).build();
        StreamSubscriptionHandler handler = new StreamSubscriptionHandler(new EventDispatcher(List.of(reader),
                new InMemoryCheckpointStore(), new InMemoryEventStore()), (newest, types) -> { }, telemetry());

        List<String> lines;
        List<JsonNode> logs;
        try (LogCapture out = LogCapture.start()) {
            assertThat(handler.handleRequest(commits("m"), new TestContext("f", "req-9")).getBatchItemFailures())
                    .hasSize(1);
            lines = out.lines();
            logs = out.logs();
        }

        assertThat(logs).filteredOn(l -> l.path("level").asText().equals("ERROR")).singleElement()
                .satisfies(l -> assertThat(l.path("error").path("stack").asText())
                        .contains("InvalidFormatException", "StructuredLogsTest"));
        assertThat(lines).isNotEmpty().noneMatch(l -> l.contains(SECRET));
    }

    @Test
    void a_saga_message_sent_while_a_traced_event_is_handled_carries_its_trace_header() {
        List<SendMessageRequest> sent = new ArrayList<>();
        SqsClient sqs = new SqsClient() {
            @Override
            public SendMessageResponse sendMessage(SendMessageRequest request) {
                sent.add(request);
                return SendMessageResponse.builder().messageId("x").build();
            }

            @Override
            public String serviceName() {
                return "sqs";
            }

            @Override
            public void close() {
            }
        };
        SqsSagaMessageSender sender = SqsSagaMessageSender.builder().client(sqs)
                .queueUrl(CreateOrderSaga.REPLIES, "https://q/r").build();
        SagaMessage.ReplyMessage reply = new SagaMessage.ReplyMessage("m1", CreateOrderSaga.TYPE, "s1",
                CreateOrderSaga.REPLIES, "c1", dev.nosqles.saga.ReplyOutcome.SUCCESS, null, "{}");

        sender.send(reply); // no trace context: nothing
        try (LogContext log = LogContext.of(EventMetadata.empty().withTraceHeader("Root=1-t;Parent=2;Sampled=1"))) {
            sender.send(reply);
        }

        assertThat(sent.get(0).messageSystemAttributes()).isEmpty();
        assertThat(sent.get(1).messageSystemAttributes().get(MessageSystemAttributeNameForSends.AWS_TRACE_HEADER)
                .stringValue()).isEqualTo("Root=1-t;Parent=2;Sampled=1");
    }

    private static void listTablesOnAClosedPort() {
        try (DynamoDbClient client = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:9"))
                .region(Region.EU_WEST_1).httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1)))
                .build()) {
            client.listTables();
        } catch (RuntimeException expected) {
            // nothing listens on port 9
        }
    }

    @Test
    void the_aws_sdk_logs_from_warn_on_by_default() {
        telemetry(); // the function's logging is set up
        List<String> lines;
        try (LogCapture out = LogCapture.start()) {
            listTablesOnAClosedPort();
            lines = out.lines();
        }

        assertThat(lines).noneMatch(l -> l.contains("Sending Request"));
    }

    @Test
    void the_aws_sdks_own_log_lines_reach_the_json_output() {
        List<JsonNode> logs;
        JsonLogs.setLevel("software.amazon.awssdk.request", Level.DEBUG);
        try (LogCapture out = LogCapture.start();
             DynamoDbClient client = DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:9"))
                     .region(Region.EU_WEST_1).httpClientBuilder(UrlConnectionHttpClient.builder())
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                     .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1)))
                     .build()) {
            try (LogContext log = LogContext.open().put(LogContext.CORRELATION_ID, "corr-sdk")) {
                client.listTables();
            } catch (RuntimeException expected) {
                // nothing listens on port 9
            }
            logs = out.logs();
        } finally {
            JsonLogs.reset();
        }

        assertThat(logs).filteredOn(l -> l.path("logger").asText("").startsWith("software.amazon.awssdk")
                        || l.path("message").asText().contains("Sending Request"))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l.path("correlation_id").asText()).isEqualTo("corr-sdk"));
    }
}
