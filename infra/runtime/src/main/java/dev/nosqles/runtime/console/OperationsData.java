package dev.nosqles.runtime.console;

import dev.nosqles.operations.DeadLetterQueues;
import dev.nosqles.operations.SubscriptionLags;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The console's data from the operations library (dev.nosqles.operations), on the running application's AWS. */
public final class OperationsData implements ConsoleData {
    private final StandInViews views;
    private final SubscriptionLags lags;
    private final DeadLetterQueues deadLetters;

    /**
     * @param views histories, timelines and sagas past due; null when the template has no events table
     * @param lags  null when the template has no events or checkpoints table
     */
    public OperationsData(StandInViews views, SubscriptionLags lags, DeadLetterQueues deadLetters) {
        this.views = views;
        this.lags = lags;
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    @Override
    public Object history(String aggregateType, String aggregateId, Long atVersion, Instant asOf) {
        return views().history(aggregateType, aggregateId, atVersion, asOf);
    }

    @Override
    public Optional<?> timeline(String sagaId) {
        return views().timeline(sagaId);
    }

    @Override
    public List<?> pastDue(Instant now) {
        return views == null ? List.of() : views.pastDue(now);
    }

    private StandInViews views() {
        if (views == null) {
            throw new ViewUnavailableException("this template has no EventsTable: no histories or sagas");
        }
        return views;
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
