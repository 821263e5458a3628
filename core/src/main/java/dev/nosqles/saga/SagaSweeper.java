package dev.nosqles.saga;

import java.lang.System.Logger.Level;
import java.time.Clock;
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
    private static final System.Logger LOG = System.getLogger(SagaSweeper.class.getName());

    private final SagaDeadlines deadlines;
    private final Map<String, SagaManager<?>> managers = new HashMap<>();
    private final Clock clock;

    public SagaSweeper(SagaDeadlines deadlines, List<SagaManager<?>> managers, Clock clock) {
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

    /** One sweep. Failures of single sagas are logged and left for the next sweep. */
    public Sweep sweep() {
        List<SagaDeadlines.Entry> due = deadlines.due(clock.instant());
        LOG.log(Level.INFO, "saga sweep: {0} sagas past due", due.size());
        int handled = 0;
        int failed = 0;
        for (SagaDeadlines.Entry entry : due) {
            SagaManager<?> manager = managers.get(entry.sagaType());
            if (manager == null) {
                LOG.log(Level.WARNING, "saga sweep: no manager for saga type {0}", entry.sagaType());
                failed++;
                continue;
            }
            try {
                manager.expire(entry);
                handled++;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "saga sweep: saga {0} failed: {1}", entry.sagaId(), e.getClass().getName());
                failed++;
            }
        }
        return new Sweep(due.size(), handled, failed);
    }
}
