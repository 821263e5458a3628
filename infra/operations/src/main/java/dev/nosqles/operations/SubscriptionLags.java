package dev.nosqles.operations;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Each subscriber's lag: the events of its aggregate types written to the events table and not yet handled by it
 * (its checkpoint of the stream is below the stream's last version), with the age of the oldest pending one.
 */
public final class SubscriptionLags {
    private final DynamoDbClient dynamo;
    private final String eventsTable;
    private final String checkpointsTable;
    private final List<SubscriberTypes> subscribers;

    /**
     * @param dynamo the DynamoDB client
     * @param eventsTable the events table's name
     * @param checkpointsTable the checkpoints table's name
     * @param subscribers the subscribers to report on, with the aggregate types each handles
     */
    public SubscriptionLags(DynamoDbClient dynamo, String eventsTable, String checkpointsTable,
                            List<SubscriberTypes> subscribers) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.eventsTable = Objects.requireNonNull(eventsTable, "eventsTable");
        this.checkpointsTable = Objects.requireNonNull(checkpointsTable, "checkpointsTable");
        this.subscribers = List.copyOf(subscribers);
    }

    /** One entry per subscriber, in the order given. */
    public List<SubscriptionLag> lags(Instant now) {
        throw new UnsupportedOperationException("not yet");
    }
}
