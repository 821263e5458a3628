package dev.nosqles.runtime.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentEventsTest {
    private static final String ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/app-events/stream/2026-01-01";

    @Test
    void a_commit_record_is_decoded_with_its_metadata_and_events() {
        RecentEvents recent = new RecentEvents(10);
        recent.delivered("saga", List.of(commit("001", "Order-42", 3, "OrderCreated", "{\"total\":\"<b>40</b>\"}")));

        RecentEvents.Entry e = recent.after(0, 10).getFirst();
        assertThat(e.seq()).isEqualTo(1);
        assertThat(e.table()).isEqualTo("app-events");
        assertThat(e.streamId()).isEqualTo("Order-42");
        assertThat(e.aggregateType()).isEqualTo("Order");
        assertThat(e.aggregateId()).isEqualTo("42");
        assertThat(e.version()).isEqualTo(3);
        assertThat(e.correlationId()).isEqualTo("corr-1");
        assertThat(e.principal()).isEqualTo("ann");
        assertThat(e.at()).hasToString("2026-01-31T12:00:00.123Z");
        assertThat(e.events()).containsExactly(new RecentEvents.Event("e-001", "OrderCreated", 1,
                "{\"total\":\"<b>40</b>\"}"));
        assertThat(e.deliveries()).containsExactly(Map.entry("saga", "delivered"));
    }

    @Test
    void a_record_read_by_several_mappings_is_kept_once_with_each_mappings_outcome() {
        RecentEvents recent = new RecentEvents(10);
        DynamodbEvent.DynamodbStreamRecord r = commit("001", "Order-42", 1, "OrderCreated", "{}");
        recent.tap("saga", (DynamodbEvent event, com.amazonaws.services.lambda.runtime.Context c) -> null)
                .handleRequest(event(r), null);
        recent.tap("publisher", (DynamodbEvent event, com.amazonaws.services.lambda.runtime.Context c) -> "ok")
                .handleRequest(event(r), null);
        recent.delivered("saga", List.of(r)); // a retry, under way

        assertThat(recent.size()).isEqualTo(1);
        assertThat(recent.lastSeq()).isEqualTo(1);
        assertThat(recent.after(0, 10).getFirst().deliveries()).containsExactly(Map.entry("saga", "delivered"),
                Map.entry("publisher", "handled"));
    }

    @Test
    void the_outcome_of_a_failed_invocation_and_of_reported_item_failures_is_failed_from_the_first_failure() {
        RecentEvents recent = new RecentEvents(10);
        DynamodbEvent.DynamodbStreamRecord a = commit("001", "Order-1", 1, "OrderCreated", "{}");
        DynamodbEvent.DynamodbStreamRecord b = commit("002", "Order-2", 1, "OrderCreated", "{}");
        DynamodbEvent.DynamodbStreamRecord c = commit("003", "Order-3", 1, "OrderCreated", "{}");
        recent.tap("saga", (DynamodbEvent event, com.amazonaws.services.lambda.runtime.Context ctx) -> null)
                .handleRequest(event(a, b, c), null);
        recent.tap("projection", (DynamodbEvent event, com.amazonaws.services.lambda.runtime.Context ctx) ->
                        new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure("002"))))
                .handleRequest(event(a, b, c), null);
        assertThatThrownBy(() -> recent.tap("publisher",
                (DynamodbEvent event, com.amazonaws.services.lambda.runtime.Context ctx) -> {
                    throw new IllegalStateException("down");
                }).handleRequest(event(a), null)).isInstanceOf(IllegalStateException.class);

        List<RecentEvents.Entry> entries = recent.after(0, 10);
        assertThat(entries).hasSize(3);
        assertThat(entries.get(0).deliveries()).containsExactly(Map.entry("saga", "handled"),
                Map.entry("projection", "handled"), Map.entry("publisher", "failed"));
        assertThat(entries.get(1).deliveries()).containsEntry("projection", "failed").containsEntry("saga", "handled");
        assertThat(entries.get(2).deliveries()).containsEntry("projection", "failed");
    }

    @Test
    void the_buffer_keeps_the_newest_records_up_to_its_capacity_and_pages_after_a_sequence() {
        RecentEvents recent = new RecentEvents(3);
        for (int i = 1; i <= 5; i++) {
            recent.delivered("saga", List.of(commit("00" + i, "Order-" + i, 1, "OrderCreated", "{}")));
        }
        assertThat(recent.size()).isEqualTo(3);
        assertThat(recent.lastSeq()).isEqualTo(5);
        assertThat(recent.after(0, 10)).extracting(RecentEvents.Entry::streamId)
                .containsExactly("Order-3", "Order-4", "Order-5");
        assertThat(recent.after(4, 10)).extracting(RecentEvents.Entry::seq).containsExactly(5L);
        assertThat(recent.after(0, 2)).extracting(RecentEvents.Entry::seq).containsExactly(3L, 4L);
        // an evicted record delivered again (a retry of an old batch) comes back as a new entry
        recent.delivered("saga", List.of(commit("001", "Order-1", 1, "OrderCreated", "{}")));
        assertThat(recent.after(5, 10)).extracting(RecentEvents.Entry::streamId).containsExactly("Order-1");
    }

    @Test
    void a_record_of_another_table_keeps_its_keys() {
        RecentEvents recent = new RecentEvents(3);
        DynamodbEvent.DynamodbStreamRecord r = new DynamodbEvent.DynamodbStreamRecord();
        r.setEventSourceARN("arn:aws:dynamodb:us-east-1:000000000000:table/rows/stream/x");
        r.setEventName("MODIFY");
        StreamRecord s = new StreamRecord();
        s.setSequenceNumber("9");
        s.setKeys(Map.of("pk", new AttributeValue().withS("row-1")));
        s.setNewImage(Map.of("pk", new AttributeValue().withS("row-1")));
        r.setDynamodb(s);
        recent.delivered("rows", List.of(r));

        RecentEvents.Entry e = recent.after(0, 1).getFirst();
        assertThat(e.table()).isEqualTo("rows");
        assertThat(e.streamId()).isEqualTo("pk=row-1");
        assertThat(e.aggregateType()).isNull();
        assertThat(e.events()).isEmpty();
    }

    @Test
    void a_buffer_holds_at_least_one_record() {
        assertThatThrownBy(() -> new RecentEvents(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static DynamodbEvent event(DynamodbEvent.DynamodbStreamRecord... records) {
        DynamodbEvent e = new DynamodbEvent();
        e.setRecords(List.of(records));
        return e;
    }

    private static DynamodbEvent.DynamodbStreamRecord commit(String sequence, String streamId, long version,
                                                             String type, String data) {
        DynamodbEvent.DynamodbStreamRecord r = new DynamodbEvent.DynamodbStreamRecord();
        r.setEventID("id-" + sequence);
        r.setEventName("INSERT");
        r.setEventSourceARN(ARN);
        StreamRecord s = new StreamRecord();
        s.setSequenceNumber(sequence);
        s.setApproximateCreationDateTime(new Date(1_769_860_800_000L));
        s.setKeys(Map.of("streamId", new AttributeValue().withS(streamId),
                "version", new AttributeValue().withN(Long.toString(version))));
        s.setNewImage(Map.of(
                "streamId", new AttributeValue().withS(streamId),
                "version", new AttributeValue().withN(Long.toString(version)),
                "lastVersion", new AttributeValue().withN(Long.toString(version)),
                "ts", new AttributeValue().withS("2026-01-31T12:00:00.123Z"),
                "meta", new AttributeValue().withM(Map.of("corr", new AttributeValue().withS("corr-1"),
                        "who", new AttributeValue().withS("ann"))),
                "events", new AttributeValue().withL(List.of(new AttributeValue().withM(Map.of(
                        "id", new AttributeValue().withS("e-" + sequence),
                        "type", new AttributeValue().withS(type),
                        "schema", new AttributeValue().withN("1"),
                        "data", new AttributeValue().withS(data)))))));
        r.setDynamodb(s);
        return r;
    }
}
