package dev.nosqles.operations;

import java.util.List;
import java.util.Objects;

/**
 * A subscriber and the aggregate types it handles (the application's wiring knows them; the tables do not).
 *
 * @param subscriber its name, as in the checkpoints table
 * @param aggregateTypes the aggregate types of the streams it handles
 */
public record SubscriberTypes(String subscriber, List<String> aggregateTypes) {
    public SubscriberTypes {
        Objects.requireNonNull(subscriber, "subscriber");
        aggregateTypes = List.copyOf(aggregateTypes);
    }
}
