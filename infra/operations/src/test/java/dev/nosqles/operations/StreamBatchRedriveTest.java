package dev.nosqles.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.localaws.LocalAws;
import dev.nosqles.operations.RedriveReport.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A stream batch is replayed only when its whole range of sequence numbers was read: a stream that returns empty
 * pages (or ends) before the batch's end leaves the on-failure record in its queue and the function uninvoked.
 */
class StreamBatchRedriveTest {
    private static final LocalAws AWS = LocalAws.shared();
    private static final SqsClient SQS = AWS.configure(SqsClient.builder())
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    private static final String ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";

    private String failures;
    private final List<String> invocations = new ArrayList<>();

    @BeforeEach
    void given_an_on_failure_queue() {
        failures = SQS.createQueue(b -> b.queueName("stream-failures-" + UUID.randomUUID().toString().substring(0, 8)))
                .queueUrl();
    }

    private static String onFailure(String start, String end, int batchSize) {
        return "{\"requestContext\":{\"functionArn\":\"arn:aws:lambda:us-east-1:123456789012:function:projector\","
                + "\"condition\":\"RetryAttemptsExhausted\"},\"timestamp\":\"2026-01-01T00:00:00.000Z\","
                + "\"DDBStreamBatchInfo\":{\"shardId\":\"shard-1\",\"startSequenceNumber\":\"" + start
                + "\",\"endSequenceNumber\":\"" + end + "\",\"batchSize\":" + batchSize + ",\"streamArn\":\"" + ARN
                + "\"}}";
    }

    private static Record record(long seq) {
        return Record.builder().eventID("e-" + seq).eventName(OperationType.INSERT)
                .dynamodb(StreamRecord.builder().sequenceNumber(Long.toString(seq))
                        .keys(Map.of("streamId", AttributeValue.fromS("Thing#1"))).build())
                .build();
    }

    /** A stream whose shard holds the given pages, then empty pages forever (an open shard with nothing new). */
    private static DynamoDbStreamsClient stream(AtomicInteger calls, List<List<Record>> pages) {
        return new DynamoDbStreamsClient() {
            @Override
            public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest request) {
                return GetShardIteratorResponse.builder().shardIterator("0").build();
            }

            @Override
            public GetRecordsResponse getRecords(GetRecordsRequest request) {
                calls.incrementAndGet();
                int i = Integer.parseInt(request.shardIterator());
                List<Record> page = i < pages.size() ? pages.get(i) : List.of();
                return GetRecordsResponse.builder().records(page).nextShardIterator(Integer.toString(i + 1)).build();
            }

            @Override
            public String serviceName() {
                return "streams";
            }

            @Override
            public void close() {
            }
        };
    }

    private LambdaClient function() {
        return new LambdaClient() {
            @Override
            public InvokeResponse invoke(InvokeRequest request) {
                invocations.add(request.payload().asUtf8String());
                return InvokeResponse.builder().statusCode(200).payload(SdkBytes.fromUtf8String("{}")).build();
            }

            @Override
            public String serviceName() {
                return "lambda";
            }

            @Override
            public void close() {
            }
        };
    }

    private DeadLetterQueues dlqs(DynamoDbStreamsClient streams) {
        return DeadLetterQueues.builder().sqs(SQS).streamReplay(streams, function())
                .streamFailures("StreamFailuresQueue", failures).build();
    }

    private List<Message> left() {
        List<Message> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.addAll(SQS.receiveMessage(b -> b.queueUrl(failures).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .visibilityTimeout(30)).messages());
        }
        return all;
    }

    @Test
    void a_batch_whose_end_is_not_reached_before_empty_pages_is_kept_and_its_function_not_invoked() {
        // records 100 and 101 of the batch 100..102 arrive, then the stream returns nothing
        AtomicInteger calls = new AtomicInteger();
        String body = onFailure("100", "102", 3);
        SQS.sendMessage(b -> b.queueUrl(failures).messageBody(body));

        RedriveReport report = dlqs(stream(calls, List.of(List.of(record(100), record(101))))).redrive(
                "StreamFailuresQueue", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.result()).isEqualTo(Result.KEPT);
            assertThat(o.detail()).contains("stream read incomplete");
        });
        assertThat(invocations).as("no partial batch given to the function").isEmpty();
        assertThat(calls.get()).as("the read gave up after its empty pages").isGreaterThan(1);
        assertThat(left()).extracting(Message::body).containsExactly(body);
    }

    @Test
    void a_batch_whose_range_is_read_with_fewer_records_than_it_had_is_kept() {
        // the end record is there but one record in the middle is missing: batchSize says 3, two were read
        AtomicInteger calls = new AtomicInteger();
        String body = onFailure("100", "102", 3);
        SQS.sendMessage(b -> b.queueUrl(failures).messageBody(body));

        RedriveReport report = dlqs(stream(calls, List.of(List.of(record(100)), List.of(), List.of(record(102)))))
                .redrive("StreamFailuresQueue", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o ->
                assertThat(o.result()).isEqualTo(Result.KEPT));
        assertThat(invocations).isEmpty();
        assertThat(left()).extracting(Message::body).containsExactly(body);
    }

    @Test
    void a_batch_read_whole_across_empty_pages_is_replayed_and_deleted() {
        AtomicInteger calls = new AtomicInteger();
        String body = onFailure("100", "102", 3);
        SQS.sendMessage(b -> b.queueUrl(failures).messageBody(body));

        RedriveReport report = dlqs(stream(calls, List.of(List.of(record(100), record(101)), List.of(),
                List.of(record(102), record(103))))).redrive("StreamFailuresQueue", 10);

        assertThat(report.outcomes()).singleElement().satisfies(o ->
                assertThat(o.result()).isEqualTo(Result.REDRIVEN));
        assertThat(invocations).singleElement().satisfies(p -> assertThat(p).contains("\"100\"", "\"101\"",
                "\"102\"").doesNotContain("\"103\""));
        assertThat(left()).isEmpty();
    }
}
