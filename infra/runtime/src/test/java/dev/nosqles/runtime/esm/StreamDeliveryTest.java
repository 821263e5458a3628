package dev.nosqles.runtime.esm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

class StreamDeliveryTest {
    private static final EsmFixture fx = new EsmFixture();
    private static String table;
    private static String checkpoints;

    @BeforeAll
    static void tables() {
        table = fx.newEventsTable("esm-delivery");
        checkpoints = EsmFixture.unique("esm-checkpoints");
    }

    /** Each test starts at LATEST so that it sees only its own records of the shared table. */
    private static StreamMapping mapping() {
        return StreamMapping.defaults(EsmFixture.unique("delivery"), "projector", table)
                .withStartingPosition(StartingPosition.LATEST);
    }

    @Test
    void records_are_delivered_in_order_in_batches_no_larger_than_the_batch_size() {
        List<List<Integer>> batches = new ArrayList<>();
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(mapping().withBatchSize(5),
                (RequestHandler<DynamodbEvent, StreamsEventResponse>) (event, context) -> {
                    batches.add(EsmFixture.ns(event));
                    return new StreamsEventResponse(List.of());
                }, fx.clients, checkpoints);
        fx.putEvents(table, "order-1", 0, 22);

        int invocations = poller.drainUntilIdle();

        assertThat(invocations).isEqualTo(5);
        assertThat(batches).allSatisfy(b -> assertThat(b).hasSizeBetween(1, 5));
        assertThat(batches.stream().flatMap(List::stream).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(0, 22).boxed().toList());
        assertThat(poller.pollOnce()).as("nothing new").isFalse();
    }

    @Test
    void a_latest_mapping_starts_after_the_records_already_in_the_stream() {
        fx.putEvents(table, "order-2", 0, 2);
        List<Integer> seen = new ArrayList<>();
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(mapping(),
                (RequestHandler<DynamodbEvent, Void>) (event, context) -> {
                    seen.addAll(EsmFixture.ns(event));
                    return null;
                }, fx.clients, checkpoints);
        fx.putEvents(table, "order-2", 3, 4);

        poller.drainUntilIdle();

        assertThat(seen).containsExactly(3, 4);
    }

    @Test
    void the_event_is_shaped_as_lambda_delivers_it_with_every_attribute_type() {
        List<DynamodbEvent> events = new ArrayList<>();
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(mapping(),
                (RequestHandler<DynamodbEvent, Void>) (event, context) -> {
                    assertThat(context.getFunctionName()).isEqualTo("projector");
                    assertThat(context.getAwsRequestId()).isNotBlank();
                    assertThat(context.getRemainingTimeInMillis()).isPositive();
                    context.getLogger().log("handled " + event.getRecords().size());
                    events.add(event);
                    return null;
                }, fx.clients, checkpoints);
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item = Map.of(
                "streamId", sdk().s("typed-1").build(),
                "version", sdk().n("1").build(),
                "n", sdk().n("12.50").build(),
                "b", sdk().b(SdkBytes.fromUtf8String("bytes")).build(),
                "ss", sdk().ss("x", "y").build(),
                "ns", sdk().ns("1", "2").build(),
                "bs", sdk().bs(SdkBytes.fromUtf8String("p"), SdkBytes.fromUtf8String("q")).build(),
                "m", sdk().m(Map.of("inner", sdk().l(sdk().s("deep").build(), sdk().bool(true).build()).build())).build(),
                "nul", sdk().nul(true).build(),
                "flag", sdk().bool(false).build());
        fx.clients.dynamoDb().putItem(b -> b.tableName(table).item(item));

        poller.drainUntilIdle();

        assertThat(events).hasSize(1);
        DynamodbEvent.DynamodbStreamRecord r = events.getFirst().getRecords().getFirst();
        assertThat(r.getEventName()).isEqualTo("INSERT");
        assertThat(r.getEventSource()).isEqualTo("aws:dynamodb");
        assertThat(r.getEventID()).isNotBlank();
        assertThat(r.getAwsRegion()).isEqualTo(fx.clients.region());
        assertThat(r.getEventSourceARN()).isEqualTo(poller.streamArn()).contains(table).contains("/stream/");
        assertThat(r.getDynamodb().getSequenceNumber()).isNotBlank();
        assertThat(r.getDynamodb().getSizeBytes()).isPositive();
        assertThat(r.getDynamodb().getStreamViewType()).isEqualTo("NEW_IMAGE");
        assertThat(r.getDynamodb().getApproximateCreationDateTime()).isNotNull();
        assertThat(r.getDynamodb().getApproximateCreationDateTime().getTime() % 1000).isZero();
        assertThat(r.getDynamodb().getKeys()).containsOnlyKeys("streamId", "version");
        assertThat(r.getDynamodb().getKeys().get("version").getN()).isEqualTo("1");
        assertThat(r.getDynamodb().getOldImage()).isNull();
        Map<String, AttributeValue> image = r.getDynamodb().getNewImage();
        assertThat(image.get("streamId").getS()).isEqualTo("typed-1");
        // N as the table holds it, unchanged: DynamoDB trims trailing zeros ("12.5"), moto keeps "12.50"
        String stored = fx.clients.dynamoDb().getItem(b -> b.tableName(table).key(Map.of(
                "streamId", sdk().s("typed-1").build(), "version", sdk().n("1").build()))
                .consistentRead(true)).item().get("n").n();
        assertThat(image.get("n").getN()).isEqualTo(stored);
        assertThat(new java.math.BigDecimal(image.get("n").getN())).isEqualByComparingTo("12.5");
        assertThat(utf8(image.get("b").getB())).isEqualTo("bytes");
        assertThat(image.get("ss").getSS()).containsExactlyInAnyOrder("x", "y");
        assertThat(image.get("ns").getNS()).containsExactlyInAnyOrder("1", "2");
        assertThat(image.get("bs").getBS().stream().map(StreamDeliveryTest::utf8)).containsExactlyInAnyOrder("p", "q");
        List<AttributeValue> inner = image.get("m").getM().get("inner").getL();
        assertThat(inner.get(0).getS()).isEqualTo("deep");
        assertThat(inner.get(1).getBOOL()).isTrue();
        assertThat(image.get("nul").getNULL()).isTrue();
        assertThat(image.get("flag").getBOOL()).isFalse();
    }

    @Test
    void batch_item_failures_are_ignored_unless_the_mapping_reports_them() {
        List<Integer> seen = new ArrayList<>();
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(mapping().withBatchSize(10),
                (RequestHandler<DynamodbEvent, StreamsEventResponse>) (event, context) -> {
                    seen.addAll(EsmFixture.ns(event));
                    return new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure(
                            event.getRecords().getFirst().getDynamodb().getSequenceNumber())));
                }, fx.clients, checkpoints);
        fx.putEvents(table, "order-3", 0, 3);

        assertThat(poller.drainUntilIdle()).isEqualTo(1);
        assertThat(seen).containsExactly(0, 1, 2, 3);
    }

    @Test
    void a_mapping_is_validated_and_drain_refuses_to_spin_forever() {
        assertThatThrownBy(() -> StreamMapping.defaults("m", "f", table).withBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> StreamMapping.defaults("m", "f", table).withMaxBatchingWindow(Duration.ofSeconds(301)))
                .isInstanceOf(IllegalArgumentException.class);
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(mapping(),
                (RequestHandler<DynamodbEvent, Void>) (event, context) -> {
                    throw new IllegalStateException("always");
                }, fx.clients, checkpoints);
        fx.putEvents(table, "order-4", 0, 0);

        assertThatThrownBy(() -> poller.drainUntilIdle(5))
                .isInstanceOf(EventSourceMappingException.class).hasMessageContaining("not idle after 5");
    }

    private static software.amazon.awssdk.services.dynamodb.model.AttributeValue.Builder sdk() {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.builder();
    }

    private static String utf8(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
