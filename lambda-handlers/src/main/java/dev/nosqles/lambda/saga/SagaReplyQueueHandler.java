package dev.nosqles.lambda.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaMessageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Lambda adapter of the saga reply queue (a standard queue): hands replies and deadlines to the
 * {@link SagaManager} of their saga type. Duplicates are dropped by the orchestrator's message-id dedupe, so
 * messages are independent and failures are reported per message.
 */
public class SagaReplyQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SagaReplyQueueHandler.class);

    private final Map<String, SagaManager<?>> managers = new HashMap<>();
    private final dev.nosqles.lambda.Telemetry telemetry;

    private dev.nosqles.lambda.SnapStartPriming priming;

    /** Registers {@link #prime()} to run before a SnapStart checkpoint; call it from a Lambda's no-arg constructor. */
    protected final void enableSnapStartPriming() {
        this.priming = dev.nosqles.lambda.SnapStartPriming.register(this::prime);
    }

    /** Harmless work that warms this function: an empty batch, then one read of an aggregate that never exists. */
    public void prime() {
        com.amazonaws.services.lambda.runtime.events.SQSEvent empty = new com.amazonaws.services.lambda.runtime.events.SQSEvent();
        empty.setRecords(java.util.List.of());
        handleRequest(empty, null);
        managers.values().forEach(SagaManager::prime);
    }

    public SagaReplyQueueHandler(List<SagaManager<?>> managers) {
        this(managers, dev.nosqles.lambda.Telemetry.fromEnvironment(name -> null));
    }

    /** @param telemetry the function's logs and metrics (the managers' repositories count into its metrics) */
    public SagaReplyQueueHandler(List<SagaManager<?>> managers, dev.nosqles.lambda.Telemetry telemetry) {
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        for (SagaManager<?> manager : managers) {
            if (this.managers.put(manager.definition().type(), manager) != null) {
                throw new IllegalArgumentException("two managers for saga type " + manager.definition().type());
            }
        }
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return telemetry.invocation(context, () -> handle(event));
    }

    private SQSBatchResponse handle(SQSEvent event) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage record : records) {
            try (dev.nosqles.logging.LogContext log = telemetry.message(record.getMessageId(), record.getAttributes())) {
                try {
                    SagaMessage message = SagaMessage.fromJson(record.getBody());
                    log.put(dev.nosqles.logging.LogContext.SAGA_ID, message.sagaId())
                            .put(dev.nosqles.logging.LogContext.CORRELATION_ID, message.correlationId());
                    SagaManager<?> manager = managers.get(message.sagaType());
                    if (manager == null) {
                        throw new SagaMessageException("reply", "sagaType", "has no saga manager here");
                    }
                    manager.handle(message);
                    telemetry.handled(SqsRecords.redrivenAt(record));
                } catch (RuntimeException e) {
                    LOG.error("saga reply {} failed: {}", record.getMessageId(),
                            dev.nosqles.logging.LoggableFailures.describe(e),
                            dev.nosqles.logging.LoggableFailures.loggable(e));
                    failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                }
            }
        }
        return new SQSBatchResponse(failures);
    }
}
