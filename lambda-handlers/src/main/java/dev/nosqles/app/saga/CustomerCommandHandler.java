package dev.nosqles.app.saga;

import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.app.customer.Customer;
import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.saga.SagaCommandQueueHandler;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import java.time.Clock;
import java.util.function.Function;

/**
 * The Customer as a saga participant: takes {@code ReserveCredit}/{@code ReleaseCredit} from the
 * customer-commands FIFO queue. Environment: EVENTS_TABLE, SNAPSHOTS_TABLE, SAGA_REPLIES_QUEUE_URL (for the
 * reply to a command whose customer does not exist), AWS_REGION.
 */
public final class CustomerCommandHandler extends SagaCommandQueueHandler {

    public CustomerCommandHandler() {
        this(System::getenv);
        enableSnapStartPriming();
    }

    public CustomerCommandHandler(Function<String, String> env) {
        this(SagaWiring.fromEnvironment(env, false));
    }

    private CustomerCommandHandler(SagaWiring wiring) {
        this(wiring.events(), wiring.snapshots(), wiring.sender(), wiring.clock());
    }

    /** For tests and the local runtime. */
    public CustomerCommandHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender, Clock clock) {
        super(new SagaParticipant<>(AggregateRepository.builder(new Customer()).eventStore(events)
                .snapshotStore(snapshots).clock(clock).build(), CreateOrderSaga.CUSTOMER_COMMANDS, sender, events));
    }
}
