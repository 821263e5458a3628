package dev.nosqles.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.store.CorruptStoreException;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.testsupport.TestTables;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The public decoder of the events table's items, as the stream delivers them, and its encoder for tests. */
class DynamoDbStreamImagesTest {
    private static final Instant AT = Instant.parse("2026-11-30T10:15:30.123Z");
    private static final StreamId STREAM = StreamId.of("Account", "a-1");

    @Test
    void an_item_the_dynamodb_store_wrote_decodes_into_its_recorded_events_and_commit_timestamp() {
        // given a commit of two events appended through the DynamoDB store
        DynamoDbClient client = TestTables.client(new CapacityMeter());
        String table = TestTables.newEventsTable(client, "images");
        DynamoDbEventStore store = DynamoDbEventStore.builder().client(client).tableName(table)
                .clock(Clock.fixed(AT, ZoneOffset.UTC)).build();
        List<NewEvent> events = List.of(new NewEvent(UUID.randomUUID(), "Opened", 1, "{\"owner\":\"ann\"}"),
                new NewEvent(UUID.randomUUID(), "Deposited", 2, "{\"amount\":25.00}"));
        EventMetadata metadata = new EventMetadata("corr-1", "cause-1", "msg-1", "ann");
        store.append(STREAM, ExpectedVersion.noStream(), events, metadata);
        Map<String, AttributeValue> item = client.scan(b -> b.tableName(table)).items().get(0);

        // when the item is decoded as a stream image
        DynamoDbStreamImages.Commit commit = DynamoDbStreamImages.decode(item);

        // then it is the commit the store reads back, event by event
        assertThat(DynamoDbStreamImages.isCommit(item)).isTrue();
        assertThat(commit.streamId()).isEqualTo(STREAM);
        assertThat(commit.firstVersion()).isEqualTo(1);
        assertThat(commit.lastVersion()).isEqualTo(2);
        assertThat(commit.timestamp()).isEqualTo(AT);
        assertThat(commit.metadata().correlationId()).isEqualTo("corr-1");
        assertThat(commit.events()).containsExactlyElementsOf(store.read(STREAM,
                dev.nosqles.store.ReadRequest.from(1)).events());
        assertThat(DynamoDbStreamImages.commitTimestamp(item)).contains(AT);
        assertThat(DynamoDbStreamImages.eventCount(item)).isEqualTo(2);
        // and the encoder writes that same item
        assertThat(DynamoDbStreamImages.encode(STREAM, 1, events, metadata, AT)).isEqualTo(item);
    }

    @Test
    void an_encoded_commit_decodes_back_to_its_events_at_their_versions() {
        List<NewEvent> events = List.of(new NewEvent(UUID.randomUUID(), "Deposited", 1, "{\"amount\":1}"),
                new NewEvent(UUID.randomUUID(), "Deposited", 1, "{\"amount\":2}"));

        DynamoDbStreamImages.Commit commit = DynamoDbStreamImages.decode(
                DynamoDbStreamImages.encode(STREAM, 7, events, EventMetadata.empty(), AT));

        assertThat(commit.events()).extracting(e -> e.version()).containsExactly(7L, 8L);
        assertThat(commit.events()).extracting(e -> e.eventId())
                .containsExactly(events.get(0).eventId(), events.get(1).eventId());
        assertThat(commit.events()).extracting(e -> e.data()).containsExactly("{\"amount\":1}", "{\"amount\":2}");
    }

    @Test
    void an_image_that_is_not_a_commit_has_no_timestamp_and_a_broken_commit_is_a_typed_failure() {
        Map<String, AttributeValue> other = Map.of("subscriber", AttributeValue.fromS("x"));
        Map<String, AttributeValue> broken = new HashMap<>(DynamoDbStreamImages.encode(STREAM, 1,
                List.of(new NewEvent(UUID.randomUUID(), "Opened", 1, "{}")), EventMetadata.empty(), AT));
        broken.put("ts", AttributeValue.fromS("yesterday"));

        assertThat(DynamoDbStreamImages.isCommit(other)).isFalse();
        assertThat(DynamoDbStreamImages.isCommit(null)).isFalse();
        assertThat(DynamoDbStreamImages.commitTimestamp(other)).isEmpty();
        assertThat(DynamoDbStreamImages.commitTimestamp(broken)).isEmpty();
        assertThatThrownBy(() -> DynamoDbStreamImages.decode(broken)).isInstanceOf(CorruptStoreException.class);
        assertThatThrownBy(() -> DynamoDbStreamImages.eventCount(other)).isInstanceOf(CorruptStoreException.class);
        assertThatThrownBy(() -> DynamoDbStreamImages.encode(STREAM, 1, List.of(), EventMetadata.empty(), AT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_key_attribute_names_are_the_events_table_keys() {
        DynamoDbClient client = TestTables.client(new CapacityMeter());
        String table = TestTables.newEventsTable(client, "keys");

        var keys = client.describeTable(b -> b.tableName(table)).table().keySchema();

        assertThat(keys).extracting(k -> k.attributeName())
                .containsExactly(EventTables.STREAM_ID_ATTRIBUTE, EventTables.VERSION_ATTRIBUTE);
    }
}
