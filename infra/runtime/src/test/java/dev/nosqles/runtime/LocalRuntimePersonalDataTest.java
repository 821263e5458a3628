package dev.nosqles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.localaws.faults.FaultProxy;
import dev.nosqles.localaws.faults.FaultRule;
import dev.nosqles.runtime.ApiClient.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Forgetting a customer (ADR 0008) end to end on the application template.yaml declares, as `make run` serves it:
 * the API, the stream and queue functions, the keys table and the KMS key in the local KMS. The runtime's AWS is
 * reached through a {@link FaultProxy}, so that the key service can be made to fail. The pollers are not started;
 * each step drains them until nothing moves.
 *
 * <p>Where the personal data could have gone and is searched for: every item of every table (ListTables, Scan),
 * every message left in every queue (ListQueues, received with no visibility timeout, so nothing is consumed),
 * what SNS published (a FIFO queue subscribed to the events topic before anything was published), and every log
 * line: the runtime's log, every {@code java.util.logging} record (the backend of {@code System.Logger}) of the
 * test's JVM, captured at every level, and what the functions write to stdout (their JSON log lines, every level
 * but the AWS SDK's DEBUG and TRACE).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalRuntimePersonalDataTest {
    private static final String PLACEHOLDER = "[forgotten]";

    private final ApiClient api = new ApiClient(() -> this.app.baseUri());
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<String> captured = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            captured.add(format.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level rootLevel;
    private StdoutCapture stdout;
    private FaultProxy proxy;
    private RunningApp app;
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;
    private SnsClient sns;
    private String subscribedQueue;
    private String keptQueue;

    @BeforeAll
    void start() {
        Logger root = Logger.getLogger("");
        rootLevel = root.getLevel();
        root.setLevel(Level.ALL);
        root.addHandler(capture);
        proxy = FaultProxy.start(LocalAws.shared(), 11);
        app = LocalRuntime.start(LocalRuntime.Options.of(LocalRuntime.findTemplate())
                .withPort(0)
                .withAws(proxy.aws())
                .withStackName("gdpr-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false)
                .withLog(log::add));
        // the functions' JSON lines at every level (the SDK's own stay at WARN: its DEBUG lines are requests)
        stdout = StdoutCapture.start();
        dev.nosqles.lambda.logging.JsonLogs.setRootLevel(org.slf4j.event.Level.TRACE);
        dev.nosqles.lambda.logging.JsonLogs.setLevel("software.amazon.awssdk", org.slf4j.event.Level.WARN);
        // the test's own clients go straight to the local AWS: the proxy's faults are for the application
        LocalAws aws = LocalAws.shared();
        dynamoDb = aws.dynamoDb();
        sqs = aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        sns = aws.configure(SnsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        subscribedQueue = sqs.createQueue(b -> b.queueName(app.resources().stackName() + "-subscriber.fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(subscribedQueue)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(app.resources().topicArn("EventsTopic")).protocol("sqs").endpoint(queueArn)
                .attributes(Map.of("RawMessageDelivery", "true")));
        // a subscriber that never reads: its messages stay in the queue for the scan of every queue
        keptQueue = sqs.createQueue(b -> b.queueName(app.resources().stackName() + "-unread.fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String keptArn = sqs.getQueueAttributes(b -> b.queueUrl(keptQueue)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(app.resources().topicArn("EventsTopic")).protocol("sqs").endpoint(keptArn)
                .attributes(Map.of("RawMessageDelivery", "true")));
    }

    @AfterAll
    void stop() {
        Logger root = Logger.getLogger("");
        root.removeHandler(capture);
        root.setLevel(rootLevel);
        stdout.close();
        dev.nosqles.lambda.logging.JsonLogs.reset();
        sqs.close();
        sns.close();
        dynamoDb.close();
        app.close();
        proxy.close();
    }

    // --- HTTP ---------------------------------------------------------------------------------------------------

    private Response send(String method, String path, String body, String... headers) {
        return api.send(method, path, body, headers);
    }

    private Response get(String path) {
        return api.get(path);
    }

    private String createCustomer(String name, String email, String limit) {
        Response r = send("POST", "/customers", "{\"name\":\"" + name + "\",\"email\":\"" + email
                + "\",\"creditLimit\":\"" + limit + "\"}");
        assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
        return r.body().get("customerId").asText();
    }

    private String placeOrder(String customerId, String total) {
        Response r = send("POST", "/orders", "{\"customerId\":\"" + customerId + "\",\"orderTotal\":\"" + total + "\"}");
        assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
        return r.body().get("orderId").asText();
    }

    private Response forget(String customerId, String... headers) {
        return send("DELETE", "/customers/" + customerId + "/personal-data", null, headers);
    }

    private String state(String orderId) {
        return get("/orders/" + orderId).body().get("state").asText();
    }

    private void settle() {
        app.drainUntilIdle();
    }

    /** A name and an e-mail found nowhere else: a hit is this test's customer. */
    private static String distinctive(String what) {
        return what + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    // --- the specification --------------------------------------------------------------------------------------

    @Test
    void after_a_forget_no_table_queue_published_message_or_log_line_holds_the_name_or_email_and_histories_still_load() {
        String name = distinctive("Zelda");
        String email = distinctive("zelda.") + "@example.org";
        String customerId = createCustomer(name, email, "100");
        String approved = placeOrder(customerId, "30");
        String rejected = placeOrder(customerId, "500");
        settle();
        assertThat(state(approved)).isEqualTo("APPROVED");
        assertThat(state(rejected)).isEqualTo("REJECTED");
        String cancelled = placeOrder(customerId, "20");
        settle();
        assertThat(send("POST", "/orders/" + cancelled + "/cancel", null).status()).isEqualTo(200);
        settle();
        // given: the customer reads back with its personal data (so it was stored, and decrypts)
        JsonNode before = get("/customers/" + customerId).body();
        assertThat(before.get("name").asText()).isEqualTo(name);
        assertThat(before.get("email").asText()).isEqualTo(email);
        assertThat(before.get("availableCredit").asText()).isEqualTo("70.00");

        // when
        Response forgotten = forget(customerId);
        settle();

        // then: 202 with a small body, and the placeholder where the personal data was
        assertThat(forgotten.status()).as("%s", forgotten.body()).isEqualTo(202);
        assertThat(forgotten.contentType()).isEqualTo("application/json");
        assertThat(forgotten.body().get("customerId").asText()).isEqualTo(customerId);
        assertThat(forgotten.body().get("forgotten").asBoolean()).isTrue();
        JsonNode after = get("/customers/" + customerId).body();
        assertThat(after.get("name").asText()).isEqualTo(PLACEHOLDER);
        assertThat(after.get("email").asText()).isEqualTo(PLACEHOLDER);
        assertThat(after.get("availableCredit").asText()).isEqualTo("70.00");
        assertThat(after.get("personalDataForgotten").asBoolean()).isTrue();

        // nowhere in plain text: tables, queues, what SNS published, logs
        List<String> published = receiveAll(subscribedQueue);
        assertThat(published).as("the events were published").anyMatch(m -> m.contains("Customer-" + customerId))
                .anyMatch(m -> m.contains("CustomerPersonalDataForgotten"));
        List<String> tables = everyTableItem();
        assertThat(tables).as("the scan reads the events").anyMatch(item -> item.contains(customerId));
        List<String> queued = everyQueuedMessage();
        assertThat(queued).as("the scan reads messages left in a queue")
                .anyMatch(m -> m.startsWith(keptQueue + " ") && m.contains(customerId));
        for (String secret : List.of(name, email)) {
            assertThat(tables).as("tables").noneMatch(item -> item.contains(secret));
            assertThat(queued).as("queues").noneMatch(m -> m.contains(secret));
            assertThat(published).as("published").noneMatch(m -> m.contains(secret));
            assertThat(log).as("runtime log").noneMatch(line -> line.contains(secret));
            assertThat(captured).as("System.Logger / JUL").noneMatch(line -> line.contains(secret));
            assertThat(stdout.lines()).as("the functions' JSON log lines").noneMatch(line -> line.contains(secret));
        }
        assertThat(stdout.lines()).as("the functions logged what they did")
                .anyMatch(l -> l.contains("\"function_name\":\"CustomerCommandsFunction\""));
        String debugMarker = distinctive("debug");
        org.slf4j.LoggerFactory.getLogger(LocalRuntimePersonalDataTest.class).debug(debugMarker);
        assertThat(stdout.lines()).as("the capture sees SLF4J DEBUG").anyMatch(l -> l.contains(debugMarker));
        String marker = distinctive("marker");
        System.getLogger(LocalRuntimePersonalDataTest.class.getName()).log(System.Logger.Level.DEBUG, marker);
        assertThat(captured).as("the capture sees System.Logger at every level").anyMatch(l -> l.contains(marker));

        // the customer's history and its time travel load, with the placeholder
        JsonNode history = get("/customers/" + customerId + "/events").body();
        assertThat(history).extracting(e -> e.get("type").asText()).startsWith("CustomerCreated")
                .endsWith("CustomerPersonalDataForgotten").contains("CreditReserved", "CreditReleased");
        assertThat(history.get(0).get("data").get("name").asText()).isEqualTo(PLACEHOLDER);
        assertThat(history.get(0).get("data").get("email").asText()).isEqualTo(PLACEHOLDER);
        assertThat(history.get(0).get("data").get("creditLimit").asText()).isEqualTo("100.00");
        JsonNode v1 = get("/customers/" + customerId + "?version=1").body();
        assertThat(v1.get("name").asText()).isEqualTo(PLACEHOLDER);
        assertThat(v1.get("availableCredit").asText()).isEqualTo("100.00");
        assertThat(v1.get("version").asLong()).isEqualTo(1);
        Response asOf = get("/customers/" + customerId + "?asOf="
                + history.get(history.size() - 2).get("timestamp").asText());
        assertThat(asOf.status()).isEqualTo(200);
        assertThat(asOf.body().get("name").asText()).isEqualTo(PLACEHOLDER);
        // the orders' histories and time travel load as before
        for (String orderId : List.of(approved, rejected, cancelled)) {
            assertThat(get("/orders/" + orderId + "/events").status()).isEqualTo(200);
            assertThat(get("/orders/" + orderId + "?version=1").body().get("state").asText())
                    .isEqualTo("APPROVAL_PENDING");
        }
        assertThat(state(approved)).isEqualTo("APPROVED");
        assertThat(state(cancelled)).isEqualTo("CANCELLED");
        // the keys table keeps a tombstone for the customer, no key
        Map<String, AttributeValue> key = dynamoDb.getItem(b -> b.tableName(app.resources()
                .tableName("SubjectKeysTable")).key(Map.of("subject", AttributeValue.fromS(customerId)))
                .consistentRead(true)).item();
        assertThat(key).isNotEmpty().doesNotContainKey("wrapped");
    }

    @Test
    void a_forget_while_the_saga_runs_lets_the_saga_end_on_its_merits() {
        String customerId = createCustomer(distinctive("Yves"), distinctive("y") + "@example.org", "100");
        String first = placeOrder(customerId, "60");
        String second = placeOrder(customerId, "60");

        // the sagas have not started yet: the stream has not been read
        assertThat(forget(customerId).status()).isEqualTo(202);
        settle();

        // only one of the two fits within the credit limit
        assertThat(List.of(state(first), state(second))).containsExactlyInAnyOrder("APPROVED", "REJECTED");
        JsonNode customer = get("/customers/" + customerId).body();
        assertThat(customer.get("availableCredit").asText()).isEqualTo("40.00");
        assertThat(customer.get("name").asText()).isEqualTo(PLACEHOLDER);
        String approved = state(first).equals("APPROVED") ? first : second;
        JsonNode history = get("/orders/" + approved + "/events").body();
        assertThat(history).extracting(e -> e.get("type").asText()).containsExactly("OrderCreated", "OrderApproved");
    }

    @Test
    void a_forget_is_idempotent_and_an_unknown_or_anothers_customer_is_404() {
        String customerId = createCustomer(distinctive("Xavier"), distinctive("x") + "@example.org", "10");

        Response first = forget(customerId, "Idempotency-Key", "forget-" + customerId);
        Response retried = forget(customerId, "Idempotency-Key", "forget-" + customerId);
        Response again = forget(customerId);

        assertThat(List.of(first.status(), retried.status(), again.status())).containsOnly(202);
        assertThat(again.body().get("forgotten").asBoolean()).isTrue();
        JsonNode history = get("/customers/" + customerId + "/events").body();
        assertThat(history).extracting(e -> e.get("type").asText())
                .containsExactly("CustomerCreated", "CustomerPersonalDataForgotten");
        assertThat(forget(UUID.randomUUID().toString()).problem(404)).isEqualTo("not-found");
        assertThat(forget("not%20an%20id").problem(404)).isEqualTo("not-found");
        String someoneElses = send("POST", "/customers", "{\"name\":\"Walt\",\"creditLimit\":\"5\"}",
                "X-Local-Principal", "someone-else").body().get("customerId").asText();
        assertThat(forget(someoneElses).problem(404)).isEqualTo("not-found");
        assertThat(get("/customers/" + customerId).body().get("name").asText()).isEqualTo(PLACEHOLDER);
    }

    @Test
    void when_the_key_service_fails_a_create_is_503_with_retry_after_and_nothing_is_written() {
        // the key service is KMS and the keys table: a warm process holds the key-encryption key (ADR 0014) and
        // calls KMS no more, so its new customer's key fails at the keys table; a cold one fails at KMS
        String eventsTable = app.resources().tableName("EventsTable");
        String keysTable = app.resources().tableName("SubjectKeysTable");
        int events = dynamoDb.scan(b -> b.tableName(eventsTable)).count();
        int keys = dynamoDb.scan(b -> b.tableName(keysTable)).count();
        String name = distinctive("Vera");
        proxy.rules(List.of(FaultRule.serverError("kms", null, 1.0), FaultRule.serverError("dynamodb", "PutItem", 1.0)));
        Response refused;
        try {
            refused = send("POST", "/customers", "{\"name\":\"" + name + "\",\"email\":\"v@example.org\","
                    + "\"creditLimit\":\"10\"}", "Idempotency-Key", "kms-down-" + name);
        } finally {
            proxy.rules(List.of());
        }

        assertThat(refused.problem(503)).isEqualTo("key-service-unavailable");
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(proxy.counts().faults().values()).anySatisfy(byOperation -> assertThat(byOperation.keySet())
                .anyMatch(op -> op.startsWith("kms:") || op.equals("dynamodb:PutItem")));
        assertThat(dynamoDb.scan(b -> b.tableName(eventsTable)).count()).isEqualTo(events);
        assertThat(dynamoDb.scan(b -> b.tableName(keysTable)).count()).isEqualTo(keys);
        assertThat(log).noneMatch(line -> line.contains(name));
        assertThat(captured).noneMatch(line -> line.contains(name));
        // the same request once the key service is back: created
        Response created = send("POST", "/customers", "{\"name\":\"" + name + "\",\"email\":\"v@example.org\","
                + "\"creditLimit\":\"10\"}", "Idempotency-Key", "kms-down-" + name);
        assertThat(created.status()).isEqualTo(201);
    }

    // --- where the data could be --------------------------------------------------------------------------------

    /** Every item of every table of the local AWS, as text: strings as they are, binaries as UTF-8. */
    private List<String> everyTableItem() {
        List<String> items = new ArrayList<>();
        for (String table : dynamoDb.listTablesPaginator().tableNames()) {
            dynamoDb.scanPaginator(b -> b.tableName(table)).items()
                    .forEach(item -> items.add(table + " " + text(item.values())));
        }
        return items;
    }

    private static String text(Collection<AttributeValue> values) {
        StringBuilder out = new StringBuilder();
        for (AttributeValue v : values) {
            if (v.s() != null) {
                out.append(v.s());
            } else if (v.n() != null) {
                out.append(v.n());
            } else if (v.b() != null) {
                out.append(new String(v.b().asByteArray(), StandardCharsets.UTF_8));
            } else if (v.hasSs()) {
                out.append(v.ss());
            } else if (v.hasBs()) {
                v.bs().forEach(b -> out.append(new String(b.asByteArray(), StandardCharsets.UTF_8)));
            } else if (v.hasL()) {
                out.append(text(v.l()));
            } else if (v.hasM()) {
                out.append(v.m().keySet()).append(text(v.m().values()));
            }
            out.append(' ');
        }
        return out.toString();
    }

    /** Every message in every queue, received with no visibility timeout (left in place), bodies and attributes. */
    private List<String> everyQueuedMessage() {
        List<String> messages = new ArrayList<>();
        for (String queue : sqs.listQueuesPaginator().queueUrls()) {
            for (int round = 0; round < 3; round++) {
                for (Message m : sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)
                        .visibilityTimeout(0).messageAttributeNames("All")).messages()) {
                    messages.add(queue + " " + m.body() + " " + m.messageAttributes());
                }
            }
        }
        return messages;
    }

    /** Everything on the queue, each message deleted once read (a FIFO group releases its next only then). */
    private List<String> receiveAll(String queueUrl) {
        List<String> all = new ArrayList<>();
        for (int emptyReceives = 0, round = 0; emptyReceives < 2 && round < 200; round++) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            emptyReceives = batch.isEmpty() ? emptyReceives + 1 : 0;
            for (Message m : batch) {
                all.add(m.body());
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return all;
    }
}
