package dev.nosqles.runtime.console;

import dev.nosqles.operations.DeadLetterQueues;
import dev.nosqles.operations.HistoryQuery;
import dev.nosqles.operations.SagaTimelines;
import dev.nosqles.operations.StreamHistories;
import dev.nosqles.operations.SubscriptionLags;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The console's data from the operations library (dev.nosqles.operations), on the running application's AWS. A
 * view whose table the template lacks is null here: it answers {@link ViewUnavailableException} (lag: nothing).
 */
public final class OperationsData implements ConsoleData {
    private final StreamHistories histories;
    private final SagaTimelines timelines;
    private final SubscriptionLags lags;
    private final DeadLetterQueues deadLetters;

    /**
     * @param histories   null when the template has no events table
     * @param timelines   null when the template has no events or saga deadlines table
     * @param lags        null when the template has no events or checkpoints table
     * @param deadLetters the template's dead-letter and on-failure queues
     */
    public OperationsData(StreamHistories histories, SagaTimelines timelines, SubscriptionLags lags,
                          DeadLetterQueues deadLetters) {
        this.histories = histories;
        this.timelines = timelines;
        this.lags = lags;
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    @Override
    public Object history(String aggregateType, String aggregateId, Long atVersion, Instant asOf) {
        if (histories == null) {
            throw new ViewUnavailableException("this template has no EventsTable: no stream histories");
        }
        HistoryQuery query = atVersion != null ? HistoryQuery.atVersion(atVersion)
                : asOf != null ? HistoryQuery.asOf(asOf) : HistoryQuery.all();
        return histories.history(aggregateType, aggregateId, query);
    }

    @Override
    public Optional<?> timeline(String sagaId) {
        if (timelines == null) {
            throw new ViewUnavailableException("this template has no EventsTable or SagaDeadlinesTable: no sagas");
        }
        return timelines.timeline(sagaId);
    }

    @Override
    public List<?> pastDue(Instant now) {
        return timelines == null ? List.of() : timelines.pastDue(now);
    }

    @Override
    public List<?> lags(Instant now) {
        return lags == null ? List.of() : lags.lags(now);
    }

    @Override
    public List<?> deadLetterQueues() {
        return deadLetters.list();
    }

    @Override
    public List<?> deadLetters(String queue, int max) {
        return deadLetters.show(queue, max, true);
    }

    @Override
    public List<String> queueNames() {
        return deadLetters.queues();
    }
}
