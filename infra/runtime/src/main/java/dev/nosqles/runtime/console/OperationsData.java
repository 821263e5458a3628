package dev.nosqles.runtime.console;

import dev.nosqles.operations.DeadLetterQueues;
import dev.nosqles.operations.SubscriptionLags;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The console's data from the operations library (dev.nosqles.operations), on the running application's AWS. */
public final class OperationsData implements ConsoleData {
    private final SubscriptionLags lags;
    private final DeadLetterQueues deadLetters;

    /** @param lags null when the template has no events or checkpoints table */
    public OperationsData(SubscriptionLags lags, DeadLetterQueues deadLetters) {
        this.lags = lags;
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    @Override
    public Object history(String aggregateType, String aggregateId, Long atVersion, Instant asOf) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public Optional<?> timeline(String sagaId) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public List<?> pastDue(Instant now) {
        return List.of();
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
