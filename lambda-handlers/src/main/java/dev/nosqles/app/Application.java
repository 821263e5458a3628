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
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.dynamodb.DynamoDbEventStore;
import dev.nosqles.store.dynamodb.DynamoDbSnapshotStore;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The reference application's wiring: the repositories of its aggregates over one event store and snapshot
 * store. Built once per process (a Lambda's init phase); plain constructors, no container.
 */
public final class Application {
    /** Environment variable naming the events table (required). */
    public static final String EVENTS_TABLE = "EVENTS_TABLE";
    /** Environment variable naming the snapshots table (required). */
    public static final String SNAPSHOTS_TABLE = "SNAPSHOTS_TABLE";

    private final AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> customers;
    private final AggregateRepository<OrderState, OrderCommand, OrderEvent> orders;
    private final EventStore events;
    private final Clock clock;
    private final Supplier<UUID> ids;

    /**
     * @param events where the events go
     * @param snapshots where snapshots go ({@link SnapshotStore#none()} for none)
     * @param clock stamps snapshots
     * @param ids event, message and new aggregate ids
     */
    public Application(EventStore events, SnapshotStore snapshots, Clock clock, Supplier<UUID> ids) {
        this.events = Objects.requireNonNull(events, "events");
        Objects.requireNonNull(snapshots, "snapshots");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.customers = AggregateRepository.builder(new Customer())
                .eventStore(events).snapshotStore(snapshots).clock(clock).ids(ids).build();
        this.orders = AggregateRepository.builder(new Order())
                .eventStore(events).snapshotStore(snapshots).clock(clock).ids(ids).build();
    }

    /** The application on DynamoDB with the system clock and random ids. */
    public static Application onDynamoDb(DynamoDbClient client, String eventsTable, String snapshotsTable) {
        Clock clock = Clock.systemUTC();
        return new Application(
                DynamoDbEventStore.builder().client(client).tableName(eventsTable).clock(clock).build(),
                DynamoDbSnapshotStore.create(client, snapshotsTable), clock, UUID::randomUUID);
    }

    /**
     * The application as a Lambda function runs it: tables from {@value #EVENTS_TABLE} and
     * {@value #SNAPSHOTS_TABLE}, a DynamoDB client on the URL-connection HTTP client in {@code AWS_REGION}.
     *
     * @param env reads an environment variable ({@code System::getenv})
     * @throws IllegalStateException a required variable is missing
     */
    public static Application fromEnvironment(Function<String, String> env) {
        return fromEnvironment(env, dynamoDbClient(env));
    }

    /** As {@link #fromEnvironment(Function)}, on the given client. */
    public static Application fromEnvironment(Function<String, String> env, DynamoDbClient client) {
        return onDynamoDb(client, required(env, EVENTS_TABLE), required(env, SNAPSHOTS_TABLE));
    }

    /** The DynamoDB client a function uses: the URL-connection HTTP client, in {@code AWS_REGION}. */
    public static DynamoDbClient dynamoDbClient(Function<String, String> env) {
        return DynamoDbClient.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(required(env, "AWS_REGION")))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .build();
    }

    /**
     * An environment variable that must be set.
     *
     * @throws IllegalStateException it is missing or blank
     */
    public static String required(Function<String, String> env, String name) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    public AggregateRepository<CustomerState, CustomerCommand, CustomerEvent> customers() {
        return customers;
    }

    public AggregateRepository<OrderState, OrderCommand, OrderEvent> orders() {
        return orders;
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
