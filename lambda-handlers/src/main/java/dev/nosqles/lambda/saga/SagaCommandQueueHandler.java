package dev.nosqles.lambda.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaParticipant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Lambda adapter of a {@link SagaParticipant} on its FIFO command queue. Reports failures per message: the
 * first failed message and every message after it in the batch (FIFO: a later command of the same aggregate may
 * not overtake a failed one), so that SQS redelivers them in order. The mapping must set
 * {@code FunctionResponseTypes: [ReportBatchItemFailures]}.
 */
public class SagaCommandQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SagaCommandQueueHandler.class);

    private final SagaParticipant<?, ?, ?> participant;
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
        participant.prime();
    }

    public SagaCommandQueueHandler(SagaParticipant<?, ?, ?> participant) {
        this(participant, dev.nosqles.lambda.Telemetry.fromEnvironment(name -> null));
    }

    /** @param telemetry the function's logs and metrics (the participant's repository counts into its metrics) */
    public SagaCommandQueueHandler(SagaParticipant<?, ?, ?> participant, dev.nosqles.lambda.Telemetry telemetry) {
        this.participant = Objects.requireNonNull(participant, "participant");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return telemetry.invocation(context, () -> handle(event));
    }

    private SQSBatchResponse handle(SQSEvent event) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage record : records) {
            if (!failures.isEmpty()) {
                failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                continue;
            }
            try (dev.nosqles.logging.LogContext log = telemetry.message(record.getMessageId(), record.getAttributes())) {
                try {
                    if (!(SagaMessage.fromJson(record.getBody()) instanceof SagaMessage.CommandMessage command)) {
                        throw new IllegalArgumentException("not a saga command");
                    }
                    log.put(dev.nosqles.logging.LogContext.SAGA_ID, command.sagaId())
                            .put(dev.nosqles.logging.LogContext.MESSAGE_ID, command.messageId())
                            .put(dev.nosqles.logging.LogContext.CORRELATION_ID, command.correlationId());
                    participant.handle(command);
                    telemetry.handled(SqsRecords.redrivenAt(record));
                } catch (RuntimeException e) {
                    LOG.error("saga command {} on channel {} failed: {}", record.getMessageId(),
                            participant.channel().name(), dev.nosqles.logging.LoggableFailures.describe(e),
                            dev.nosqles.logging.LoggableFailures.loggable(e));
                    failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                }
            }
        }
        return new SQSBatchResponse(failures);
    }
}
