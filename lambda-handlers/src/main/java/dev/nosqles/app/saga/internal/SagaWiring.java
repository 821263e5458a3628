package dev.nosqles.app.saga.internal;

import dev.nosqles.app.Application;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.lambda.saga.SqsSagaMessageSender;
import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.subscription.CheckpointStore;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What the saga functions share, read from the environment: EVENTS_TABLE, SNAPSHOTS_TABLE, CHECKPOINTS_TABLE
 * (stream function only), CUSTOMER_COMMANDS_QUEUE_URL, ORDER_COMMANDS_QUEUE_URL, SAGA_REPLIES_QUEUE_URL,
 * SAGA_DEADLINES_TABLE (the orchestrators' functions and the sweeper), AWS_REGION. Not part of the public API.
 *
 * @param deadlines the saga deadline index, or null where SAGA_DEADLINES_TABLE is not set (participants)
 * @param dynamoDb the client the stores use
 */
public record SagaWiring(EventStore events, SnapshotStore snapshots, CheckpointStore checkpoints,
                         SagaMessageSender sender, Clock clock, SagaDeadlines deadlines, DynamoDbClient dynamoDb) {
    public static final String DEADLINES_TABLE = "SAGA_DEADLINES_TABLE";

    /** The deadline index; the functions that run orchestrators need it. */
    public SagaDeadlines requireDeadlines() {
        if (deadlines == null) {
            throw new IllegalStateException("environment variable " + DEADLINES_TABLE + " is required");
        }
        return deadlines;
    }

    public static SagaWiring fromEnvironment(Function<String, String> env, boolean withCheckpoints) {
        Region region = Region.of(required(env, "AWS_REGION"));
        DynamoDbClient dynamo = DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(region).credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
        SqsClient sqs = SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(region).credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
        Clock clock = Clock.systemUTC();
        return new SagaWiring(
                DynamoDbEventStore.builder().client(dynamo).tableName(required(env, Application.EVENTS_TABLE))
                        .clock(clock).build(),
                DynamoDbSnapshotStore.builder().client(dynamo).tableName(required(env, Application.SNAPSHOTS_TABLE))
                        .build(),
                withCheckpoints ? DynamoDbCheckpointStore.builder().client(dynamo)
                        .tableName(required(env, "CHECKPOINTS_TABLE")).build() : null,
                sender(sqs, env), clock,
                optionalValue(env, DEADLINES_TABLE) == null ? null
                        : DynamoDbSagaDeadlines.builder().client(dynamo).tableName(optionalValue(env, DEADLINES_TABLE))
                                .build(), dynamo);
    }

    private static String optionalValue(Function<String, String> env, String name) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? null : value;
    }

    public static SqsSagaMessageSender sender(SqsClient sqs, Function<String, String> env) {
        Map<String, String> urls = new HashMap<>();
        urls.put(CreateOrderSaga.REPLIES, required(env, "SAGA_REPLIES_QUEUE_URL"));
        // command queues only where the function sends commands (the stream function)
        optional(env, "CUSTOMER_COMMANDS_QUEUE_URL", CreateOrderSaga.CUSTOMER_COMMANDS.name(), urls);
        optional(env, "ORDER_COMMANDS_QUEUE_URL", CreateOrderSaga.ORDER_COMMANDS.name(), urls);
        return new SqsSagaMessageSender(sqs, urls);
    }

    private static void optional(Function<String, String> env, String name, String channel, Map<String, String> urls) {
        String value = env.apply(name);
        if (value != null && !value.isBlank()) {
            urls.put(channel, value);
        }
    }

    private static String required(Function<String, String> env, String name) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is required");
        }
        return value;
    }
}
