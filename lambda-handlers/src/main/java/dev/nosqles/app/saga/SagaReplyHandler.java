package dev.nosqles.app.saga;

import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.lambda.saga.SagaReplyQueueHandler;
import dev.nosqles.saga.SagaDeadlines;
import dev.nosqles.saga.SagaDefinition;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * The orchestrators' side of the saga-replies queue (standard): replies and deadlines of
 * {@link CreateOrderSaga}s. Environment: EVENTS_TABLE, SNAPSHOTS_TABLE, SAGA_REPLIES_QUEUE_URL (deadlines that
 * come early are put back), SAGA_DEADLINES_TABLE, AWS_REGION.
 */
public final class SagaReplyHandler extends SagaReplyQueueHandler {

    public SagaReplyHandler() {
        this(System::getenv);
        enableSnapStartPriming();
    }

    public SagaReplyHandler(Function<String, String> env) {
        this(SagaWiring.fromEnvironment(env, false), CreateOrderSaga.definition(), Telemetry.fromEnvironment(env));
    }

    private SagaReplyHandler(SagaWiring wiring, SagaDefinition<CreateOrderSagaData> definition, Telemetry telemetry) {
        super(List.of(SagaManager.builder(definition).eventStore(wiring.events()).snapshotStore(wiring.snapshots())
                .sender(wiring.sender()).deadlines(wiring.requireDeadlines()).clock(wiring.clock())
                .metrics(telemetry.metrics()).build()), telemetry);
    }

    /** For tests: without a deadline index. */
    public SagaReplyHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender,
                            SagaDefinition<CreateOrderSagaData> definition, Clock clock) {
        this(events, snapshots, sender, SagaDeadlines.none(), definition, clock);
    }

    /** For tests and the local runtime. */
    public SagaReplyHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender,
                            SagaDeadlines deadlines, SagaDefinition<CreateOrderSagaData> definition, Clock clock) {
        super(List.of(SagaManager.builder(definition).eventStore(events).snapshotStore(snapshots).sender(sender)
                .deadlines(deadlines).clock(clock).build()));
    }
}
