package dev.nosqles.operations;

import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.store.EventStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Sagas as an operator sees them: one saga's timeline, and the sagas past due.
 */
public final class SagaTimelines {
    /** The kinds of {@link TimelineEntry}, in the order of a saga's life. */
    public static final List<String> KINDS = List.of("STARTED", "COMMAND_SENT", "COMMAND_RESENT", "COMMAND_HANDLED",
            "REPLY", "DEADLINE_EXPIRED", "COMPENSATING", "COMPLETED", "FAILED");
    /** The lane of the saga's orchestrator. */
    public static final String ORCHESTRATOR = "orchestrator";

    private final EventStore store;
    private final SagaDeadlines deadlines;
    private final List<String> sagaTypes;
    private final Map<String, String> channelTypes;

    /**
     * @param store the application's event store
     * @param deadlines the index of running sagas by due time (a {@code DynamoDbSagaDeadlines})
     * @param sagaTypes the saga types of the application (a saga id is looked up under each)
     * @param channelTypes each saga channel's name to the aggregate type of its participant
     */
    public SagaTimelines(EventStore store, SagaDeadlines deadlines, List<String> sagaTypes,
                         Map<String, String> channelTypes) {
        this.store = Objects.requireNonNull(store, "store");
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.sagaTypes = List.copyOf(sagaTypes);
        this.channelTypes = Map.copyOf(channelTypes);
    }

    public Optional<SagaTimeline> timeline(String sagaId) {
        throw new UnsupportedOperationException("not yet");
    }

    public List<PastDueSaga> pastDue(Instant now) {
        throw new UnsupportedOperationException("not yet");
    }
}
