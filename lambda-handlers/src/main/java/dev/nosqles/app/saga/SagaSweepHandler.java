package dev.nosqles.app.saga;

import dev.nosqles.app.saga.internal.SagaWiring;
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
import java.util.function.Function;

/**
 * The sweeper of the {@link CreateOrderSaga}s, on an EventBridge schedule (every minute in template.yaml): re-sends,
 * compensates or fails the sagas past due in the deadline index (ADR 0005). Environment: EVENTS_TABLE,
 * SNAPSHOTS_TABLE, SAGA_DEADLINES_TABLE, SAGA_REPLIES_QUEUE_URL, AWS_REGION.
 */
public final class SagaSweepHandler extends SagaSweeperHandler {

    public SagaSweepHandler() {
        this(System::getenv);
    }

    public SagaSweepHandler(Function<String, String> env) {
        this(SagaWiring.fromEnvironment(env, false), CreateOrderSaga.definition(), Telemetry.fromEnvironment(env));
    }

    private SagaSweepHandler(SagaWiring wiring, SagaDefinition<CreateOrderSagaData> definition, Telemetry telemetry) {
        super(new SagaSweeper(wiring.requireDeadlines(), List.of(SagaManager.builder(definition)
                .eventStore(wiring.events()).snapshotStore(wiring.snapshots()).sender(wiring.sender())
                .deadlines(wiring.requireDeadlines()).clock(wiring.clock()).metrics(telemetry.metrics()).build()),
                wiring.clock(), telemetry.metrics()), telemetry);
    }

    /** For tests and the local runtime. */
    public SagaSweepHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender,
                            SagaDeadlines deadlines, SagaDefinition<CreateOrderSagaData> definition, Clock clock) {
        super(new SagaSweeper(deadlines, List.of(SagaManager.builder(definition).eventStore(events)
                .snapshotStore(snapshots).sender(sender).deadlines(deadlines).clock(clock).build()), clock));
    }
}
