package dev.nosqles.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.capacity.CapacityMeter.Operation;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.localaws.LocalAws;
import dev.nosqles.testsupport.LostResponseInterceptor;
import dev.nosqles.testsupport.MutableClock;
import dev.nosqles.testsupport.TestTables;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/** The contract on DynamoDB (moto by default), plus what only DynamoDB can show: requests and units. */
class DynamoDbEventStoreTest extends EventStoreContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CapacityMeter METER = new CapacityMeter();
    private static DynamoDbClient client;
    private static String table;

    @BeforeAll
    static void createTable() {
        client = TestTables.client(METER);
        table = TestTables.newEventsTable(client, "contract");
    }

    @AfterAll
    static void dropTable() {
        client.deleteTable(b -> b.tableName(table));
        client.close();
    }

    /** A client on the same local AWS whose requests also pass through {@code interceptors}, last one first. */
    private static DynamoDbClient clientWith(ExecutionInterceptor... interceptors) {
        return LocalAws.shared().configure(DynamoDbClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> {
                    for (ExecutionInterceptor i : interceptors) {
                        o.addExecutionInterceptor(i);
                    }
                })
                .build();
    }

    /** A backend that does not honour ReturnValuesOnConditionCheckFailure: the failure comes without the item. */
    private static final class NoItemOnConditionFailure implements ExecutionInterceptor {
        @Override
        public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (context.httpResponse().statusCode() != 400) {
                return context.httpResponse();
            }
            // the body changes, so its checksum and length no longer apply
            return context.httpResponse().toBuilder().removeHeader("x-amz-crc32").removeHeader("Content-Length")
                    .build();
        }

        @Override
        public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                               ExecutionAttributes attributes) {
            if (context.httpResponse().statusCode() != 400 || context.responseBody().isEmpty()) {
                return context.responseBody();
            }
            try (InputStream in = context.responseBody().get()) {
                ObjectNode body = (ObjectNode) JSON.readTree(in);
                body.remove("Item");
                return Optional.of(new ByteArrayInputStream(JSON.writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** How many commit items the stream has, counted on the table itself. */
    private static int commitItems(StreamId stream) {
        return client.query(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("streamId = :s")
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(stream.value())))).count();
    }

    @Override
    protected EventStore createStore(MutableClock clock) {
        return DynamoDbEventStore.builder().client(client).tableName(table).clock(clock).build();
    }

    @Test
    void a_create_whose_put_item_response_is_lost_is_retried_by_the_sdk_and_reported_as_the_success_it_was() {
        LostResponseInterceptor lost = LostResponseInterceptor.ofFirst(1, PutItemRequest.class);
        try (DynamoDbClient faulty = clientWith(lost)) {
            EventStore writer = DynamoDbEventStore.builder().client(faulty).tableName(table).clock(clock).build();
            StreamId stream = newStream();
            List<NewEvent> created = events(2);

            AppendResult result = writer.append(stream, ExpectedVersion.noStream(), created, EventMetadata.empty());

            assertThat(lost.injected()).isEqualTo(1);
            assertThat(result.firstVersion()).isEqualTo(1);
            assertThat(result.lastVersion()).isEqualTo(2);
            assertThat(commitItems(stream)).isEqualTo(1);
            assertThat(store().read(stream).events()).extracting(RecordedEvent::eventId)
                    .containsExactly(created.get(0).eventId(), created.get(1).eventId());
        }
    }

    @Test
    void an_update_whose_put_item_response_is_lost_is_applied_once() {
        StreamId stream = newStream();
        ExpectedVersion v = store().append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty())
                .nextExpectedVersion();
        LostResponseInterceptor lost = LostResponseInterceptor.ofFirst(2, PutItemRequest.class);
        try (DynamoDbClient faulty = clientWith(lost)) {
            EventStore writer = DynamoDbEventStore.builder().client(faulty).tableName(table).clock(clock).build();

            AppendResult second = writer.append(stream, v, events(1), EventMetadata.empty());
            AppendResult third = writer.append(stream, ExpectedVersion.exactly(2), events(1), EventMetadata.empty());

            assertThat(lost.injected()).isEqualTo(2);
            assertThat(second.firstVersion()).isEqualTo(2);
            assertThat(third.firstVersion()).isEqualTo(3);
            assertThat(commitItems(stream)).isEqualTo(3);
            assertThat(store().read(stream).streamVersion()).isEqualTo(3);
        }
    }

    @Test
    void when_a_backend_returns_no_item_with_the_failed_condition_one_get_item_tells_whether_the_commit_is_ours() {
        StreamId stream = newStream();
        ExpectedVersion v = store().append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty())
                .nextExpectedVersion();
        LostResponseInterceptor lost = LostResponseInterceptor.ofFirst(1, PutItemRequest.class);
        CapacityMeter meter = new CapacityMeter();
        try (DynamoDbClient faulty = clientWith(meter, new NoItemOnConditionFailure(), lost)) {
            EventStore writer = DynamoDbEventStore.builder().client(faulty).tableName(table).clock(clock).build();

            AppendResult ours = writer.append(stream, v, events(1), EventMetadata.empty());

            assertThat(lost.injected()).isEqualTo(1);
            assertThat(ours.firstVersion()).isEqualTo(2);
            assertThat(meter.usage().requests(Operation.GET_ITEM)).isEqualTo(1);
            assertThatThrownBy(() -> writer.append(stream, v, events(1), EventMetadata.empty()))
                    .isInstanceOfSatisfying(ConcurrencyConflictException.class,
                            c -> assertThat(c.actualVersion()).isEqualTo(2));
            assertThat(commitItems(stream)).isEqualTo(2);
        }
    }

    @Test
    void a_single_small_event_is_one_conditional_put_item_costing_one_write_unit() {
        StreamId stream = newStream();
        store().append(stream, ExpectedVersion.noStream(), events(1), EventMetadata.empty());
        ExpectedVersion v = store().read(stream).expectedVersion();

        CapacityMeter.Usage before = METER.usage();
        store().append(stream, v, List.of(event("Happened", "{\"text\":\"" + "a".repeat(600) + "\"}")),
                new EventMetadata("c", "c", "m", "alice"));
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(used.totalRequests()).isEqualTo(1);
        assertThat(used.requests(Operation.PUT_ITEM)).isEqualTo(1);
        assertThat(used.writeUnits()).isEqualTo(1);
    }

    @Test
    void five_small_events_are_one_put_item_not_a_transaction() {
        StreamId stream = newStream();
        CapacityMeter.Usage before = METER.usage();
        store().append(stream, ExpectedVersion.noStream(),
                java.util.stream.IntStream.range(0, 5).mapToObj(i -> event("Small", "{\"text\":\"" + "b".repeat(100)
                        + "\"}")).toList(), EventMetadata.empty());
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(used.totalRequests()).isEqualTo(1);
        assertThat(used.requests(Operation.TRANSACT_WRITE_ITEMS)).isZero();
        assertThat(used.writeUnits()).isEqualTo(1);
    }

    @Test
    void an_unverified_expected_version_costs_one_extra_single_item_query() {
        StreamId stream = newStream();
        store().append(stream, ExpectedVersion.noStream(), events(2), EventMetadata.empty());
        CapacityMeter.Usage before = METER.usage();
        store().append(stream, ExpectedVersion.exactly(2), events(1), EventMetadata.empty());
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(used.requests(Operation.QUERY)).isEqualTo(1);
        assertThat(used.requests(Operation.PUT_ITEM)).isEqualTo(1);
        assertThat(used.itemsRead()).isEqualTo(1);
    }

    @Test
    void reading_from_a_commit_boundary_is_one_query() {
        StreamId stream = newStream();
        store().append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());
        store().append(stream, ExpectedVersion.exactly(3), events(2), EventMetadata.empty());
        CapacityMeter.Usage before = METER.usage();
        assertThat(store().read(stream, ReadRequest.from(4)).events()).hasSize(2);
        CapacityMeter.Usage used = METER.usage().minus(before);

        assertThat(used.requests(Operation.QUERY)).isEqualTo(1);
        assertThat(used.itemsRead()).isEqualTo(1);
    }

    @Test
    void reading_from_past_the_end_or_inside_a_commit_looks_back_with_one_more_single_item_query() {
        StreamId stream = newStream();
        store().append(stream, ExpectedVersion.noStream(), events(3), EventMetadata.empty());
        for (long from : new long[] {4, 2}) {
            CapacityMeter.Usage before = METER.usage();
            StreamSlice slice = store().read(stream, ReadRequest.from(from));
            CapacityMeter.Usage used = METER.usage().minus(before);

            assertThat(slice.events()).extracting(RecordedEvent::version).allMatch(v -> v >= from);
            assertThat(slice.streamVersion()).isEqualTo(3);
            assertThat(used.requests(Operation.QUERY)).isEqualTo(2);
            assertThat(used.itemsRead()).isEqualTo(1);
        }
    }

    @Test
    void appending_after_a_version_the_store_handed_out_is_one_put_item_with_no_read() {
        StreamId stream = newStream();
        ExpectedVersion fromAppend = store().append(stream, ExpectedVersion.noStream(), events(2),
                EventMetadata.empty()).nextExpectedVersion();
        CapacityMeter.Usage before = METER.usage();
        store().append(stream, fromAppend, events(1), EventMetadata.empty());
        ExpectedVersion fromRead = store().read(stream, ReadRequest.from(3)).expectedVersion();
        store().append(stream, fromRead, events(1), EventMetadata.empty());
        CapacityMeter.Usage used = METER.usage().minus(before);

        // two appends and one read from a commit's first version: two PutItems and one Query, nothing else
        assertThat(used.requests(Operation.PUT_ITEM)).isEqualTo(2);
        assertThat(used.requests(Operation.QUERY)).isEqualTo(1);
        assertThat(used.totalRequests()).isEqualTo(3);
    }
}
