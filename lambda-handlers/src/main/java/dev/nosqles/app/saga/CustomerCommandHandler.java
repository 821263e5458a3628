package dev.nosqles.app.saga;

import dev.nosqles.app.Application;
import dev.nosqles.app.saga.internal.SagaWiring;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.lambda.saga.SagaCommandQueueHandler;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.memory.InMemorySubjectKeys;
import dev.nosqles.saga.SagaMessageSender;
import dev.nosqles.saga.SagaParticipant;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.SnapshotStore;
import java.time.Clock;
import java.util.function.Function;

/**
 * The Customer as a saga participant: takes {@code ReserveCredit}/{@code ReleaseCredit} from the
 * customer-commands FIFO queue. Environment: EVENTS_TABLE, SNAPSHOTS_TABLE, SAGA_REPLIES_QUEUE_URL (for the
 * reply to a command whose customer does not exist), SUBJECT_KEYS_TABLE and PERSONAL_DATA_KEY_ID (loading a
 * customer decrypts its personal data), AWS_REGION.
 */
public final class CustomerCommandHandler extends SagaCommandQueueHandler {

    public CustomerCommandHandler() {
        this(System::getenv);
        enableSnapStartPriming();
    }

    public CustomerCommandHandler(Function<String, String> env) {
        this(SagaWiring.fromEnvironment(env, false), env, Telemetry.fromEnvironment(env));
    }

    private CustomerCommandHandler(SagaWiring wiring, Function<String, String> env, Telemetry telemetry) {
        super(SagaParticipant.builder(Application.customers(wiring.events(), wiring.snapshots(), wiring.clock(),
                Application.subjectKeys(env, wiring.dynamoDb())).metrics(telemetry.metrics())
                        .build(), CreateOrderSaga.CUSTOMER_COMMANDS, wiring.sender()).eventStore(wiring.events())
                        .build(), telemetry);
    }

    /** For tests: subject keys in memory. */
    public CustomerCommandHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender, Clock clock) {
        this(events, snapshots, sender, clock, new InMemorySubjectKeys());
    }

    /** For tests and the local runtime. */
    public CustomerCommandHandler(EventStore events, SnapshotStore snapshots, SagaMessageSender sender, Clock clock,
                                  SubjectKeys subjectKeys) {
        super(SagaParticipant.builder(Application.customers(events, snapshots, clock, subjectKeys)
                .build(), CreateOrderSaga.CUSTOMER_COMMANDS, sender).eventStore(events).build());
    }
}
