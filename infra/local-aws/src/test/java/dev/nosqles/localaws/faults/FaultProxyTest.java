package dev.nosqles.localaws.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.localaws.LocalAws;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.SnsException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** The fault proxy in front of moto, called through the real SDK clients. */
class FaultProxyTest {
    private static final LocalAws MOTO = LocalAws.shared();

    private FaultProxy proxy;
    private LocalAws aws;
    private DynamoDbClient dynamoDb;
    private String table;

    @BeforeEach
    void start() {
        proxy = FaultProxy.start(MOTO, 42);
        aws = proxy.aws();
        dynamoDb = aws.dynamoDb();
        table = "faults-" + UUID.randomUUID();
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
    }

    @AfterEach
    void stop() {
        dynamoDb.close();
        proxy.close();
    }

    private <B extends AwsClientBuilder<B, C>, C> B noRetries(B builder) {
        return aws.configure(builder).overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    }

    private DynamoDbClient dynamoDbWithoutRetries() {
        return noRetries(DynamoDbClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    private void put(DynamoDbClient client, String id) {
        client.putItem(b -> b.tableName(table).item(Map.of("id", AttributeValue.fromS(id)))
                .conditionExpression("attribute_not_exists(id)"));
    }

    private boolean exists(String id) {
        return MOTO.dynamoDb().getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS(id)))
                .consistentRead(true)).hasItem();
    }

    @Test
    void without_rules_every_call_passes_through_dynamodb_streams_sqs_and_sns_and_nothing_is_injected() {
        put(dynamoDb, "a");
        String streamArn = dynamoDb.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        try (DynamoDbStreamsClient streams = aws.configure(DynamoDbStreamsClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
             SqsClient sqs = aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
             SnsClient sns = aws.configure(SnsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            String shard = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards().getFirst()
                    .shardId();
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            assertThat(streams.getRecords(b -> b.shardIterator(iterator)).records())
                    .extracting(r -> r.dynamodb().newImage().get("id").s()).containsExactly("a");

            String queue = sqs.createQueue(b -> b.queueName("faults-" + UUID.randomUUID())).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody("hello"));
            assertThat(sqs.receiveMessage(b -> b.queueUrl(queue)).messages()).extracting(m -> m.body())
                    .containsExactly("hello");

            String topic = sns.createTopic(b -> b.name("faults-" + UUID.randomUUID())).topicArn();
            assertThat(sns.publish(b -> b.topicArn(topic).message("hi")).messageId()).isNotBlank();
        }

        FaultCounts counts = proxy.counts();
        assertThat(counts.total()).isZero();
        assertThat(counts.requests("dynamodb:PutItem")).isEqualTo(1);
        assertThat(counts.requests("streams:GetRecords")).isEqualTo(1);
        assertThat(counts.requests("sqs:SendMessage")).isEqualTo(1);
        assertThat(counts.requests("sqs:ReceiveMessage")).isEqualTo(1);
        assertThat(counts.requests("sns:Publish")).isEqualTo(1);
    }

    @Test
    void a_lost_response_lets_the_write_take_effect_and_the_sdk_retry_then_fails_its_own_condition() {
        proxy.rules(List.of(FaultRule.lostResponse("dynamodb", "PutItem", 1.0).withBudget(1)));

        assertThatThrownBy(() -> put(dynamoDb, "once")).isInstanceOf(ConditionalCheckFailedException.class);

        assertThat(exists("once")).isTrue();
        assertThat(proxy.counts().count(FaultKind.LOST_RESPONSE, "dynamodb:PutItem")).isEqualTo(1);
        assertThat(proxy.counts().requests("dynamodb:PutItem")).isEqualTo(2);
    }

    @Test
    void a_lost_response_of_a_send_to_a_standard_queue_delivers_the_message_twice() {
        try (SqsClient sqs = aws.configure(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            String queue = sqs.createQueue(b -> b.queueName("faults-" + UUID.randomUUID())).queueUrl();
            proxy.rules(List.of(FaultRule.lostResponse("sqs", "SendMessage", 1.0).withBudget(1)));

            sqs.sendMessage(b -> b.queueUrl(queue).messageBody("pay 10"));

            assertThat(sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10)).messages())
                    .extracting(m -> m.body()).containsExactly("pay 10", "pay 10");
            assertThat(proxy.counts().count(FaultKind.LOST_RESPONSE, "sqs:SendMessage")).isEqualTo(1);
        }
    }

    @Test
    void a_server_error_before_the_write_leaves_nothing_written() {
        proxy.rules(List.of(FaultRule.serverError("dynamodb", "PutItem", 1.0).withBudget(1)));

        try (DynamoDbClient once = dynamoDbWithoutRetries()) {
            assertThatThrownBy(() -> put(once, "never")).isInstanceOfSatisfying(AwsServiceException.class,
                    e -> assertThat(e.statusCode()).isEqualTo(500));
        }

        assertThat(exists("never")).isFalse();
        assertThat(proxy.counts().count(FaultKind.SERVER_ERROR, "dynamodb:PutItem")).isEqualTo(1);
    }

    @Test
    void the_sdk_retries_a_server_error_and_its_second_attempt_writes() {
        proxy.rules(List.of(FaultRule.serverError("dynamodb", "PutItem", 1.0).withBudget(1)));

        put(dynamoDb, "second-attempt");

        assertThat(exists("second-attempt")).isTrue();
        assertThat(proxy.counts().requests("dynamodb:PutItem")).isEqualTo(2);
    }

    @Test
    void throttling_answers_each_service_s_own_throttling_error_and_the_sdk_treats_it_as_throttling() {
        proxy.rules(List.of(
                FaultRule.throttle("dynamodb", "GetItem", 1.0),
                FaultRule.throttle("sqs", "ListQueues", 1.0),
                FaultRule.throttle("sns", "ListTopics", 1.0)));

        try (DynamoDbClient d = dynamoDbWithoutRetries();
             SqsClient sqs = noRetries(SqsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
             SnsClient sns = noRetries(SnsClient.builder()).httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            assertThatThrownBy(() -> d.getItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS("x")))))
                    .isInstanceOfSatisfying(ProvisionedThroughputExceededException.class,
                            e -> assertThat(e.isThrottlingException()).isTrue());
            assertThatThrownBy(sqs::listQueues).isInstanceOfSatisfying(SqsException.class, e -> {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                assertThat(e.isThrottlingException()).isTrue();
            });
            assertThatThrownBy(sns::listTopics).isInstanceOfSatisfying(SnsException.class, e -> {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("Throttling");
                assertThat(e.isThrottlingException()).isTrue();
            });
        }

        FaultCounts counts = proxy.counts();
        assertThat(counts.count(FaultKind.THROTTLE, "dynamodb:GetItem")).isEqualTo(1);
        assertThat(counts.count(FaultKind.THROTTLE, "sqs:ListQueues")).isEqualTo(1);
        assertThat(counts.count(FaultKind.THROTTLE, "sns:ListTopics")).isEqualTo(1);
        assertThat(counts.total(FaultKind.THROTTLE)).isEqualTo(3);
    }

    @Test
    void a_throttled_stream_read_is_refused_with_limit_exceeded() {
        String streamArn = dynamoDb.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        proxy.rules(List.of(FaultRule.throttle("streams", "DescribeStream", 1.0)));
        try (DynamoDbStreamsClient streams = noRetries(DynamoDbStreamsClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            assertThatThrownBy(() -> streams.describeStream(b -> b.streamArn(streamArn)))
                    .isInstanceOfSatisfying(AwsServiceException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("LimitExceededException"));
        }
        assertThat(proxy.counts().count(FaultKind.THROTTLE, "streams:DescribeStream")).isEqualTo(1);
    }

    @Test
    void latency_delays_a_request_which_then_passes() {
        proxy.rules(List.of(FaultRule.latency("dynamodb", "PutItem", 1.0, Duration.ofMillis(50))));

        put(dynamoDb, "late");

        assertThat(exists("late")).isTrue();
        assertThat(proxy.counts().count(FaultKind.LATENCY, "dynamodb:PutItem")).isEqualTo(1);
        assertThat(proxy.counts().total()).isEqualTo(1);
    }

    @Test
    void a_burst_longer_than_the_sdk_s_attempts_fails_the_call_for_its_caller_and_the_budget_ends_it() {
        proxy.rules(List.of(FaultRule.serverError("dynamodb", "PutItem", 1.0).withBurst(3).withBudget(3)));
        try (DynamoDbClient threeAttempts = aws.configure(DynamoDbClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(3).build()))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            assertThatThrownBy(() -> put(threeAttempts, "refused")).isInstanceOf(AwsServiceException.class);
            put(threeAttempts, "budget-spent");
        }
        assertThat(exists("refused")).isFalse();
        assertThat(exists("budget-spent")).isTrue();
        assertThat(proxy.counts().count(FaultKind.SERVER_ERROR, "dynamodb:PutItem")).isEqualTo(3);
    }

    @Test
    void a_rule_with_a_resource_faults_only_requests_that_name_it() {
        FaultRule elsewhere = FaultRule.serverError("dynamodb", "PutItem", 1.0).withResource("another-table");
        FaultRule here = FaultRule.lostResponse("dynamodb", "PutItem", 1.0).withResource(table).withBudget(1);
        proxy.rules(List.of(elsewhere, here));

        assertThatThrownBy(() -> put(dynamoDb, "here")).isInstanceOf(ConditionalCheckFailedException.class);

        assertThat(exists("here")).isTrue();
        assertThat(proxy.counts().count(elsewhere)).isZero();
        assertThat(proxy.counts().count(here)).isEqualTo(1);
        assertThat(proxy.counts().total()).isEqualTo(1);
    }

    @Test
    void the_same_seed_faults_the_same_requests_and_another_seed_others() {
        List<Boolean> first = pattern(7);
        List<Boolean> again = pattern(7);
        List<Boolean> other = pattern(8);

        assertThat(first).contains(true, false);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void a_rule_put_back_after_a_pause_draws_new_numbers_and_the_same_seed_still_replays_the_run() {
        List<List<Boolean>> first = pausedTwice(7);
        List<List<Boolean>> again = pausedTwice(7);

        assertThat(first.get(1)).as("the draws after the pause").isNotEqualTo(first.get(0));
        assertThat(first.get(2)).as("the draws after the second pause").isNotEqualTo(first.get(1))
                .isNotEqualTo(first.get(0));
        assertThat(again).isEqualTo(first);
    }

    @Test
    void a_rule_that_has_not_fired_by_its_first_by_request_faults_that_one_and_then_only_draws() {
        FaultRule never = FaultRule.serverError("dynamodb", "DescribeTable", 0.0).withFirstBy(3);
        proxy.rules(List.of(never));

        try (DynamoDbClient once = dynamoDbWithoutRetries()) {
            assertThat(describe(once, 20)).containsExactly(false, false, true, false, false, false, false, false,
                    false, false, false, false, false, false, false, false, false, false, false, false);
        }
        assertThat(proxy.counts().count(never)).isEqualTo(1);
        assertThatThrownBy(() -> FaultRule.serverError("dynamodb", null, 0.1).withFirstBy(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The 20-call patterns of one 50 % rule put in force three times, with a pause (no rules) between. */
    private List<List<Boolean>> pausedTwice(long seed) {
        List<List<Boolean>> patterns = new ArrayList<>();
        try (FaultProxy seeded = FaultProxy.start(MOTO, seed); DynamoDbClient client = withoutRetries(seeded)) {
            for (int round = 0; round < 3; round++) {
                seeded.rules(List.of(FaultRule.serverError("dynamodb", "DescribeTable", 0.5)));
                patterns.add(describe(client, 20));
                seeded.rules(List.of());
            }
        }
        return patterns;
    }

    /** Which of {@code calls} DescribeTable calls were refused. */
    private List<Boolean> describe(DynamoDbClient client, int calls) {
        List<Boolean> faulted = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            try {
                client.describeTable(b -> b.tableName(table));
                faulted.add(false);
            } catch (AwsServiceException e) {
                faulted.add(true);
            }
        }
        return faulted;
    }

    private static DynamoDbClient withoutRetries(FaultProxy proxy) {
        return proxy.aws().configure(DynamoDbClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** Which of 40 DescribeTable calls were refused under a 50 % server-error rule. */
    private List<Boolean> pattern(long seed) {
        try (FaultProxy seeded = FaultProxy.start(MOTO, seed); DynamoDbClient client = withoutRetries(seeded)) {
            seeded.rules(List.of(FaultRule.serverError("dynamodb", "DescribeTable", 0.5)));
            List<Boolean> faulted = describe(client, 40);
            assertThat(seeded.counts().count(FaultKind.SERVER_ERROR, "dynamodb:DescribeTable"))
                    .isEqualTo(faulted.stream().filter(f -> f).count());
            return faulted;
        }
    }

    @Test
    void requests_are_identified_by_target_action_or_credential_scope() {
        assertThat(AwsOperation.identify(Map.of("X-Amz-Target", "DynamoDB_20120810.PutItem")::get, new byte[0]))
                .isEqualTo(new AwsOperation("dynamodb", "PutItem"));
        assertThat(AwsOperation.identify(Map.of("X-Amz-Target", "DynamoDBStreams_20120810.GetRecords")::get,
                new byte[0])).isEqualTo(new AwsOperation("streams", "GetRecords"));
        assertThat(AwsOperation.identify(Map.of("X-Amz-Target", "AmazonSQS.DeleteMessageBatch")::get, new byte[0]))
                .isEqualTo(new AwsOperation("sqs", "DeleteMessageBatch"));
        assertThat(AwsOperation.identify(Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
                        "Authorization", "AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/sns/aws4_request, "
                                + "SignedHeaders=host, Signature=0")::get,
                "Action=Publish&Version=2010-03-31".getBytes())).isEqualTo(new AwsOperation("sns", "Publish"));
        assertThat(AwsOperation.identify(Map.of("Authorization",
                "AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/lambda/aws4_request")::get, new byte[0]))
                .isEqualTo(new AwsOperation("lambda", ""));
        assertThat(AwsOperation.identify(Map.<String, String>of()::get, new byte[0])).isEqualTo(AwsOperation.NONE);
    }
}
