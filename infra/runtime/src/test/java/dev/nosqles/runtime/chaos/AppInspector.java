package dev.nosqles.runtime.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.app.Application;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.app.order.OrderStatus;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.app.saga.CreateOrderSagaData;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalResources;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Looks at the application's tables and queues straight on the local AWS (never through the fault proxy): what
 * happened, whatever the clients were told. Also acts on the queues as an operator would (a DLQ redrive) and as a
 * function that keeps timing out would (receiving a command until SQS moves it to its DLQ).
 */
final class AppInspector implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalResources resources;
    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final SnsClient sns;
    private final Application app;
    private final SagaManager<CreateOrderSagaData> sagas;
    private final String eventsTable;
    private String subscriberQueue;

    AppInspector(LocalAws aws, LocalResources resources) {
        this.resources = resources;
        this.dynamoDb = aws.dynamoDb();
        this.sqs = aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.sns = aws.configure(SnsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.eventsTable = resources.tableName("EventsTable");
        this.app = Application.onDynamoDb(dynamoDb, eventsTable, resources.tableName("SnapshotsTable"),
                dev.nosqles.runtime.RuntimeKeys.of(aws, resources));
        // a reader: only find is used, it sends nothing
        this.sagas = SagaManager.builder(CreateOrderSaga.definition())
                .eventStore(DynamoDbEventStore.builder().client(dynamoDb).tableName(eventsTable).build())
                .sender(new SagaMessageSender() {
                    @Override
                    public void send(SagaMessage.CommandMessage command) {
                        throw new AssertionError("the inspector sends nothing");
                    }

                    @Override
                    public void send(SagaMessage.ReplyMessage reply) {
                        throw new AssertionError("the inspector sends nothing");
                    }

                    @Override
                    public void schedule(SagaMessage.DeadlineMessage deadline, java.time.Duration delay) {
                        throw new AssertionError("the inspector sends nothing");
                    }
                }).build();
    }

    Application app() {
        return app;
    }

    // ---- the events table ----

    /** Every commit item of the events table (consistent scan). */
    List<Map<String, AttributeValue>> commits() {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamoDb.scanPaginator(b -> b.tableName(eventsTable).consistentRead(true)).items().forEach(items::add);
        return items;
    }

    /** The ids of the aggregates of a type with at least one commit: {@code Order-42} -> {@code 42}. */
    static List<String> ids(List<Map<String, AttributeValue>> commits, String type) {
        return commits.stream().map(c -> c.get("streamId").s()).filter(s -> s.startsWith(type + "-"))
                .map(s -> s.substring(type.length() + 1)).distinct().sorted().toList();
    }

    OrderStatus status(String orderId) {
        return app.orders().get(orderId).state().status();
    }

    CustomerState customer(String customerId) {
        return app.customers().get(customerId).state();
    }

    /** order id -> the ids of the CreateOrderSagas started for it. */
    Map<String, List<String>> sagasByOrder(List<Map<String, AttributeValue>> commits) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String sagaId : ids(commits, CreateOrderSaga.TYPE)) {
            String orderId = sagas.find(sagaId).orElseThrow().data().orderId();
            out.computeIfAbsent(orderId, k -> new ArrayList<>()).add(sagaId);
        }
        return out;
    }

    // ---- queues ----

    /** Messages visible, in flight and delayed. */
    int depth(String queueLogicalId) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(resources.queueUrl(queueLogicalId))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return a.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /** Messages visible or in flight (not the delayed ones). */
    int inFlightOrVisible(String queueLogicalId) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(resources.queueUrl(queueLogicalId))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return a.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /** Messages visible now. */
    int visible(String queueLogicalId) {
        return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(resources.queueUrl(queueLogicalId))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    /**
     * Receives the visible messages of a queue again and again without deleting them (visibility timeout 0), as a
     * function that keeps failing would, until SQS moves them to the dead-letter queue or {@code window} has
     * passed. Returns how many arrived in the DLQ.
     */
    int driveToDeadLetterQueue(String queueLogicalId, String dlqLogicalId, Duration window) {
        String url = resources.queueUrl(queueLogicalId);
        int before = depth(dlqLogicalId);
        Instant end = Instant.now().plus(window);
        while (Instant.now().isBefore(end)) {
            sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).visibilityTimeout(0).waitTimeSeconds(0));
        }
        return depth(dlqLogicalId) - before;
    }

    /**
     * An operator's DLQ redrive: every message of the DLQ sent back to its source queue (a new SQS message id,
     * sent timestamp and, on FIFO, deduplication id; the same body, attributes and message group), then deleted
     * from the DLQ. Returns the number of messages moved.
     */
    int redrive(String dlqLogicalId, String queueLogicalId) {
        String dlq = resources.queueUrl(dlqLogicalId);
        String queue = resources.queueUrl(queueLogicalId);
        boolean fifo = queue.endsWith(".fifo");
        int moved = 0;
        for (int empty = 0; empty < 2; ) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .visibilityTimeout(30).messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            empty = batch.isEmpty() ? empty + 1 : 0;
            for (Message m : batch) {
                sqs.sendMessage(b -> {
                    b.queueUrl(queue).messageBody(m.body()).messageAttributes(m.messageAttributes());
                    if (fifo) {
                        b.messageGroupId(m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                                .messageDeduplicationId("redrive-" + UUID.randomUUID());
                    }
                });
                sqs.deleteMessage(b -> b.queueUrl(dlq).receiptHandle(m.receiptHandle()));
                moved++;
            }
        }
        return moved;
    }

    // ---- the integration events ----

    /** A FIFO queue of our own subscribed (raw) to the events topic, before anything is published. */
    void subscribeToEventsTopic() {
        subscriberQueue = sqs.createQueue(b -> b.queueName(resources.stackName() + "-chaos-subscriber.fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(subscriberQueue).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(resources.topicArn("EventsTopic")).protocol("sqs").endpoint(arn)
                .attributes(Map.of("RawMessageDelivery", "true")));
    }

    /** Everything the subscribed queue received (CloudEvents), each deleted once read. */
    List<JsonNode> published() {
        List<JsonNode> all = new ArrayList<>();
        for (int empty = 0, round = 0; empty < 2 && round < 10_000; round++) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(subscriberQueue).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            empty = batch.isEmpty() ? empty + 1 : 0;
            List<DeleteMessageBatchRequestEntry> read = new ArrayList<>();
            for (Message m : batch) {
                try {
                    all.add(JSON.readTree(m.body()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                read.add(DeleteMessageBatchRequestEntry.builder().id(String.valueOf(read.size()))
                        .receiptHandle(m.receiptHandle()).build());
            }
            if (!read.isEmpty()) {
                sqs.deleteMessageBatch(b -> b.queueUrl(subscriberQueue).entries(read));
            }
        }
        return all;
    }

    /** The message id ({@code meta.msg}) of a commit, if it has one. */
    static Optional<String> messageId(Map<String, AttributeValue> commit) {
        AttributeValue meta = commit.get("meta");
        if (meta == null || !meta.hasM() || !meta.m().containsKey("msg")) {
            return Optional.empty();
        }
        return Optional.of(meta.m().get("msg").s());
    }

    /** The event ids of a commit, in order. */
    static List<String> eventIds(Map<String, AttributeValue> commit) {
        return events(commit).stream().map(StoredEvent::id).toList();
    }

    /** An event as stored in a commit. */
    record StoredEvent(String id, String type) {
        /** A pseudo event records a message that produced no event (never published). */
        boolean pseudo() {
            return type.startsWith("nosqles.");
        }
    }

    /** The events of a commit, in order. */
    static List<StoredEvent> events(Map<String, AttributeValue> commit) {
        List<StoredEvent> out = new ArrayList<>();
        AttributeValue events = commit.get("events");
        if (events != null && events.hasL()) {
            for (AttributeValue e : events.l()) {
                out.add(new StoredEvent(e.m().get("id").s(), e.m().get("type").s()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        sqs.close();
        sns.close();
        dynamoDb.close();
    }
}
