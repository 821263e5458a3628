package dev.nosqles.app.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.lambda.saga.SagaSweeperHandler;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaSweeper;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The sweeper of the {@link CreateOrderSaga}s, on an EventBridge schedule (every minute in template.yaml): re-sends,
 * compensates or fails the sagas past due in the deadline index (ADR 0005). Holds its {@link SagaSweeperHandler}
 * (the sweeper, the telemetry); it registers no SnapStart priming (as before).
 * Environment: EVENTS_TABLE, SNAPSHOTS_TABLE, SAGA_DEADLINES_TABLE, SAGA_REPLIES_QUEUE_URL, AWS_REGION.
 */
public final class SagaSweepHandler implements RequestHandler<ScheduledEvent, Map<String, Integer>> {
    private final SagaSweeperHandler sweeper;

    /** The Lambda entry point: wires everything once from the process's environment. */
    public SagaSweepHandler() {
        this(FunctionEnvironment.system());
    }

    /** Wires from the given environment (the local runtime hands over what template.yaml declares). */
    public SagaSweepHandler(Function<String, String> env) {
        this(FunctionEnvironment.of(env));
    }

    private SagaSweepHandler(FunctionEnvironment env) {
        this(SagaWiring.fromEnvironment(env, false), CreateOrderSaga.definition(), env.telemetry());
    }

    private SagaSweepHandler(SagaWiring wiring, SagaDefinition<CreateOrderSagaData> definition, Telemetry telemetry) {
        this.sweeper = new SagaSweeperHandler(new SagaSweeper(wiring.requireDeadlines(), List.of(SagaManager
                .builder(definition).eventStore(wiring.events()).snapshotStore(wiring.snapshots())
                .sender(wiring.sender()).deadlines(wiring.requireDeadlines()).clock(wiring.clock())
                .metrics(telemetry.metrics()).build()), wiring.clock(), telemetry.metrics()), telemetry);
    }

    /** For tests and the local runtime. */
    public SagaSweepHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender,
                            SagaDeadlines deadlines, SagaDefinition<CreateOrderSagaData> definition, Clock clock) {
        this.sweeper = new SagaSweeperHandler(new SagaSweeper(deadlines, List.of(SagaManager.builder(definition)
                .eventStore(events).snapshotStore(snapshots).sender(sender).deadlines(deadlines).clock(clock)
                .build()), clock));
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        return sweeper.handleRequest(event, context);
    }
}
