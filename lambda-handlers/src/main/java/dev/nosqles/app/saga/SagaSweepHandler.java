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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The sweeper of the {@link CreateOrderSaga}s, on an EventBridge schedule (every minute in template.yaml): re-sends,
 * compensates or fails the sagas past due in the deadline index (ADR 0005). Holds its {@link SagaSweeperHandler}
 * (the sweeper, the telemetry); it registers no SnapStart priming (as before).
 * Environment: EVENTS_TABLE, SNAPSHOTS_TABLE, SAGA_DEADLINES_TABLE, SAGA_REPLIES_QUEUE_URL, AWS_REGION, and
 * optionally {@value #GRACE_VARIABLE} (how long past due a saga must be before the sweeper acts; 0 when absent) and
 * SAGA_UNSENT_COMMAND_ALLOWANCE_SECONDS (deadlines kept by the sweeper alone, ADR 0013: as the sagas' other
 * functions have it).
 */
public final class SagaSweepHandler implements RequestHandler<ScheduledEvent, Map<String, Integer>> {
    /** How long past due a saga must be before the sweeper acts (seconds; ADR 0011). */
    public static final String GRACE_VARIABLE = "SAGA_SWEEP_GRACE_SECONDS";

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
        this(SagaWiring.fromEnvironment(env, false), CreateOrderSaga.definition(), env.telemetry(),
                grace(env.optional(GRACE_VARIABLE), env.optional(SagaWiring.UNSENT_COMMAND_ALLOWANCE)));
    }

    /**
     * The grace, checked against the deadline mode: with sweeper deadlines (ADR 0013) the sweeper is the only keeper
     * of the deadlines and an unsent command's entry already waits its allowance, so a grace would only delay every
     * deadline; refused, naming both variables.
     */
    static Duration grace(String grace, String unsentAllowance) {
        Duration value = grace(grace);
        if (!value.isZero() && SagaWiring.seconds(SagaWiring.UNSENT_COMMAND_ALLOWANCE, unsentAllowance,
                86_400) != null) {
            throw new IllegalArgumentException(GRACE_VARIABLE + " must be 0 when "
                    + SagaWiring.UNSENT_COMMAND_ALLOWANCE + " is set (deadlines kept by the sweeper alone)");
        }
        return value;
    }

    private SagaSweepHandler(SagaWiring wiring, SagaDefinition<CreateOrderSagaData> definition, Telemetry telemetry,
                             Duration grace) {
        this.sweeper = new SagaSweeperHandler(new SagaSweeper(wiring.requireDeadlines(),
                List.of(wiring.manager(definition, telemetry.metrics())), wiring.clock(), telemetry.metrics(), grace),
                telemetry);
    }

    /**
     * {@value #GRACE_VARIABLE}: whole seconds, 0 to 3600; absent: 0 (the sweeper acts at the deadline).
     *
     * @throws IllegalArgumentException not such a number (the function refuses to start, naming the variable)
     */
    static Duration grace(String value) {
        Duration grace = SagaWiring.seconds(GRACE_VARIABLE, value, 3600);
        return grace == null ? Duration.ZERO : grace;
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
