package dev.nosqles.app.saga;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.app.order.Order;
import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.lambda.saga.SagaCommandQueueHandler;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import java.time.Clock;
import java.util.function.Function;

/**
 * The Order as a saga participant: takes {@code ApproveOrder}/{@code RejectOrder} from the
 * order-commands FIFO queue. Environment: EVENTS_TABLE, SNAPSHOTS_TABLE, SAGA_REPLIES_QUEUE_URL (for the
 * reply to a command whose order does not exist), AWS_REGION.
 */
public final class OrderCommandHandler extends SagaCommandQueueHandler {

    public OrderCommandHandler() {
        this(System::getenv);
        enableSnapStartPriming();
    }

    public OrderCommandHandler(Function<String, String> env) {
        this(SagaWiring.fromEnvironment(env, false), Telemetry.fromEnvironment(env));
    }

    private OrderCommandHandler(SagaWiring wiring, Telemetry telemetry) {
        super(SagaParticipant.builder(AggregateRepository.builder(new Order()).eventStore(wiring.events())
                .snapshotStore(wiring.snapshots()).clock(wiring.clock()).metrics(telemetry.metrics())
                .build(), CreateOrderSaga.ORDER_COMMANDS, wiring.sender()).eventStore(wiring.events())
                .build(), telemetry);
    }

    /** For tests and the local runtime. */
    public OrderCommandHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender, Clock clock) {
        super(SagaParticipant.builder(AggregateRepository.builder(new Order()).eventStore(events)
                .snapshotStore(snapshots).clock(clock).build(), CreateOrderSaga.ORDER_COMMANDS, sender)
                .eventStore(events).build());
    }
}
