package dev.nosqles.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.localaws.LocalAws;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.EventTables;
import dev.nosqles.dynamodb.DynamoDbCheckpointStore;
import dev.nosqles.subscription.Subscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Each subscriber's lag, read from the events and checkpoints tables on the local AWS. */
class SubscriptionLagsTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final AtomicReference<Instant> NOW = new AtomicReference<>(T0);
    private static DynamoDbClient dynamo;
    private static String events;
    private static String checkpoints;

    @BeforeAll
    static void given_five_commits_of_six_events_in_three_streams_and_some_checkpoints() {
        dynamo = LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        events = "lag-events-" + suffix;
        checkpoints = "lag-checkpoints-" + suffix;
        EventTables.createEventsTable(dynamo, events);
        EventTables.createCheckpointsTable(dynamo, checkpoints);
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(dynamo).tableName(events)
                .clock(new Clock() {
                    @Override
                    public ZoneOffset getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(java.time.ZoneId zone) {
                        return this;
                    }

                    @Override
                    public Instant instant() {
                        return NOW.get();
                    }
                }).build();
        StreamId order1 = StreamId.of("Order", "1");
        StreamId order2 = StreamId.of("Order", "2");
        StreamId customer1 = StreamId.of("Customer", "1");
        commit(store, order1, 0, 1, T0);                          // v1
        commit(store, order1, 1, 2, T0.plus(Duration.ofMinutes(1))); // v2..3
        commit(store, order1, 3, 1, T0.plus(Duration.ofMinutes(2))); // v4
        commit(store, order2, 0, 1, T0.plus(Duration.ofMinutes(3))); // v1
        commit(store, customer1, 0, 1, T0.plus(Duration.ofMinutes(4))); // v1
        DynamoDbCheckpointStore cp = DynamoDbCheckpointStore.builder().client(dynamo).tableName(checkpoints).build();
        cp.advance("orders", order1, 0, 3, List.of());
        cp.advance("customers", customer1, 0, 1, List.of());
        cp.advance("someone-else", order2, 0, 1, List.of());
    }

    private static void commit(DynamoDbEventStore store, StreamId id, long expected, int count, Instant at) {
        NOW.set(at);
        List<NewEvent> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new NewEvent(UUID.randomUUID(), "Happened", 1, "{\"n\":" + i + "}"));
        }
        store.append(id, ExpectedVersion.exactly(expected), list, EventMetadata.empty());
    }

    @Test
    void a_subscriber_that_handled_k_of_its_n_events_is_n_minus_k_behind_with_the_age_of_the_oldest_pending() {
        SubscriptionLags lags = new SubscriptionLags(dynamo, events, checkpoints,
                List.of(new SubscriberTypes("orders", List.of("Order"))));

        List<SubscriptionLag> result = lags.lags(T0.plus(Duration.ofMinutes(10)));

        // Order events: 4 in Order-1, 1 in Order-2 (n = 5); handled Order-1 up to version 3 (k = 3)
        assertThat(result).containsExactly(new SubscriptionLag("orders", 2, 2, T0.plus(Duration.ofMinutes(2)),
                Duration.ofMinutes(8).toMillis(), T0.plus(Duration.ofMinutes(1))));
    }

    @Test
    void a_subscriber_of_every_type_that_handled_nothing_is_behind_by_every_event() {
        SubscriptionLags lags = new SubscriptionLags(dynamo, events, checkpoints,
                List.of(new SubscriberTypes("publisher", List.of(Subscriber.ALL))));

        List<SubscriptionLag> result = lags.lags(T0.plus(Duration.ofMinutes(10)));

        assertThat(result).containsExactly(new SubscriptionLag("publisher", 6, 3, T0,
                Duration.ofMinutes(10).toMillis(), null));
    }

    @Test
    void a_subscriber_that_is_caught_up_shows_no_pending_event_and_when_it_last_handled_one() {
        SubscriptionLags lags = new SubscriptionLags(dynamo, events, checkpoints, List.of(
                new SubscriberTypes("customers", List.of("Customer")),
                new SubscriberTypes("orders", List.of("Order"))));

        List<SubscriptionLag> result = lags.lags(T0.plus(Duration.ofMinutes(10)));

        assertThat(result).extracting(SubscriptionLag::subscriber).containsExactly("customers", "orders");
        assertThat(result.get(0)).isEqualTo(new SubscriptionLag("customers", 0, 0, null, 0,
                T0.plus(Duration.ofMinutes(4))));
    }

    @Test
    void one_scan_of_the_events_table_and_one_query_per_subscriber() {
        List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
        try (DynamoDbClient counted = LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        requests.add(context.request().getClass().getSimpleName());
                    }
                })).build()) {
            new SubscriptionLags(counted, events, checkpoints, List.of(
                    new SubscriberTypes("orders", List.of("Order")),
                    new SubscriberTypes("customers", List.of("Customer")),
                    new SubscriberTypes("publisher", List.of(Subscriber.ALL)))).lags(T0);
        }

        assertThat(requests).containsExactly("ScanRequest", "QueryRequest", "QueryRequest", "QueryRequest");
    }

    @Test
    void reading_more_items_than_the_bound_fails_instead_of_scanning_on() {
        SubscriptionLags lags = new SubscriptionLags(dynamo, events, checkpoints,
                List.of(new SubscriberTypes("orders", List.of("Order"))), 4);

        assertThatThrownBy(() -> lags.lags(T0)).isInstanceOf(ScanLimitException.class)
                .satisfies(e -> assertThat(((ScanLimitException) e).limit()).isEqualTo(4));
    }

    @Test
    void a_subscriber_with_more_checkpoints_than_the_bound_fails_instead_of_reading_on() {
        // given the five commit items (within a bound of 5) and a subscriber with six checkpoints
        DynamoDbCheckpointStore cp = DynamoDbCheckpointStore.builder().client(dynamo).tableName(checkpoints).build();
        for (int i = 0; i < 6; i++) {
            cp.advance("busy", StreamId.of("Order", "busy-" + i), 0, 1, List.of());
        }
        SubscriptionLags lags = new SubscriptionLags(dynamo, events, checkpoints,
                List.of(new SubscriberTypes("busy", List.of("Order"))), 5);

        assertThatThrownBy(() -> lags.lags(T0)).isInstanceOf(ScanLimitException.class)
                .satisfies(e -> assertThat(((ScanLimitException) e).table()).isEqualTo(checkpoints));
    }
}
