package dev.nosqles.app;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.app.customer.Customer;
import dev.nosqles.app.customer.CustomerCommand;
import dev.nosqles.app.customer.CustomerEvent;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.app.order.Order;
import dev.nosqles.app.order.OrderCommand;
import dev.nosqles.app.order.OrderEvent;
import dev.nosqles.app.order.OrderState;
import dev.nosqles.metrics.Metrics;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.dynamodb.DynamoDbKmsSubjectKeys;
import dev.nosqles.memory.InMemorySubjectKeys;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import dev.nosqles.lambda.FunctionEnvironment;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The reference application's wiring: the repositories of its aggregates over one event store and snapshot
 * store, and the subject keys that encrypt the customers' personal data (ADR 0008). Built once per process (a
 * Lambda's init phase); plain constructors, no container.
 */
public final class Application {
    /** Environment variable naming the events table (required). */
    public static final String EVENTS_TABLE = "EVENTS_TABLE";
    /** Environment variable naming the snapshots table (required). */
    public static final String SNAPSHOTS_TABLE = "SNAPSHOTS_TABLE";
    /** Environment variable naming the subject keys table (required where customers are loaded). */
    public static final String SUBJECT_KEYS_TABLE = "SUBJECT_KEYS_TABLE";
    /** Environment variable naming the KMS key (id or ARN) that wraps the subject keys' key-encryption key. */
    public static final String PERSONAL_DATA_KEY_ID = "PERSONAL_DATA_KEY_ID";
    /** Set by Lambda: {@code on-demand}, {@code provisioned-concurrency}, {@code snap-start}, ... */
    static final String INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE";

    private final AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> customers;
    /** Built on first use: a function that serves customers only never loads the order aggregate's classes. */
    private volatile AggregateRepository<OrderState, OrderCommand, OrderEvent> orders;
    private final Metrics metrics;
    private final EventStore events;
    private final SnapshotStore snapshots;
    private final SubjectKeys subjectKeys;
    private final Clock clock;
    private final Supplier<UUID> ids;

    /**
     * @param events where the events go
     * @param snapshots where snapshots go ({@link SnapshotStore#none()} for none)
     * @param clock stamps snapshots
     * @param ids event, message and new aggregate ids
     * @param subjectKeys encrypt and forget the customers' personal data
     */
    public Application(EventStore events, SnapshotStore snapshots, Clock clock, Supplier<UUID> ids,
                       SubjectKeys subjectKeys) {
        this(events, snapshots, clock, ids, subjectKeys, Metrics.none());
    }

    /** @param metrics where both repositories count their commands (the function's {@code Telemetry}) */
    public Application(EventStore events, SnapshotStore snapshots, Clock clock, Supplier<UUID> ids,
                       SubjectKeys subjectKeys, Metrics metrics) {
        this.events = Objects.requireNonNull(events, "events");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.subjectKeys = Objects.requireNonNull(subjectKeys, "subjectKeys");
        this.customers = customers(events, snapshots, clock, subjectKeys).ids(ids).metrics(metrics).build();
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * For tests: subject keys in memory ({@link InMemorySubjectKeys}). Personal data written by another process
     * (with other keys) cannot be read here: it throws {@link dev.nosqles.privacy.SubjectKeyMissingException}.
     */
    public Application(EventStore events, SnapshotStore snapshots, Clock clock, Supplier<UUID> ids) {
        this(events, snapshots, clock, ids, new InMemorySubjectKeys());
    }

    /**
     * The customers' repository as every function that loads customers builds it: with the subject keys that
     * decrypt their personal data.
     */
    public static AggregateRepository.Builder<CustomerState, CustomerCommand, CustomerEvent> customers(
            EventStore events, SnapshotStore snapshots, Clock clock, SubjectKeys subjectKeys) {
        return AggregateRepository.builder(new Customer()).eventStore(events).snapshotStore(snapshots).clock(clock)
                .subjectKeys(subjectKeys);
    }

    /**
     * The application on DynamoDB with the system clock and random ids; subject keys in memory (tests): customers
     * written by another process cannot be read with them (pass that process's keys to the other overload).
     */
    public static Application onDynamoDb(DynamoDbClient client, String eventsTable, String snapshotsTable) {
        return onDynamoDb(client, eventsTable, snapshotsTable, new InMemorySubjectKeys());
    }

    /** The application on DynamoDB with the system clock, random ids and the given subject keys. */
    public static Application onDynamoDb(DynamoDbClient client, String eventsTable, String snapshotsTable,
                                         SubjectKeys subjectKeys) {
        return onDynamoDb(client, eventsTable, snapshotsTable, subjectKeys, Metrics.none());
    }

    /** The application on DynamoDB with the system clock, random ids, the given subject keys and metrics. */
    public static Application onDynamoDb(DynamoDbClient client, String eventsTable, String snapshotsTable,
                                         SubjectKeys subjectKeys, Metrics metrics) {
        Clock clock = Clock.systemUTC();
        return new Application(
                DynamoDbEventStore.builder().client(client).tableName(eventsTable).clock(clock).build(),
                DynamoDbSnapshotStore.builder().client(client).tableName(snapshotsTable).build(), clock,
                UUID::randomUUID, subjectKeys, metrics);
    }

    /**
     * The application as a Lambda function runs it: tables from {@value #EVENTS_TABLE} and
     * {@value #SNAPSHOTS_TABLE}, subject keys from {@value #SUBJECT_KEYS_TABLE} and {@value #PERSONAL_DATA_KEY_ID}
     * ({@link #subjectKeysPrefetched(FunctionEnvironment)}: built, and the key-encryption key fetched, on a thread of
     * their own when the first request follows the init at once), on the environment's DynamoDB and KMS clients
     * ({@link FunctionEnvironment}).
     *
     * @param env reads an environment variable ({@code System::getenv})
     * @throws IllegalStateException a required variable is missing (the message names it)
     */
    public static Application fromEnvironment(Function<String, String> env) {
        return fromEnvironment(FunctionEnvironment.of(env), Metrics.none());
    }

    /**
     * As {@link #fromEnvironment(Function)}, on the environment's clients, counting commands in {@code metrics}. The
     * subject keys are built, and their key-encryption key fetched, on a thread of their own while the rest is wired
     * ({@link #subjectKeysPrefetched}).
     */
    public static Application fromEnvironment(FunctionEnvironment env, Metrics metrics) {
        String eventsTable = env.required(EVENTS_TABLE);
        String snapshotsTable = env.required(SNAPSHOTS_TABLE);
        // first: the keys' thread builds the KMS client while this one builds the DynamoDB client
        SubjectKeys subjectKeys = subjectKeysPrefetched(env);
        return onDynamoDb(env.dynamoDb(), eventsTable, snapshotsTable, subjectKeys, metrics);
    }

    /**
     * Whether {@link #subjectKeysPrefetched} prefetches: when the first request follows the init at once, that is
     * {@value #INITIALIZATION_TYPE} is {@code on-demand} or unset (a local run). Not for {@code snap-start}: no
     * thread may run into the checkpoint and no unwrapped key be in the snapshot. Not for
     * {@code provisioned-concurrency} (nor a type this code does not know): the init may run long before the first
     * request, and the prefetched key would expire unused.
     */
    static boolean prefetchesKeys(FunctionEnvironment env) {
        String type = env.optional(INITIALIZATION_TYPE);
        return type == null || "on-demand".equals(type);
    }

    /**
     * {@link #subjectKeys}, built on a daemon thread that also unwraps the key-encryption key, so that a function
     * that creates or reads personal data on its first request finds it ready (ADR 0020: Lambda runs init with
     * burst CPU). The thread builds the environment's KMS client first, so call this before the DynamoDB client is
     * built: the two are built at once, on two threads (if the caller's build then fails, the thread still runs to
     * its end, trying that client again itself). Its first use waits for the thread. Only when the first request
     * follows the init at once ({@link #prefetchesKeys}); otherwise the keys are built at once, as
     * {@link #subjectKeys} builds them.
     *
     * @throws IllegalStateException a required variable is missing (checked here, before the thread starts)
     */
    public static SubjectKeys subjectKeysPrefetched(FunctionEnvironment env) {
        if (!prefetchesKeys(env)) {
            return subjectKeys(env);
        }
        // on this thread: a missing variable fails the init
        env.region();
        env.required(SUBJECT_KEYS_TABLE);
        env.required(PERSONAL_DATA_KEY_ID);
        // the KMS client first: the caller builds the DynamoDB client meanwhile (each client on a lock of its own)
        return PrefetchingSubjectKeys.start(() -> {
            env.kms();
            return subjectKeys(env);
        });
    }

    /**
     * The subject keys a function uses: the keys table {@value #SUBJECT_KEYS_TABLE} on the environment's DynamoDB
     * client, wrapped by the KMS key {@value #PERSONAL_DATA_KEY_ID} (the environment's KMS client); cached unwrapped
     * for the default period.
     *
     * @throws IllegalStateException a required variable is missing
     */
    public static DynamoDbKmsSubjectKeys subjectKeys(FunctionEnvironment env) {
        return DynamoDbKmsSubjectKeys.builder()
                .dynamoDb(env.dynamoDb())
                .tableName(env.required(SUBJECT_KEYS_TABLE))
                .kms(env.kms())
                .kmsKeyId(env.required(PERSONAL_DATA_KEY_ID))
                .build();
    }

    public AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> customers() {
        return customers;
    }

    public AggregateRepository<OrderState, OrderCommand, OrderEvent> orders() {
        AggregateRepository<OrderState, OrderCommand, OrderEvent> built = orders;
        if (built == null) {
            synchronized (this) {
                built = orders;
                if (built == null) {
                    built = AggregateRepository.builder(new Order()).eventStore(events).snapshotStore(snapshots)
                            .clock(clock).ids(ids).metrics(metrics).build();
                    orders = built;
                }
            }
        }
        return built;
    }

    /** The keys of the customers' personal data (forget deletes one). */
    public SubjectKeys subjectKeys() {
        return subjectKeys;
    }

    /** The snapshots of both aggregates (a forget deletes the customer's). */
    public SnapshotStore snapshots() {
        return snapshots;
    }

    /** The event store the repositories write to. */
    public EventStore eventStore() {
        return events;
    }

    public Clock clock() {
        return clock;
    }

    /** A new random aggregate id (for requests without an idempotency key). */
    public String newId() {
        return ids.get().toString();
    }
}
