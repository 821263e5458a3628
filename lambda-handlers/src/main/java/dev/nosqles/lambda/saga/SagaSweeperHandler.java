package dev.nosqles.lambda.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.nosqles.saga.SagaSweeper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Lambda adapter of a {@link SagaSweeper} on an EventBridge schedule: one sweep per invocation. The event's
 * content is not used. Answers the sweep's counts ({@code pastDue}, {@code handled}, {@code failed}); a saga that
 * could not be handled is left for the next sweep, so the invocation itself does not fail for it. Holds the sweeper
 * and the function's {@link dev.nosqles.lambda.Telemetry}; an application's entry point holds one (see
 * {@code dev.nosqles.app.saga.SagaSweepHandler}).
 */
public final class SagaSweeperHandler implements RequestHandler<ScheduledEvent, Map<String, Integer>> {
    private final SagaSweeper sweeper;
    private final dev.nosqles.lambda.Telemetry telemetry;

    /** Without logs' service name or metrics namespace (tests). */
    public SagaSweeperHandler(SagaSweeper sweeper) {
        this(sweeper, dev.nosqles.lambda.Telemetry.fromEnvironment(name -> null));
    }

    /** @param telemetry the function's logs and metrics (the sweeper and its managers count into its metrics) */
    public SagaSweeperHandler(SagaSweeper sweeper, dev.nosqles.lambda.Telemetry telemetry) {
        this.sweeper = Objects.requireNonNull(sweeper, "sweeper");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        return telemetry.invocation(context, this::sweep);
    }

    private Map<String, Integer> sweep() {
        SagaSweeper.Sweep sweep = sweeper.sweep();
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("pastDue", sweep.pastDue());
        counts.put("handled", sweep.handled());
        counts.put("failed", sweep.failed());
        return counts;
    }
}
