package dev.nosqles.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.projection.AccountSummaries;
import dev.nosqles.projection.Projection;
import dev.nosqles.store.StreamId;
import dev.nosqles.testsupport.TestTables;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Operations tools list a subscriber's checkpoints through the store, not through its item layout. */
class CheckpointListingTest {
    @Test
    void all_positions_lists_every_checkpoint_of_one_subscriber_and_no_other() {
        // given checkpoints of two subscribers
        CapacityMeter meter = new CapacityMeter();
        DynamoDbClient client = TestTables.client(meter);
        String table = "listing-checkpoints-" + UUID.randomUUID().toString().substring(0, 8);
        EventTables.createCheckpointsTable(client, table);
        DynamoDbCheckpointStore checkpoints = DynamoDbCheckpointStore.builder().client(client).tableName(table).build();
        StreamId a = StreamId.of("Order", "a");
        StreamId b = StreamId.of("Order", "b");
        checkpoints.advance("projector", a, 0, 3, List.of());
        checkpoints.advance("projector", b, 0, 1, List.of());
        checkpoints.advance("projector", b, 1, 2, List.of());
        checkpoints.advance("publisher", a, 0, 9, List.of());

        // when one subscriber's are listed
        CapacityMeter.Usage before = meter.usage();
        Map<StreamId, Long> positions = checkpoints.allPositions("projector", 100);

        // then they are its own, at their last version, read in one Query
        assertThat(positions).containsExactlyInAnyOrderEntriesOf(Map.of(a, 3L, b, 2L));
        assertThat(meter.usage().minus(before).totalRequests()).isEqualTo(1);
        assertThat(checkpoints.allPositions("nobody", 100)).isEmpty();
    }

    @Test
    void a_read_model_version_keeps_its_checkpoints_under_the_subscriber_name_its_live_feed_uses() {
        // given read models with one projection, on fresh tables
        DynamoDbClient client = TestTables.client(new CapacityMeter());
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String readModels = "listing-read-models-" + suffix;
        String checkpointsTable = "listing-rm-checkpoints-" + suffix;
        DynamoDbReadModels.createTable(client, readModels);
        EventTables.createCheckpointsTable(client, checkpointsTable);
        Projection<?> projection = AccountSummaries.projection();
        DynamoDbReadModels models = DynamoDbReadModels.builder().client(client).readModelsTable(readModels)
                .checkpointsTable(checkpointsTable).eventStore(new InMemoryEventStore())
                .eventsTable(TestTables.newEventsTable(client, "listing"))
                .projections(List.of(projection))
                .cursorKey("0123456789abcdef0123456789abcdef-test-key".getBytes(StandardCharsets.UTF_8)).build();

        // when the live feed asks for its subscribers (registering version 1)
        List<String> names = models.subscribers().stream().map(s -> s.name()).toList();

        // then an operator finds version 1's checkpoints under the public name
        assertThat(names).containsExactly(DynamoDbReadModels.checkpointSubscriber(projection.name(), 1));
        assertThat(DynamoDbReadModels.checkpointSubscriber(projection.name(), 1))
                .isNotEqualTo(DynamoDbReadModels.checkpointSubscriber(projection.name(), 2));
    }
}
