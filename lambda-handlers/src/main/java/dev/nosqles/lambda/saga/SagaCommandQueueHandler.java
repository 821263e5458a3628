package dev.nosqles.lambda.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaParticipant;
import java.lang.System.Logger.Level;
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
    private static final System.Logger LOG = System.getLogger(SagaCommandQueueHandler.class.getName());

    private final SagaParticipant<?, ?, ?> participant;

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
        this.participant = Objects.requireNonNull(participant, "participant");
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage record : records) {
            if (!failures.isEmpty()) {
                failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                continue;
            }
            try {
                if (!(SagaMessage.decode(record.getBody()) instanceof SagaMessage.CommandMessage command)) {
                    throw new IllegalArgumentException("not a saga command");
                }
                participant.handle(command);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "saga command {0} on channel {1} failed: {2}", record.getMessageId(),
                        participant.channel().name(), e.getClass().getName());
                failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }
}
