package dev.nosqles.runtime.console;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the console shows besides the live records: the operator's views of the operations library
 * (dev.nosqles.operations), each result serialised to JSON as it is. {@link OperationsData} is the real one.
 */
public interface ConsoleData {
    /**
     * A stream's history (a {@code StreamHistory}).
     *
     * @param atVersion up to this version, or null
     * @param asOf      as it was at this instant, or null (never both)
     * @throws dev.nosqles.store.StreamNotFoundException when there is no such stream
     */
    Object history(String aggregateType, String aggregateId, Long atVersion, Instant asOf);

    /** A saga's timeline (a {@code SagaTimeline}), empty when there is no such saga. */
    Optional<?> timeline(String sagaId);

    /** The sagas past due (a {@code PastDueSaga} each). */
    List<?> pastDue(Instant now);

    /** Each subscriber's lag (a {@code SubscriptionLag} each). */
    List<?> lags(Instant now);

    /** The dead-letter and on-failure queues' depths (a {@code QueueDepth} each). */
    List<?> deadLetterQueues();

    /** Up to {@code max} messages of a queue, decoded, with their bodies (a {@code DeadLetter} each); a peek. */
    List<?> deadLetters(String queue, int max);

    /** The queues {@link #deadLetters} knows, by logical id. */
    List<String> queueNames();
}
