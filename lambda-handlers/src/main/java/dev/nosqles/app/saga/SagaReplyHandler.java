package dev.nosqles.app.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.lambda.SnapStartPriming;
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
 * The orchestrators' side of the saga-replies queue (standard): replies and deadlines of {@link CreateOrderSaga}s.
 * Holds its {@link SagaReplyQueueHandler} (the managers, the batch policy, the telemetry). Environment: EVENTS_TABLE,
 * SNAPSHOTS_TABLE, SAGA_REPLIES_QUEUE_URL (deadlines that come early are put back), SAGA_DEADLINES_TABLE,
 * AWS_REGION.
 */
public final class SagaReplyHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final SagaReplyQueueHandler queue;
    /** Held here: CRaC keeps resources only weakly. */
    private SnapStartPriming priming;

    /** The Lambda entry point: wires everything once from the process's environment, registers CRaC priming. */
    public SagaReplyHandler() {
        this(FunctionEnvironment.system());
        this.priming = SnapStartPriming.register(this::prime);
    }

    /** Wires from the given environment (the local runtime hands over what template.yaml declares). */
    public SagaReplyHandler(Function<String, String> env) {
        this(FunctionEnvironment.of(env));
    }

    private SagaReplyHandler(FunctionEnvironment env) {
        this(SagaWiring.fromEnvironment(env, false), CreateOrderSaga.definition(), env.telemetry());
    }

    private SagaReplyHandler(SagaWiring wiring, SagaDefinition<CreateOrderSagaData> definition, Telemetry telemetry) {
        this.queue = new SagaReplyQueueHandler(List.of(wiring.manager(definition, telemetry.metrics())), telemetry);
    }

    /** For tests and the local runtime ({@link SagaDeadlines#none()}: without a deadline index). */
    public SagaReplyHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender,
                            SagaDeadlines deadlines, SagaDefinition<CreateOrderSagaData> definition, Clock clock) {
        this.queue = new SagaReplyQueueHandler(List.of(SagaManager.builder(definition).eventStore(events)
                .snapshotStore(snapshots).sender(sender).deadlines(deadlines).clock(clock).build()));
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return queue.handleRequest(event, context);
    }

    /** Harmless work that warms this function ({@link SagaReplyQueueHandler#prime()}). */
    public void prime() {
        queue.prime();
    }
}
