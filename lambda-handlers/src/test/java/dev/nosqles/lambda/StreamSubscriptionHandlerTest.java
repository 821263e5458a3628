package dev.nosqles.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.nosqles.dynamodb.DynamoDbStreamImages;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.subscription.Subscriber;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What the stream adapter tells after a batch: the newest commit's time, only for a batch handled in full. */
class StreamSubscriptionHandlerTest {
    private final List<Instant> told = new ArrayList<>();
    private final List<java.util.Set<String>> toldTypes = new ArrayList<>();
    private final List<String> handled = new ArrayList<>();

    private StreamSubscriptionHandler handler(String failOn) {
        Subscriber subscriber = Subscriber.builder("recorder").onRaw("Thing", (event, ctx) -> {
            if (event.streamId().id().equals(failOn)) {
                throw new IllegalStateException("refused");
            }
            handled.add(event.streamId().id());
        }).build();
        return new StreamSubscriptionHandler(new EventDispatcher(List.of(subscriber), new InMemoryCheckpointStore(),
                new InMemoryEventStore()), (newest, types) -> {
                    told.add(newest);
                    toldTypes.add(types);
                });
    }

    private static Map<String, AttributeValue> commit(String id, Instant at) {
        return commit("Thing", id, at);
    }

    private static Map<String, AttributeValue> commit(String type, String id, Instant at) {
        return DynamoDbStreamImages.encode(StreamId.of(type, id), 1,
                List.of(new NewEvent(UUID.randomUUID(), "Happened", 1, "{}")), EventMetadata.empty(), at);
    }

    static DynamodbEvent batch(List<Map<String, AttributeValue>> items) {
        List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
        for (Map<String, AttributeValue> item : items) {
            DynamodbEvent.DynamodbStreamRecord record = new DynamodbEvent.DynamodbStreamRecord();
            record.setEventName("INSERT");
            StreamRecord change = new StreamRecord();
            change.setSequenceNumber(String.valueOf(records.size() + 1));
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image =
                    new HashMap<>();
            item.forEach((k, v) -> image.put(k, lambda(v)));
            change.setNewImage(image);
            record.setDynamodb(change);
            records.add(record);
        }
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(records);
        return event;
    }

    private static com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue lambda(
            AttributeValue v) {
        var out = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        switch (v.type()) {
            case S -> out.setS(v.s());
            case N -> out.setN(v.n());
            case M -> {
                Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> m =
                        new HashMap<>();
                v.m().forEach((k, x) -> m.put(k, lambda(x)));
                out.setM(m);
            }
            case L -> out.setL(v.l().stream().map(StreamSubscriptionHandlerTest::lambda).toList());
            default -> throw new IllegalArgumentException("unexpected attribute type " + v.type());
        }
        return out;
    }

    @Test
    void after_a_batch_handled_in_full_it_tells_the_newest_commit_time_and_the_aggregate_types_of_the_batch() {
        Instant older = Instant.parse("2026-03-01T09:00:00Z");
        Instant newest = Instant.parse("2026-03-01T09:00:02.5Z");

        StreamsEventResponse response = handler("none").handleRequest(batch(List.of(commit("a", older),
                commit("b", newest), commit("Widget", "w", older), commit("c", older.plusSeconds(1)))), null);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(handled).containsExactly("a", "b", "c");
        assertThat(told).containsExactly(newest);
        assertThat(toldTypes).containsExactly(java.util.Set.of("Thing", "Widget"));
    }

    @Test
    void a_batch_that_failed_or_held_no_commit_tells_nothing() {
        StreamsEventResponse failed = handler("b").handleRequest(batch(List.of(
                commit("a", Instant.parse("2026-03-01T09:00:00Z")),
                commit("b", Instant.parse("2026-03-01T09:00:01Z")))), null);
        handler("none").handleRequest(batch(List.of(Map.of("streamId", AttributeValue.fromS("Thing-x")))), null);

        assertThat(failed.getBatchItemFailures()).hasSize(1);
        assertThat(told).isEmpty();
    }

    @Test
    void a_failure_while_telling_does_not_fail_the_batch() {
        Subscriber subscriber = Subscriber.builder("recorder").onRaw("Thing", (event, ctx) -> { }).build();
        StreamSubscriptionHandler failing = new StreamSubscriptionHandler(new EventDispatcher(List.of(subscriber),
                new InMemoryCheckpointStore(), new InMemoryEventStore()), (newest, types) -> {
                    throw new IllegalStateException("registry unavailable");
                });

        StreamsEventResponse response = failing.handleRequest(batch(List.of(
                commit("a", Instant.parse("2026-03-01T09:00:00Z")))), null);

        assertThat(response.getBatchItemFailures()).isEmpty();
    }
}
