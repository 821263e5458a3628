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
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sns.model.PublishBatchRequest;
import software.amazon.awssdk.services.sns.model.PublishBatchRequestEntry;
import software.amazon.awssdk.services.sns.model.PublishBatchResponse;
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

    @Test
    void a_stream_batch_of_many_aggregates_goes_out_ten_events_per_request_each_aggregate_in_order() {
        // given 12 orders of two events each (created, approved) and 3 of one, in one stream batch
        for (int i = 1; i <= 15; i++) {
            StreamId order = StreamId.of("Order", "o-" + i);
            append(order, 0, "OrderCreated", "{}");
            if (i <= 12) {
                append(order, 1, "OrderApproved", "{}");
            }
        }
        CountingSns counting = new CountingSns(sns, refuseNothing());

        assertSucceeded(new EventPublisherHandler(store, checkpoints, counting, topicArn, PUBLIC_TYPES)
                .handleRequest(streamRecords(), null));

        // then 27 events in 4 requests: round 1 (15 first events) in 10 + 5, round 2 (12 second ones) in 10 + 2
        assertThat(counting.entriesPerRequest).containsExactly(10, 5, 10, 2);
        Map<String, List<Long>> sequences = sequencesBySubject(received());
        assertThat(sequences).hasSize(15);
        sequences.forEach((subject, seq) -> assertThat(seq).as(subject)
                .isEqualTo(Integer.parseInt(subject.substring("Order-o-".length())) <= 12 ? List.of(1L, 2L)
                        : List.of(1L)));
    }

    @Test
    void an_entry_sns_refuses_fails_only_its_aggregate_and_the_retry_publishes_it_then_what_follows_in_order() {
        // given two orders of three events each; SNS refuses o-a's second event once
        for (String id : List.of("o-a", "o-b")) {
            StreamId order = StreamId.of("Order", id);
            append(order, 0, "OrderCreated", "{}");
            append(order, 1, "OrderNoted", "{}");
            append(order, 2, "OrderApproved", "{}");
        }
        AtomicInteger refusals = new AtomicInteger(1);
        CountingSns refusing = new CountingSns(sns, entry -> entry.message().contains("\"subject\":\"Order-o-a\"")
                && entry.message().contains("\"sequence\":2") && refusals.getAndDecrement() > 0);
        EventPublisherHandler publisher = new EventPublisherHandler(store, checkpoints, refusing, topicArn,
                PUBLIC_TYPES);
        DynamodbEvent batch = streamRecords();

        StreamsEventResponse first = publisher.handleRequest(batch, null);

        // then the batch fails at o-a's second record; o-b went on; o-a's third event was not published before it
        assertThat(first.getBatchItemFailures()).hasSize(1);
        String failedAt = first.getBatchItemFailures().get(0).getItemIdentifier();
        DynamodbEvent.DynamodbStreamRecord failedRecord = batch.getRecords().stream()
                .filter(r -> r.getDynamodb().getSequenceNumber().equals(failedAt)).findFirst().orElseThrow();
        assertThat(failedRecord.getDynamodb().getNewImage().get("streamId").getS()).isEqualTo("Order-o-a");
        assertThat(failedRecord.getDynamodb().getNewImage().get("version").getN()).isEqualTo("2");
        assertThat(sequencesBySubject(received())).containsExactlyInAnyOrderEntriesOf(
                Map.of("Order-o-a", List.of(1L), "Order-o-b", List.of(1L, 2L, 3L)));
        assertThat(checkpoints.position(EventPublisherHandler.SUBSCRIBER, StreamId.of("Order", "o-a"))).isEqualTo(1);

        // when Lambda retries from the failed record (o-b's records after it come again)
        assertSucceeded(publisher.handleRequest(from(batch, failedAt), null));

        // then o-a's second and third events follow, and o-b's are not published twice
        assertThat(sequencesBySubject(received())).containsExactlyInAnyOrderEntriesOf(
                Map.of("Order-o-a", List.of(2L, 3L)));
        assertThat(checkpoints.position(EventPublisherHandler.SUBSCRIBER, StreamId.of("Order", "o-a"))).isEqualTo(3);
    }

    @Test
    void a_batch_published_whose_answer_is_lost_is_published_again_with_the_same_deduplication_ids() {
        // given an order of two events; the answer to the first PublishBatch is lost after SNS took it
        StreamId order = StreamId.of("Order", "o-lost");
        append(order, 0, "OrderCreated", "{}");
        append(order, 1, "OrderApproved", "{}");
        List<List<String>> dedupIds = new ArrayList<>();
        AtomicInteger losses = new AtomicInteger(1);
        SnsClient losing = new SnsClient() {
            @Override
            public PublishBatchResponse publishBatch(PublishBatchRequest request) {
                dedupIds.add(request.publishBatchRequestEntries().stream()
                        .map(PublishBatchRequestEntry::messageDeduplicationId).toList());
                PublishBatchResponse response = sns.publishBatch(request);
                if (losses.getAndDecrement() > 0) {
                    throw SdkClientException.create("injected: the connection dropped before the answer");
                }
                return response;
            }

            @Override
            public String serviceName() {
                return SnsClient.SERVICE_NAME;
            }

            @Override
            public void close() {
            }
        };
        EventPublisherHandler publisher = new EventPublisherHandler(store, checkpoints, losing, topicArn,
                PUBLIC_TYPES);
        DynamodbEvent batch = streamRecords();

        StreamsEventResponse first = publisher.handleRequest(batch, null);
        assertThat(first.getBatchItemFailures()).hasSize(1);
        assertSucceeded(publisher.handleRequest(from(batch, first.getBatchItemFailures().get(0).getItemIdentifier()),
                null));

        // then version 1 went out twice under one deduplication id (SNS FIFO drops the second within 5 minutes;
        // a consumer keeps the envelope id), version 2 once, after it
        List<String> ids = store.read(order, dev.nosqles.store.ReadRequest.from(1)).events().stream()
                .map(e -> e.eventId().toString()).toList();
        assertThat(dedupIds).containsExactly(List.of(ids.get(0)), List.of(ids.get(0)), List.of(ids.get(1)));
        List<Message> messages = received();
        assertThat(messages.stream().map(m -> body(m).get("id").asText()).distinct().toList())
                .containsExactly(ids.get(0), ids.get(1));
    }

    @Test
    void an_event_that_cannot_be_published_fails_only_its_aggregate_the_rest_of_its_round_goes_out() {
        // given twelve orders, one of whose stream records holds data that is not JSON (damaged on its way)
        for (int i = 1; i <= 12; i++) {
            append(StreamId.of("Order", "o-" + i), 0, "OrderCreated", "{}");
        }
        DynamodbEvent batch = streamRecords();
        batch.getRecords().stream().map(r -> r.getDynamodb().getNewImage())
                .filter(image -> image.get("streamId").getS().equals("Order-o-11"))
                .forEach(image -> image.get("events").getL().get(0).getM().get("data").setS("not json"));
        CountingSns counting = new CountingSns(sns, refuseNothing());

        StreamsEventResponse response = new EventPublisherHandler(store, checkpoints, counting, topicArn,
                PUBLIC_TYPES).handleRequest(batch, null);

        // then the batch fails at that order's record only; the eleven others were published and checkpointed
        assertThat(response.getBatchItemFailures()).hasSize(1);
        assertThat(sequencesBySubject(received())).hasSize(11).doesNotContainKey("Order-o-11");
        assertThat(counting.entriesPerRequest).containsExactly(10, 1);
        assertThat(checkpoints.position(EventPublisherHandler.SUBSCRIBER, StreamId.of("Order", "o-12"))).isEqualTo(1);
        assertThat(checkpoints.position(EventPublisherHandler.SUBSCRIBER, StreamId.of("Order", "o-11"))).isZero();
    }

    /** Which entries SNS refuses, as an SNS FIFO topic would under a fault of its own. */
    private static java.util.function.Predicate<PublishBatchRequestEntry> refuseNothing() {
        return entry -> false;
    }

    /**
     * SNS, counting the entries of each PublishBatch; an entry {@code refuse} picks is not published and comes back
     * failed (code InternalError), as SNS answers an entry it could not take.
     */
    private static final class CountingSns implements SnsClient {
        final List<Integer> entriesPerRequest = new ArrayList<>();
        private final SnsClient delegate;
        private final java.util.function.Predicate<PublishBatchRequestEntry> refuse;

        CountingSns(SnsClient delegate, java.util.function.Predicate<PublishBatchRequestEntry> refuse) {
            this.delegate = delegate;
            this.refuse = refuse;
        }

        @Override
        public PublishBatchResponse publishBatch(PublishBatchRequest request) {
            entriesPerRequest.add(request.publishBatchRequestEntries().size());
            List<PublishBatchRequestEntry> taken = new ArrayList<>();
            List<BatchResultErrorEntry> refused = new ArrayList<>();
            for (PublishBatchRequestEntry entry : request.publishBatchRequestEntries()) {
                if (refuse.test(entry)) {
                    refused.add(BatchResultErrorEntry.builder().id(entry.id()).code("InternalError")
                            .senderFault(false).build());
                } else {
                    taken.add(entry);
                }
            }
            PublishBatchResponse response = taken.isEmpty() ? PublishBatchResponse.builder().build()
                    : delegate.publishBatch(request.toBuilder().publishBatchRequestEntries(taken).build());
            return response.toBuilder().failed(refused).build();
        }

        @Override
        public String serviceName() {
            return SnsClient.SERVICE_NAME;
        }

        @Override
        public void close() {
        }
    }

    /** The batch's records from the one with this sequence number on: what Lambda hands over on a retry. */
    private static DynamodbEvent from(DynamodbEvent batch, String sequenceNumber) {
        List<DynamodbEvent.DynamodbStreamRecord> all = batch.getRecords();
        int at = 0;
        while (!all.get(at).getDynamodb().getSequenceNumber().equals(sequenceNumber)) {
            at++;
        }
        DynamodbEvent retry = new DynamodbEvent();
        retry.setRecords(new ArrayList<>(all.subList(at, all.size())));
        return retry;
    }

    /** The sequences received per subject (stream id), in the order received. */
    private static Map<String, List<Long>> sequencesBySubject(List<Message> messages) {
        Map<String, List<Long>> bySubject = new HashMap<>();
        for (Message m : messages) {
            bySubject.computeIfAbsent(body(m).get("subject").asText(), k -> new ArrayList<>())
                    .add(body(m).get("sequence").asLong());
        }
        return bySubject;
    }
}
