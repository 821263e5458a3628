package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.order.OrderCommand.CreateOrder;
import dev.nosqles.lambda.internal.LambdaJson;
import dev.nosqles.aggregate.PseudoEvent;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.subscription.ClaimCheck;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The publisher on the local AWS: events table items in, as the table's stream hands them to the function;
 * SNS FIFO topic -> SQS FIFO queue (raw delivery) out, read back as a consuming service would.
 */
class EventPublisherHandlerTest {
    private static final Set<String> PUBLIC_TYPES = Set.of("Order", "Customer");

    private final DynamoDbClient dynamo = LocalAws.shared().configure(DynamoDbClient.builder())
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    private final SnsClient sns = LocalAws.shared().configure(SnsClient.builder())
            .httpClient(UrlConnectionHttpClient.create()).build();
    private final SqsClient sqs = LocalAws.shared().configure(SqsClient.builder())
            .httpClient(UrlConnectionHttpClient.create()).build();
    private String eventsTable;
    private DynamoDbEventStore store;
    private DynamoDbCheckpointStore checkpoints;
    private String topicArn;
    private String queueUrl;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @BeforeEach
    void resources() {
        eventsTable = unique("pub-events");
        EventTables.createEventsTable(dynamo, eventsTable);
        store = DynamoDbEventStore.builder().client(dynamo).tableName(eventsTable).build();
        String checkpointsTable = unique("pub-checkpoints");
        EventTables.createCheckpointsTable(dynamo, checkpointsTable);
        checkpoints = DynamoDbCheckpointStore.builder().client(dynamo).tableName(checkpointsTable).build();
        topicArn = sns.createTopic(b -> b.name(unique("events") + ".fifo")
                .attributes(Map.of("FifoTopic", "true", "ContentBasedDeduplication", "false"))).topicArn();
        queueUrl = sqs.createQueue(b -> b.queueName(unique("consumer") + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(queueArn)
                .attributes(Map.of("RawMessageDelivery", "true")));
    }

    private EventPublisherHandler publisher() {
        return new EventPublisherHandler(store, checkpoints, sns, topicArn, PUBLIC_TYPES);
    }

    private void append(StreamId stream, long expected, String type, String data) {
        store.append(stream, expected == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(expected),
                List.of(new NewEvent(UUID.randomUUID(), type, 1, data)), EventMetadata.empty());
    }

    /** Every commit item of the events table as an INSERT stream record, in version order per stream. */
    private DynamodbEvent streamRecords() {
        List<Map<String, AttributeValue>> items = new ArrayList<>(dynamo.scan(b -> b.tableName(eventsTable)
                .consistentRead(true)).items());
        items.sort(Comparator.comparing((Map<String, AttributeValue> i) -> i.get("streamId").s())
                .thenComparing(i -> Long.parseLong(i.get("version").n())));
        List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
        for (Map<String, AttributeValue> item : items) {
            DynamodbEvent.DynamodbStreamRecord record = new DynamodbEvent.DynamodbStreamRecord();
            record.setEventName("INSERT");
            StreamRecord change = new StreamRecord();
            change.setSequenceNumber(String.valueOf(records.size() + 1));
            change.setNewImage(lambda(item));
            record.setDynamodb(change);
            records.add(record);
        }
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(records);
        return event;
    }

    private static Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> lambda(
            Map<String, AttributeValue> item) {
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> out = new HashMap<>();
        item.forEach((k, v) -> out.put(k, lambda(v)));
        return out;
    }

    private static com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue lambda(
            AttributeValue v) {
        var out = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        switch (v.type()) {
            case S -> out.setS(v.s());
            case N -> out.setN(v.n());
            case B -> out.setB(v.b().asByteBuffer());
            case BOOL -> out.setBOOL(v.bool());
            case NUL -> out.setNULL(v.nul());
            case M -> out.setM(lambda(v.m()));
            case L -> out.setL(v.l().stream().map(EventPublisherHandlerTest::lambda).toList());
            case SS -> out.setSS(v.ss());
            case NS -> out.setNS(v.ns());
            default -> throw new IllegalArgumentException("unexpected attribute type " + v.type());
        }
        return out;
    }

    private List<Message> received() {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).messageAttributeNames("All").messageSystemAttributeNamesWithStrings("All"))
                    .messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            batch.forEach(m -> sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
        }
    }

    private static JsonNode body(Message m) {
        try {
            return LambdaJson.mapper().readTree(m.body());
        } catch (Exception e) {
            throw new AssertionError("the body is not JSON", e);
        }
    }

    private static void assertSucceeded(StreamsEventResponse response) {
        assertThat(response.getBatchItemFailures()).isEmpty();
    }

    @Test
    void only_the_public_events_of_the_configured_aggregate_types_are_published_never_saga_steps_or_pseudo_events() {
        // given the reference application's history: a customer, an order, the saga it started, a pseudo event
        Application app = new Application(store, SnapshotStore.none(), Clock.systemUTC(), UUID::randomUUID);
        app.customers().create("c-1", new CreateCustomer("Ann", new BigDecimal("100.00")));
        app.orders().create("o-1", new CreateOrder("c-1", new BigDecimal("60.00")));
        StreamId saga = StreamId.of("CreateOrderSaga", "o-1");
        append(saga, 0, "SagaOrchestratorCreated", "{}");
        append(saga, 1, "SagaCommandEvent", "{}");
        append(saga, 2, "SagaOrchestratorUpdated", "{}");
        store.append(StreamId.of("Order", "o-1"), ExpectedVersion.exactly(1),
                List.of(new NewEvent(UUID.randomUUID(), PseudoEvent.TYPE_PREFIX + "MessageProcessed", 1, "{}")), EventMetadata.empty().withMessageId("m-1"));

        // when the publisher gets the whole stream
        assertSucceeded(publisher().handleRequest(streamRecords(), null));

        // then consumers see the two domain events, no saga step, no pseudo event
        List<Message> messages = received();
        assertThat(messages).extracting(m -> body(m).get("type").asText())
                .containsExactlyInAnyOrder("CustomerCreated", "OrderCreated");
        assertThat(messages).allSatisfy(m -> assertThat(m.messageAttributes().get("aggregateType").stringValue())
                .isIn(PUBLIC_TYPES));
        assertThat(checkpoints.position(EventPublisherHandler.SUBSCRIBER, saga)).isZero();
        assertThat(checkpoints.position(EventPublisherHandler.SUBSCRIBER, StreamId.of("Order", "o-1"))).isEqualTo(2);
    }

    @Test
    void the_published_aggregate_types_come_from_the_environment_and_are_required() {
        assertThat(EventPublisherHandler.publishedTypes("Order, Customer")).containsExactlyInAnyOrder("Order",
                "Customer");
        assertThatThrownBy(() -> EventPublisherHandler.publishedTypes(" "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventPublisherHandler.publishedTypes("Order,,Customer"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventPublisherHandler(store, checkpoints, sns, topicArn, Set.of("*")))
                .isInstanceOf(IllegalArgumentException.class);
        Map<String, String> env = Map.of("AWS_REGION", "eu-west-1", "EVENTS_TABLE", "e", "CHECKPOINTS_TABLE", "c",
                "EVENTS_TOPIC_ARN", "arn:aws:sns:eu-west-1:000000000000:events.fifo");
        assertThatThrownBy(() -> new EventPublisherHandler(env::get)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PUBLISHED_AGGREGATE_TYPES");
    }

    @Test
    void a_stream_id_longer_than_a_message_group_id_gets_a_stable_group_of_its_own() {
        // given two streams of the longest ids (193 characters) that differ only at the end, and a short one
        String common = "x".repeat(127);
        StreamId longA = StreamId.of("Order", common + "a");
        StreamId longB = StreamId.of("Order", common + "b");
        StreamId shortId = StreamId.of("Order", "o-2");
        append(longA, 0, "OrderCreated", "{}");
        append(longA, 1, "OrderApproved", "{}");
        append(longB, 0, "OrderCreated", "{}");
        append(shortId, 0, "OrderCreated", "{}");

        assertSucceeded(publisher().handleRequest(streamRecords(), null));

        Map<String, List<Long>> sequencesByGroup = new HashMap<>();
        Map<String, String> subjectByGroup = new HashMap<>();
        for (Message m : received()) {
            String group = m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID);
            assertThat(group).hasSizeLessThanOrEqualTo(128);
            String subject = body(m).get("subject").asText();
            assertThat(group).isEqualTo(EventPublisherHandler.messageGroupId(StreamId.parse(subject)));
            assertThat(subjectByGroup.putIfAbsent(group, subject)).isIn(null, subject);
            sequencesByGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(body(m).get("sequence").asLong());
        }
        assertThat(sequencesByGroup).hasSize(3);
        assertThat(sequencesByGroup.get(EventPublisherHandler.messageGroupId(longA))).containsExactly(1L, 2L);
        assertThat(EventPublisherHandler.messageGroupId(shortId)).isEqualTo("Order-o-2"); // readable when it fits
        assertThat(EventPublisherHandler.messageGroupId(longA)).startsWith("Order-xxx").hasSize(128)
                .isEqualTo(EventPublisherHandler.messageGroupId(StreamId.of("Order", common + "a")))
                .isNotEqualTo(EventPublisherHandler.messageGroupId(longB));
    }

    @Test
    void an_event_too_large_for_sns_is_published_as_a_claim_check_that_resolves_from_the_event_store() {
        // given an event whose envelope exceeds SNS's 256 KB (the commit itself fits a 400 KB item)
        StreamId order = StreamId.of("Order", "big");
        String large = "{\"note\":\"" + "n".repeat(300_000) + "\"}";
        append(order, 0, "OrderCreated", "{\"customerId\":\"c-1\"}");
        append(order, 1, "OrderNoted", large);
        append(order, 2, "OrderApproved", "{}");

        // when it is published: the batch succeeds (before, SNS refused the message on every retry)
        assertSucceeded(publisher().handleRequest(streamRecords(), null));

        // then the large one arrives as a claim check, in its place in the order, and resolves to the stored event
        List<Message> messages = received();
        assertThat(messages).extracting(m -> body(m).get("sequence").asLong()).containsExactly(1L, 2L, 3L);
        Message check = messages.get(1);
        JsonNode envelope = body(check);
        assertThat(envelope.has("data")).isFalse();
        assertThat(envelope.get("claimcheck").asBoolean()).isTrue();
        assertThat(envelope.get("dataref").asText()).isEqualTo("nosqles:Order-big/2");
        assertThat(check.messageAttributes().get(ClaimCheck.ATTRIBUTE).stringValue()).isEqualTo("true");
        assertThat(ClaimCheck.isClaimCheck(check.body())).isTrue();
        RecordedEvent resolved = ClaimCheck.resolve(store, check.body());
        assertThat(resolved.data()).isEqualTo(large);
        assertThat(resolved.eventId().toString()).isEqualTo(envelope.get("id").asText());
        // the small ones carry their data and no flag
        assertThat(ClaimCheck.isClaimCheck(messages.get(0).body())).isFalse();
        assertThat(body(messages.get(0)).get("data").get("customerId").asText()).isEqualTo("c-1");
        assertThat(messages.get(0).messageAttributes()).doesNotContainKey(ClaimCheck.ATTRIBUTE);
    }
}
