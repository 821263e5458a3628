package dev.nosqles.app.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.app.Application;
import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.FunctionEnvironment;
import dev.nosqles.lambda.SnapStartPriming;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.lambda.saga.SagaCommandQueueHandler;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import java.time.Clock;
import java.util.function.Function;

/**
 * The Customer as a saga participant: takes {@code ReserveCredit}/{@code ReleaseCredit} from the customer-commands
 * FIFO queue. Holds its {@link SagaCommandQueueHandler} (the participant, the batch policy, the telemetry).
 * Environment: EVENTS_TABLE, SNAPSHOTS_TABLE, SAGA_REPLIES_QUEUE_URL (for the reply to a command whose customer
 * does not exist), SUBJECT_KEYS_TABLE and PERSONAL_DATA_KEY_ID (loading a customer decrypts its personal data),
 * AWS_REGION.
 */
public final class CustomerCommandHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final SagaCommandQueueHandler queue;
    /** Held here: CRaC keeps resources only weakly. */
    private SnapStartPriming priming;

    /** The Lambda entry point: wires everything once from the process's environment, registers CRaC priming. */
    public CustomerCommandHandler() {
        this(FunctionEnvironment.system());
        this.priming = SnapStartPriming.register(this::prime);
    }

    /** Wires from the given environment (the local runtime hands over what template.yaml declares). */
    public CustomerCommandHandler(Function<String, String> env) {
        this(FunctionEnvironment.of(env));
    }

    private CustomerCommandHandler(FunctionEnvironment env) {
        this(SagaWiring.fromEnvironment(env, false), env.telemetry(), env.batchConcurrency());
    }

    private CustomerCommandHandler(SagaWiring wiring, Telemetry telemetry, int concurrency) {
        this.queue = new SagaCommandQueueHandler(SagaParticipant.builder(Application.customers(wiring.events(),
                wiring.snapshots(), wiring.clock(), Application.subjectKeys(wiring.environment()))
                .metrics(telemetry.metrics()).build(), CreateOrderSaga.CUSTOMER_COMMANDS, wiring.sender())
                .eventStore(wiring.events()).build(), telemetry, concurrency);
    }

    /**
     * For tests and the local runtime.
     *
     * @param subjectKeys those that wrote the customers (other keys cannot decrypt them)
     */
    public CustomerCommandHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender, Clock clock,
                                  SubjectKeys subjectKeys) {
        this.queue = new SagaCommandQueueHandler(SagaParticipant.builder(Application.customers(events, snapshots,
                clock, subjectKeys).build(), CreateOrderSaga.CUSTOMER_COMMANDS, sender).eventStore(events).build());
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return queue.handleRequest(event, context);
    }

    /** The message groups (customers) of a batch handled at once (BATCH_CONCURRENCY, ADR 0019). */
    public int concurrency() {
        return queue.concurrency();
    }

    /** Harmless work that warms this function ({@link SagaCommandQueueHandler#prime()}). */
    public void prime() {
        queue.prime();
    }
}
