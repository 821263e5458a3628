package dev.nosqles.saga;

import dev.nosqles.logging.LogContext;
import dev.nosqles.metrics.Metric;
import dev.nosqles.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the sagas past due in {@link SagaDeadlines} and hands each to its {@link SagaManager#expire}: the
 * orchestrator re-sends, compensates or fails it (ADR 0005). Run it on a schedule (an EventBridge rule, every
 * minute in the reference template). It is the safety net under the deadline messages: it finds sagas whose
 * deadline message was never sent (the stream function gave up on the {@code SagaCommandEvent}) or died in a
 * dead-letter queue. Each sweep logs one line with the number of sagas past due (no payload).
 *
 * <p>Requests per sweep: one Scan page per MB of running sagas, then per saga past due one Query (load), one
 * PutItem (the orchestrator's commit) and one PutItem or DeleteItem (the index).
 */
public final class SagaSweeper {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SagaSweeper.class);

    private final SagaDeadlines deadlines;
    private final Map<String, SagaManager<?>> managers = new HashMap<>();
    private final Clock clock;
    private final Metrics metrics;
    private final Duration grace;

    public SagaSweeper(SagaDeadlines deadlines, List<SagaManager<?>> managers, Clock clock) {
        this(deadlines, managers, clock, Metrics.none());
    }

    /** @param metrics where each sweep reports the sagas it found past due ({@link Metric#SAGAS_PAST_DUE}) */
    public SagaSweeper(SagaDeadlines deadlines, List<SagaManager<?>> managers, Clock clock, Metrics metrics) {
        this(deadlines, managers, clock, metrics, Duration.ZERO);
    }

    /**
     * @param grace how long past due a saga must be before the sweeper acts on it: the deadline message arrives at
     *              the deadline when it is not lost, and a command the stream has not relayed yet (a backlog) has
     *              not started its participant's window (ADR 0011); zero: at the deadline
     */
    public SagaSweeper(SagaDeadlines deadlines, List<SagaManager<?>> managers, Clock clock, Metrics metrics,
                       Duration grace) {
        this.grace = Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (SagaManager<?> manager : managers) {
            if (this.managers.put(manager.definition().type(), manager) != null) {
                throw new IllegalArgumentException("two managers for saga type " + manager.definition().type());
            }
        }
    }

    /**
     * What one sweep found and did.
     *
     * @param pastDue sagas past due
     * @param handled handed to their orchestrator (re-sent, compensated, failed, or found already moved on)
     * @param failed could not be handled this time (left for the next sweep)
     */
    public record Sweep(int pastDue, int handled, int failed) {
    }

    /**
     * One sweep: the sagas past due by more than the grace. Failures of single sagas are logged and left for the
     * next sweep.
     */
    public Sweep sweep() {
        List<SagaDeadlines.Entry> due = deadlines.due(clock.instant().minus(grace));
        LOG.info("saga sweep: {} sagas past due", due.size());
        metrics.add(Metric.SAGAS_PAST_DUE, due.size());
        int handled = 0;
        int failed = 0;
        for (SagaDeadlines.Entry entry : due) {
            SagaManager<?> manager = managers.get(entry.sagaType());
            if (manager == null) {
                LOG.warn("saga sweep: no manager for saga type {}", entry.sagaType());
                failed++;
                continue;
            }
            try {
                manager.expire(entry);
                handled++;
            } catch (RuntimeException e) {
                try (LogContext log = LogContext.open().put(LogContext.SAGA_ID, entry.sagaId())) {
                    LOG.error("saga sweep: saga {} failed: {}", entry.sagaId(), e.toString(), e);
                }
                failed++;
            }
        }
        return new Sweep(due.size(), handled, failed);
    }
}
