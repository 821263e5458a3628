package dev.nosqles.runtime.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FilterCriteria on a stream mapping, on moto: records matching no filter are never handed over and their position
 * is settled, so a batch of only such records costs no invocation and a restarted poller does not read them again.
 */
class StreamFilterTest {
    private static final EsmFixture fx = new EsmFixture();
    private static final EventFilter ORDERS_ONLY = EventFilter.of(List.of(
            "{\"dynamodb\":{\"NewImage\":{\"streamId\":{\"S\":[{\"prefix\":\"Order-\"}]}}}}"));
    private static String table;
    private static String checkpoints;

    @BeforeAll
    static void tables() {
        table = fx.newEventsTable("esm-filter");
        checkpoints = EsmFixture.unique("esm-checkpoints");
    }

    private static StreamMapping mapping() {
        return StreamMapping.defaults(EsmFixture.unique("filter"), "publisher", table)
                .withStartingPosition(StartingPosition.LATEST).withFilter(ORDERS_ONLY);
    }

    private static RequestHandler<DynamodbEvent, Void> recording(List<String> seen) {
        return (event, context) -> {
            event.getRecords().forEach(r -> seen.add(r.getDynamodb().getNewImage().get("streamId").getS() + "/"
                    + EsmFixture.n(r)));
            return null;
        };
    }

    @Test
    void only_matching_records_are_handed_over_and_a_batch_of_none_invokes_nobody() {
        StreamMapping mapping = mapping();
        List<String> seen = new ArrayList<>();
        List<Integer> invocations = new ArrayList<>();
        RequestHandler<DynamodbEvent, Void> recorder = recording(seen);
        DynamoDbStreamPoller poller = new DynamoDbStreamPoller(mapping, (event, context) -> {
            invocations.add(event.getRecords().size());
            return recorder.handleRequest(event, context);
        }, fx.clients, checkpoints);
        fx.putEvents(table, "CreateOrderSaga-a", 1, 3);

        assertThat(poller.drainUntilIdle()).as("invocations").isZero();

        fx.putEvents(table, "Order-b", 1, 2);
        fx.putEvents(table, "CreateOrderSaga-c", 1, 1);
        poller.drainUntilIdle();

        assertThat(seen).containsExactly("Order-b/1", "Order-b/2");
        assertThat(invocations).containsExactly(2);
    }

    @Test
    void a_filtered_out_position_is_settled_so_a_new_poller_starts_after_it() {
        StreamMapping mapping = mapping();
        DynamoDbStreamPoller before = new DynamoDbStreamPoller(mapping, recording(new ArrayList<>()), fx.clients,
                checkpoints);
        fx.putEvents(table, "CreateOrderSaga-d", 1, 4);
        before.drainUntilIdle();

        List<String> seen = new ArrayList<>();
        // the same mapping id without a filter: anything it is handed had not been settled
        DynamoDbStreamPoller after = new DynamoDbStreamPoller(mapping.withFilter(EventFilter.none()),
                recording(seen), fx.clients, checkpoints);
        fx.putEvents(table, "Order-e", 1, 1);
        after.drainUntilIdle();

        assertThat(seen).containsExactly("Order-e/1");
    }
}
