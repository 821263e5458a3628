package dev.nosqles.app.saga.internal;

import dev.nosqles.app.Application;
import dev.nosqles.app.saga.CreateOrderSaga;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSagaDeadlines;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.lambda.saga.SqsChannelBacklog;
import dev.nosqles.lambda.saga.SqsSagaMessageSender;
import dev.nosqles.saga.ChannelBacklog;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.subscription.CheckpointStore;
import dev.nosqles.metrics.Metrics;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaManager;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the saga functions share, wired from their {@link FunctionEnvironment} (its clients, built once):
 * EVENTS_TABLE, SNAPSHOTS_TABLE, CHECKPOINTS_TABLE (stream function only), CUSTOMER_COMMANDS_QUEUE_URL,
 * ORDER_COMMANDS_QUEUE_URL, SAGA_REPLIES_QUEUE_URL, SAGA_DEADLINES_TABLE (the orchestrators' functions and the
 * sweeper), AWS_REGION. Not part of the public API.
 *
 * @param deadlines   the saga deadline index, or null where SAGA_DEADLINES_TABLE is not set (participants)
 * @param environment the function's environment and clients (subject keys, read models wire from it too)
 */
public record SagaWiring(EventStore events, SnapshotStore snapshots, CheckpointStore checkpoints,
                         SagaMessageSender sender, Clock clock, SagaDeadlines deadlines,
                         FunctionEnvironment environment) {
    public static final String DEADLINES_TABLE = "SAGA_DEADLINES_TABLE";
    /**
     * Set: the sagas' deadlines are kept by the sweeper alone, and an entry whose command was never sent falls due
     * this many seconds after its deadline (ADR 0013); absent: deadline messages. Every function that runs the
     * saga's manager (its stream function, its reply function, its sweeper) must have the same value.
     */
    public static final String UNSENT_COMMAND_ALLOWANCE = "SAGA_UNSENT_COMMAND_ALLOWANCE_SECONDS";
    /** How many sagas' state the manager keeps in memory between steps (ADR 0018); unset, none. */
    public static final String STATE_CACHE = "SAGA_STATE_CACHE";

    /**
     * The manager of {@code definition}'s sagas on these stores, deadlines as {@value #UNSENT_COMMAND_ALLOWANCE}
     * says.
     *
     * @throws IllegalArgumentException the variable is not whole seconds from 0 to 86400 (names it, not its value)
     */
    public <D> SagaManager<D> manager(SagaDefinition<D> definition, Metrics metrics) {
        return manager(definition, metrics, sender);
    }

    /** The same, its commands and deadlines sent through {@code through} (e.g. commands handled in process). */
    public <D> SagaManager<D> manager(SagaDefinition<D> definition, Metrics metrics, SagaMessageSender through) {
        SagaManager.Builder<D> builder = SagaManager.builder(definition).eventStore(events).snapshotStore(snapshots)
                .sender(through).deadlines(requireDeadlines()).clock(clock).metrics(metrics)
                .channelBacklog(backlog(environment));
        Duration allowance = seconds(UNSENT_COMMAND_ALLOWANCE, environment.optional(UNSENT_COMMAND_ALLOWANCE),
                86_400);
        builder.stateCache(environment.wholeNumber(STATE_CACHE, 0, 100_000, 0));
        return (allowance == null ? builder : builder.sweeperDeadlines(allowance)).build();
    }

    /**
     * A variable of whole seconds from 0 to {@code max}; null when absent or blank.
     *
     * @throws IllegalArgumentException not such a number: names the variable, never its value
     */
    public static Duration seconds(String name, String value, long max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds >= 0 && seconds <= max) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(name + " must be whole seconds from 0 to " + max);
    }

    /** The deadline index; the functions that run orchestrators need it. */
    public SagaDeadlines requireDeadlines() {
        if (deadlines == null) {
            environment.required(DEADLINES_TABLE); // throws, naming the variable
        }
        return deadlines;
    }

    /** The client the stores use: the environment's. */
    public DynamoDbClient dynamoDb() {
        return environment.dynamoDb();
    }

    /** @throws IllegalStateException a required variable is missing (the message names it) */
    public static SagaWiring fromEnvironment(FunctionEnvironment env, boolean withCheckpoints) {
        DynamoDbClient dynamo = env.dynamoDb();
        Clock clock = Clock.systemUTC();
        return new SagaWiring(
                DynamoDbEventStore.builder().client(dynamo).tableName(env.required(Application.EVENTS_TABLE))
                        .clock(clock).build(),
                DynamoDbSnapshotStore.builder().client(dynamo).tableName(env.required(Application.SNAPSHOTS_TABLE))
                        .build(),
                withCheckpoints ? DynamoDbCheckpointStore.builder().client(dynamo)
                        .tableName(env.required("CHECKPOINTS_TABLE")).build() : null,
                sender(env), clock,
                env.isSet(DEADLINES_TABLE) ? DynamoDbSagaDeadlines.builder().client(dynamo)
                        .tableName(env.required(DEADLINES_TABLE)).build() : null,
                env);
    }

    /** The saga messages on the environment's SQS client: the reply queue, and the command queues that are set. */
    public static SqsSagaMessageSender sender(FunctionEnvironment env) {
        Map<String, String> urls = commandQueues(env);
        urls.put(CreateOrderSaga.REPLIES, env.required("SAGA_REPLIES_QUEUE_URL"));
        return SqsSagaMessageSender.builder().client(env.sqs()).queueUrls(urls).build();
    }

    /**
     * The command channels' backlogs on SQS (ADR 0016), for the functions whose deadlines may act: the command queues
     * that are set (the reply and sweeper functions get their URLs for this alone, with {@code sqs:GetQueueAttributes}
     * and nothing else on them).
     */
    public static ChannelBacklog backlog(FunctionEnvironment env) {
        Map<String, String> urls = commandQueues(env);
        return urls.isEmpty() ? ChannelBacklog.unknown() : new SqsChannelBacklog(env.sqs(), urls);
    }

    /**
     * The command channels' queues that are set, by channel: the stream function sends to them; the reply and
     * sweeper functions only ask their backlogs ({@link #backlog}) and never send a command there (the stream
     * function relays what sagas decide).
     */
    private static Map<String, String> commandQueues(FunctionEnvironment env) {
        Map<String, String> urls = new HashMap<>();
        optional(env, "CUSTOMER_COMMANDS_QUEUE_URL", CreateOrderSaga.CUSTOMER_COMMANDS.name(), urls);
        optional(env, "ORDER_COMMANDS_QUEUE_URL", CreateOrderSaga.ORDER_COMMANDS.name(), urls);
        return urls;
    }

    private static void optional(FunctionEnvironment env, String name, String channel, Map<String, String> urls) {
        if (env.isSet(name)) {
            urls.put(channel, env.required(name));
        }
    }
}
