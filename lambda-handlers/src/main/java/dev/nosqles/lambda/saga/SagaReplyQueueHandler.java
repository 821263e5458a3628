package dev.nosqles.lambda.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.lambda.SqsBatchHandler;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.logging.LogContext;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Lambda adapter of the saga reply queue (a standard queue): hands replies and deadlines to the
 * {@link SagaManager} of their saga type. Holds the managers and an {@link SqsBatchHandler} (which holds the
 * function's {@link Telemetry}). Duplicates are dropped by the orchestrator's message-id dedupe, so messages are independent and
 * a failure fails only its own message (on a FIFO reply queue, the later messages of its group too).
 *
 * <p>An application's entry point holds one (see {@code dev.nosqles.app.saga.SagaReplyHandler}) and registers
 * {@link #prime()} with {@link dev.nosqles.lambda.SnapStartPriming} from its no-arg constructor.
 */
public final class SagaReplyQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final Map<String, SagaManager<?>> managers = new HashMap<>();
    private final SqsBatchHandler<SagaMessage> batch;

    /** Without logs' service name or metrics namespace (tests). */
    public SagaReplyQueueHandler(List<SagaManager<?>> managers) {
        this(managers, Telemetry.fromEnvironment(name -> null));
    }

    /**
     * @param telemetry the function's logs and metrics (the managers' repositories count into its metrics)
     * @throws IllegalArgumentException two managers of one saga type
     */
    public SagaReplyQueueHandler(List<SagaManager<?>> managers, Telemetry telemetry) {
        Objects.requireNonNull(telemetry, "telemetry");
        for (SagaManager<?> manager : managers) {
            if (this.managers.put(manager.definition().type(), manager) != null) {
                throw new IllegalArgumentException("two managers for saga type " + manager.definition().type());
            }
        }
        this.batch = new SqsBatchHandler<>("saga reply", SagaMessage::fromJson, this::handle, telemetry);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return batch.handleRequest(event, context);
    }

    /** Harmless work that warms this function: an empty batch, then one read of an aggregate that never exists. */
    public void prime() {
        batch.primeWithEmptyBatch();
        managers.values().forEach(SagaManager::prime);
    }

    private void handle(SagaMessage message, LogContext log) {
        log.put(LogContext.SAGA_ID, message.sagaId()).put(LogContext.CORRELATION_ID, message.correlationId());
        SagaManager<?> manager = managers.get(message.sagaType());
        if (manager == null) {
            throw new SagaMessageException("reply", "sagaType", "has no saga manager here");
        }
        manager.handle(message);
    }
}
