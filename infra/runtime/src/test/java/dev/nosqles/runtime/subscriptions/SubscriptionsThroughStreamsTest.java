package dev.nosqles.runtime.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.runtime.TestJson;
import dev.nosqles.lambda.EventPublisherHandler;
import dev.nosqles.lambda.StreamSubscriptionHandler;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.esm.DynamoDbStreamPoller;
import dev.nosqles.runtime.esm.EsmClients;
import dev.nosqles.runtime.esm.StreamMapping;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.subscription.Subscriber;
import dev.nosqles.testsupport.BankAccount;
import dev.nosqles.testsupport.TestTables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Subscriptions on the real path: events table -> DynamoDB Streams -> local event-source mapping ->
 * {@link StreamSubscriptionHandler} -> subscribers, checkpoints and effects in DynamoDB, all on moto.
 */
class SubscriptionsThroughStreamsTest {
    private final EsmClients clients = EsmClients.on(LocalAws.shared());
    private String eventsTable;
    private DynamoDbEventStore store;
    private DynamoDbCheckpointStore checkpoints;
    private String effectsTable;
    private AggregateRepository<BankAccount.State, BankAccount.Command, BankAccount.Event> accounts;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @BeforeEach
    void tables() {
        eventsTable = TestTables.newEventsTable(clients.dynamoDb(), "subs");
        store = DynamoDbEventStore.builder().client(clients.dynamoDb()).tableName(eventsTable).build();
        String checkpointsTable = unique("subs-checkpoints");
        DynamoDbCheckpointStore.createTable(clients.dynamoDb(), checkpointsTable);
        checkpoints = DynamoDbCheckpointStore.builder().client(clients.dynamoDb()).tableName(checkpointsTable).build();
        effectsTable = TestTables.newSnapshotsTable(clients.dynamoDb(), "subs-effects");
        accounts = AggregateRepository.builder(new BankAccount()).eventStore(store).build();
    }

    private void history(String id) {
        accounts.create(id, new BankAccount.Open(id));
        accounts.update(id, new BankAccount.Deposit(10));
        accounts.update(id, new BankAccount.DepositTwice(1, 2));
        accounts.update(id, new BankAccount.Noop(), EventMetadata.empty().withMessageId("noop-" + id));
    }

    private DynamoDbStreamPoller poller(StreamMapping mapping, RequestHandler<DynamodbEvent, ?> handler,
                                        String esmCheckpoints) {
        return new DynamoDbStreamPoller(mapping, handler, clients, esmCheckpoints);
    }

    private StreamMapping mapping(String id) {
        return StreamMapping.defaults(id, "fn-" + id, eventsTable).withReportBatchItemFailures(true).withBatchSize(4);
    }

    private TransactWriteItem countEffect(String key, UUID eventId) {
        return TransactWriteItem.builder().update(Update.builder().tableName(effectsTable)
                .key(Map.of("streamId", AttributeValue.fromS(key)))
                .updateExpression("ADD #n :one, #ids :id")
                .expressionAttributeNames(Map.of("#n", "count", "#ids", "eventIds"))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                        ":id", AttributeValue.fromSs(List.of(eventId.toString()))))
                .build()).build();
    }

    private long effectCount(String key) {
        Map<String, AttributeValue> item = clients.dynamoDb().getItem(b -> b.tableName(effectsTable)
                .consistentRead(true).key(Map.of("streamId", AttributeValue.fromS(key)))).item();
        return item == null || item.isEmpty() ? 0 : Long.parseLong(item.get("count").n());
    }

    @Test
    void the_publisher_sends_every_domain_event_once_to_the_fifo_topic_even_when_the_stream_is_replayed()
            throws Exception {
        SnsClient sns = LocalAws.shared().configure(SnsClient.builder()).build();
        String topicArn = sns.createTopic(b -> b.name(unique("events") + ".fifo")
                .attributes(Map.of("FifoTopic", "true", "ContentBasedDeduplication", "false"))).topicArn();
        String queueUrl = clients.sqs().createQueue(b -> b.queueName(unique("consumer") + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String queueArn = clients.sqs().getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(queueArn)
                .attributes(Map.of("RawMessageDelivery", "true")));
        history("pub-a");
        history("pub-b");
        EventPublisherHandler publisher = new EventPublisherHandler(store, checkpoints, sns, topicArn,
                java.util.Set.of("Account"));

        poller(mapping("publish-1"), publisher, unique("esm")).drainUntilIdle();
        // the whole stream again from TRIM_HORIZON (a new mapping): every record is a duplicate now
        poller(mapping("publish-2"), publisher, unique("esm")).drainUntilIdle();

        List<Message> messages = receiveAll(queueUrl);
        assertThat(messages).hasSize(8); // 4 domain events per account; the pseudo events are not published
        Map<String, List<Long>> sequenceByGroup = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (Message m : messages) {
            JsonNode body = TestJson.mapper().readTree(m.body());
            assertThat(body.get("specversion").asText()).isEqualTo("1.0");
            assertThat(body.get("data").isObject()).isTrue();
            assertThat(m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo(body.get("subject").asText());
            ids.add(body.get("id").asText());
            sequenceByGroup.computeIfAbsent(body.get("subject").asText(), k -> new ArrayList<>())
                    .add(body.get("sequence").asLong());
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(sequenceByGroup).containsOnlyKeys("Account-pub-a", "Account-pub-b")
                .allSatisfy((group, seq) -> assertThat(seq).containsExactly(1L, 2L, 3L, 4L));
    }

    private List<Message> receiveAll(String queueUrl) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = clients.sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).messageSystemAttributeNamesWithStrings("All")).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            batch.forEach(m -> clients.sqs().deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
        }
    }

    @Test
    void a_record_that_keeps_failing_goes_to_the_failure_queue_and_the_other_aggregates_keep_flowing() {
        String failureQueue = clients.sqs().createQueue(b -> b.queueName(unique("on-failure"))).queueUrl();
        accounts.create("ok-1", new BankAccount.Open("a"));
        accounts.create("poison", new BankAccount.Open("p"));
        accounts.update("ok-1", new BankAccount.Deposit(1));
        accounts.update("poison", new BankAccount.Deposit(13)); // the handler cannot take this one
        accounts.create("ok-2", new BankAccount.Open("b"));
        accounts.update("ok-2", new BankAccount.Deposit(2));
        List<String> handled = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder("fragile").on(new BankAccount(), (event, ctx) -> {
            if (event.event() instanceof BankAccount.Deposited d && d.amount() == 13) {
                throw new IllegalStateException("cannot handle");
            }
            handled.add(event.streamId().id() + "@" + event.version());
        }).build();
        var handler = new StreamSubscriptionHandler(new EventDispatcher(List.of(subscriber), checkpoints, store));

        // bisect on error isolates the poison record, so the records behind it are not given up with it
        poller(mapping("fragile").withBatchSize(10).withMaxRetryAttempts(2).withBisectOnError(true)
                        .withOnFailureQueueUrl(failureQueue),
                handler, unique("esm")).drainUntilIdle();

        assertThat(handled).containsExactlyInAnyOrder("ok-1@1", "poison@1", "ok-1@2", "ok-2@1", "ok-2@2");
        assertThat(handled).doesNotHaveDuplicates();
        List<Message> failures = receiveAll(failureQueue);
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).body()).contains("RetryAttemptsExhausted").contains("DDBStreamBatchInfo")
                .doesNotContain("\"amount\"");
    }

    @Test
    void a_poller_that_dies_mid_batch_and_restarts_loses_no_event_and_duplicates_no_effect() {
        history("crash-a");
        history("crash-b");
        Subscriber counting = Subscriber.builder("counting").on(new BankAccount(), (event, ctx) ->
                ctx.writeWithCheckpoint(countEffect(event.streamId().value(), event.eventId()))).build();
        StreamSubscriptionHandler real = new StreamSubscriptionHandler(
                new EventDispatcher(List.of(counting), checkpoints, store));
        CountDownLatch hung = new CountDownLatch(1);
        AtomicBoolean crashed = new AtomicBoolean();
        // the first invocation handles half its batch, then hangs until the poller is stopped: work done,
        // nothing reported back, so the batch is delivered again
        RequestHandler<DynamodbEvent, StreamsEventResponse> dying = (event, context) -> {
            if (crashed.compareAndSet(false, true)) {
                DynamodbEvent half = new DynamodbEvent();
                half.setRecords(event.getRecords().subList(0, event.getRecords().size() / 2));
                real.handleRequest(half, context);
                hung.countDown();
                try {
                    Thread.sleep(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the function died");
            }
            return real.handleRequest(event, context);
        };
        String esmCheckpoints = unique("esm");
        StreamMapping mapping = mapping("crash").withBatchSize(6);

        DynamoDbStreamPoller first = poller(mapping, dying, esmCheckpoints);
        first.start();
        await(hung);
        assertThat(first.stop(Duration.ofMillis(200))).isFalse(); // abandoned mid-batch
        poller(mapping, real, esmCheckpoints).drainUntilIdle();

        assertThat(effectCount("Account-crash-a")).isEqualTo(4);
        assertThat(effectCount("Account-crash-b")).isEqualTo(4);
        assertThat(checkpoints.position("counting", dev.nosqles.store.StreamId.of("Account", "crash-b"))).isEqualTo(5);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("first invocation ran").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
