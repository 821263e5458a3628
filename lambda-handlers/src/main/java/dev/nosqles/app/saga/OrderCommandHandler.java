package dev.nosqles.app.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.app.order.Order;
import dev.nosqles.app.order.OrderCommand;
import dev.nosqles.app.order.OrderEvent;
import dev.nosqles.app.order.OrderState;
import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.lambda.SnapStartPriming;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.lambda.saga.SagaCommandQueueHandler;
import dev.nosqles.metrics.Metrics;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import java.time.Clock;
import java.util.function.Function;

/**
 * The Order as a saga participant: takes {@code ApproveOrder}/{@code RejectOrder} from the order-commands FIFO
 * queue: those the stream function could not handle itself (ADR 0015), redriven ones, and any other sender's. Holds its {@link SagaCommandQueueHandler} (the participant, the batch policy, the telemetry). Environment:
 * EVENTS_TABLE, SNAPSHOTS_TABLE, SAGA_REPLIES_QUEUE_URL (for the reply to a command whose order does not exist),
 * AWS_REGION.
 */
public final class OrderCommandHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final SagaCommandQueueHandler queue;
    /** Held here: CRaC keeps resources only weakly. */
    private SnapStartPriming priming;

    /** The Lambda entry point: wires everything once from the process's environment, registers CRaC priming. */
    public OrderCommandHandler() {
        this(FunctionEnvironment.system());
        this.priming = SnapStartPriming.register(this::prime);
    }

    /** Wires from the given environment (the local runtime hands over what template.yaml declares). */
    public OrderCommandHandler(Function<String, String> env) {
        this(FunctionEnvironment.of(env));
    }

    private OrderCommandHandler(FunctionEnvironment env) {
        this(SagaWiring.fromEnvironment(env, false), env.telemetry());
    }

    private OrderCommandHandler(SagaWiring wiring, Telemetry telemetry) {
        this.queue = new SagaCommandQueueHandler(participant(wiring.events(), wiring.snapshots(), wiring.clock(),
                telemetry.metrics(), wiring.sender()), telemetry);
    }

    /** For tests and the local runtime. */
    public OrderCommandHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender, Clock clock) {
        this.queue = new SagaCommandQueueHandler(participant(events, snapshots, clock, Metrics.none(), sender));
    }

    /**
     * The Order as a participant of {@link CreateOrderSaga#ORDER_COMMANDS}, here and in the stream function, which
     * handles the saga's Order commands in process (ADR 0015).
     *
     * @param sender where its direct replies go (to a command whose order does not exist, or the recorded reply
     *               of a duplicate): the reply queue
     */
    static SagaParticipant<OrderState, OrderCommand, OrderEvent> participant(EventStore events,
                                                                            SnapshotStore snapshots, Clock clock,
                                                                            Metrics metrics,
                                                                            SagaMessageSender sender) {
        return SagaParticipant.builder(AggregateRepository.builder(new Order()).eventStore(events)
                .snapshotStore(snapshots).clock(clock).metrics(metrics).build(), CreateOrderSaga.ORDER_COMMANDS,
                sender).eventStore(events).build();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return queue.handleRequest(event, context);
    }

    /** Harmless work that warms this function ({@link SagaCommandQueueHandler#prime()}). */
    public void prime() {
        queue.prime();
    }
}
