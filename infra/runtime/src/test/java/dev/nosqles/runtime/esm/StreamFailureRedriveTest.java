package dev.nosqles.runtime.esm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.lambda.StreamSubscriptionHandler;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.operations.DeadLetter;
import dev.nosqles.operations.DeadLetterQueues;
import dev.nosqles.operations.RedriveReport;
import dev.nosqles.operations.RedriveReport.Result;
import dev.nosqles.runtime.LambdaInvokeApi;
import dev.nosqles.runtime.http.LocalApiServer;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.subscription.Subscriber;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A stream batch a function gave up on (its on-failure record in the queue) is replayed by the redrive: the
 * records read again from the table's stream and the function invoked with them through the local Lambda Invoke
 * API. Each subscriber handles each event exactly once, however often the batch is redriven.
 */
class StreamFailureRedriveTest {
    private static final EsmFixture fx = new EsmFixture();
    private String table;
    private DynamoDbEventStore store;
    private final List<String> counted = Collections.synchronizedList(new ArrayList<>());
    private final List<String> audited = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean broken = true;
    private StreamSubscriptionHandler function;
    private LocalApiServer server;
    private LambdaClient lambda;

    @BeforeEach
    void given_a_stream_function_with_two_subscribers_one_of_which_fails_on_version_3() {
        table = fx.newEventsTable("redrive");
        String checkpoints = EsmFixture.unique("redrive-checkpoints");
        DynamoDbCheckpointStore.createTable(fx.clients.dynamoDb(), checkpoints);
        store = DynamoDbEventStore.builder().client(fx.clients.dynamoDb()).tableName(table).build();
        Subscriber counter = Subscriber.builder("counter").onRaw("Thing", (event, ctx) -> {
            if (broken && event.version() == 3) {
                throw new IllegalStateException("cannot count version 3");
            }
            counted.add(event.eventId().toString());
        }).build();
        Subscriber auditor = Subscriber.builder("auditor").onRaw("Thing",
                (event, ctx) -> audited.add(event.eventId().toString())).build();
        function = new StreamSubscriptionHandler(new EventDispatcher(List.of(counter, auditor),
                DynamoDbCheckpointStore.builder().client(fx.clients.dynamoDb()).tableName(checkpoints).build(), store));
    }

    @AfterEach
    void stop() {
        if (lambda != null) {
            lambda.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private DeadLetterQueues failuresQueue(String queueUrl) throws Exception {
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(
                new LambdaInvokeApi(List.of(new LambdaInvokeApi.Function("projector",
                        (event, context) -> function.handleRequest(event, context), Duration.ofSeconds(30))),
                        fx.clients.region(), Clock.systemUTC()).route()));
        lambda = LocalAws.shared().configure(LambdaClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(server.baseUri()).build();
        return DeadLetterQueues.builder().sqs(fx.clients.sqs()).streamFailures("StreamFailuresQueue", queueUrl)
                .streamReplay(fx.clients.streams(), lambda).build();
    }

    @Test
    void a_redriven_batch_is_handled_once_by_each_subscriber_and_a_second_redrive_changes_nothing()
            throws Exception {
        String failureQueue = fx.newQueue("redrive-onfailure", java.util.Map.of());
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(
                StreamMapping.defaults(EsmFixture.unique("redrive"), "projector", table)
                        .withStartingPosition(StartingPosition.LATEST).withBatchSize(10)
                        .withReportBatchItemFailures(true).withMaxRetryAttempts(1)
                        .withOnFailureQueueUrl(failureQueue), function, fx.clients,
                EsmFixture.unique("esm-checkpoints"));
        poller.pollOnce();
        StreamId thing = StreamId.of("Thing", "1");
        List<String> ids = new ArrayList<>();
        for (int v = 0; v < 5; v++) {
            UUID id = UUID.randomUUID();
            ids.add(id.toString());
            store.append(thing, ExpectedVersion.exactly(v), List.of(new NewEvent(id, "Happened", 1, "{}")),
                    EventMetadata.empty());
        }
        poller.drainUntilIdle();
        assertThat(counted).as("the counter stopped at version 3").containsExactly(ids.get(0), ids.get(1));
        DeadLetterQueues dlq = failuresQueue(failureQueue);
        List<DeadLetter> shown = dlq.show("StreamFailuresQueue", 10);
        assertThat(shown).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo("stream-batch");
            assertThat(d.target()).isEqualTo("projector");
            assertThat(d.batch().shardId()).isNotBlank();
            assertThat(d.batch().streamArn()).isEqualTo(poller.streamArn());
        });
        String record = fx.takeAll(failureQueue).getFirst().body();
        fx.clients.sqs().sendMessage(b -> b.queueUrl(failureQueue).messageBody(record));

        // while the bug is still there the batch fails again and the record stays
        RedriveReport failing = dlq.redrive("StreamFailuresQueue", 10);
        assertThat(failing.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.KEPT);
            assertThat(o.detail()).contains("projector");
        });
        assertThat(fx.messagesIn(failureQueue)).isEqualTo(1);

        broken = false; // the fix is deployed
        RedriveReport report = dlq.redrive("StreamFailuresQueue", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o -> assertThat(o.result())
                .isEqualTo(Result.REDRIVEN));
        assertThat(fx.messagesIn(failureQueue)).isZero();
        assertThat(counted).containsExactlyElementsOf(ids);
        assertThat(audited).containsExactlyInAnyOrderElementsOf(ids);

        // the same record once more (a second copy, an operator's second redrive): nothing is handled twice
        fx.clients.sqs().sendMessage(b -> b.queueUrl(failureQueue).messageBody(record));
        RedriveReport again = dlq.redrive("StreamFailuresQueue", 10);
        assertThat(again.outcomes()).singleElement().satisfies(o -> assertThat(o.result())
                .isEqualTo(Result.REDRIVEN));
        assertThat(counted).containsExactlyElementsOf(ids);
        assertThat(audited).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void a_batch_whose_records_are_no_longer_in_the_stream_is_kept_and_said_so() throws Exception {
        String failureQueue = fx.newQueue("redrive-gone", java.util.Map.of());
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(
                StreamMapping.defaults(EsmFixture.unique("redrive-gone"), "projector", table)
                        .withStartingPosition(StartingPosition.LATEST), function, fx.clients,
                EsmFixture.unique("esm-checkpoints"));
        broken = false;
        poller.pollOnce();
        store.append(StreamId.of("Thing", "2"), ExpectedVersion.noStream(),
                List.of(new NewEvent(UUID.randomUUID(), "Happened", 1, "{}")), EventMetadata.empty());
        poller.drainUntilIdle();
        String shard = fx.clients.streams().describeStream(b -> b.streamArn(poller.streamArn()))
                .streamDescription().shards().getFirst().shardId();
        // sequence numbers beyond anything the stream holds: what a record past the 24-hour retention looks like
        String body = "{\"requestContext\":{\"functionArn\":\"arn:aws:lambda:us-east-1:123456789012:function:"
                + "projector\",\"condition\":\"RetryAttemptsExhausted\"},\"timestamp\":\"2026-01-01T00:00:00.000Z\","
                + "\"DDBStreamBatchInfo\":{\"shardId\":\"" + shard + "\",\"startSequenceNumber\":\"9" + "0".repeat(30)
                + "\",\"endSequenceNumber\":\"9" + "0".repeat(29) + "1\",\"batchSize\":2,\"streamArn\":\""
                + poller.streamArn() + "\"}}";
        fx.clients.sqs().sendMessage(b -> b.queueUrl(failureQueue).messageBody(body));
        DeadLetterQueues dlq = failuresQueue(failureQueue);

        RedriveReport report = dlq.redrive("StreamFailuresQueue", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.KEPT);
            assertThat(o.detail()).contains("left the stream");
        });
        List<Message> still = fx.takeAll(failureQueue);
        assertThat(still).extracting(Message::body).containsExactly(body);
    }
}
