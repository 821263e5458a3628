package dev.nosqles.lambda.saga;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.nosqles.lambda.SqsBatchHandler;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.logging.LogContext;
import dev.nosqles.saga.SagaMessage;
import dev.nosqles.saga.SagaParticipant;
import java.util.Objects;

/**
 * The Lambda adapter of a {@link SagaParticipant} on its FIFO command queue: holds the participant and an
 * {@link SqsBatchHandler} (which holds the function's {@link Telemetry}). A failed command fails the later commands of its
 * message group (its target aggregate) in the batch, so that SQS redelivers them in order; other aggregates' commands
 * still run. The mapping must set {@code FunctionResponseTypes: [ReportBatchItemFailures]}.
 *
 * <p>An application's entry point holds one (see {@code dev.nosqles.app.saga.CustomerCommandHandler}) and registers
 * {@link #prime()} with {@link dev.nosqles.lambda.SnapStartPriming} from its no-arg constructor.
 */
public final class SagaCommandQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final SagaParticipant<?, ?, ?> participant;
    private final SqsBatchHandler<SagaMessage.CommandMessage> batch;

    /** Without logs' service name or metrics namespace (tests). */
    public SagaCommandQueueHandler(SagaParticipant<?, ?, ?> participant) {
        this(participant, Telemetry.fromEnvironment(name -> null));
    }

    /** @param telemetry the function's logs and metrics (the participant's repository counts into its metrics) */
    public SagaCommandQueueHandler(SagaParticipant<?, ?, ?> participant, Telemetry telemetry) {
        this(participant, telemetry, 1);
    }

    /**
     * @param concurrency the message groups (target aggregates) of a batch handled at once
     *                    ({@link SqsBatchHandler#withConcurrency}; ADR 0019)
     */
    public SagaCommandQueueHandler(SagaParticipant<?, ?, ?> participant, Telemetry telemetry, int concurrency) {
        this.participant = Objects.requireNonNull(participant, "participant");
        Objects.requireNonNull(telemetry, "telemetry");
        this.batch = new SqsBatchHandler<>("saga command on channel " + participant.channel().name(),
                SagaCommandQueueHandler::command, this::handle, telemetry).withConcurrency(concurrency);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return batch.handleRequest(event, context);
    }

    /** The message groups of a batch handled at once. */
    public int concurrency() {
        return batch.concurrency();
    }

    /** Harmless work that warms this function: an empty batch, then one read of an aggregate that never exists. */
    public void prime() {
        batch.primeWithEmptyBatch();
        participant.prime();
    }

    private static SagaMessage.CommandMessage command(String body) {
        if (!(SagaMessage.fromJson(body) instanceof SagaMessage.CommandMessage command)) {
            throw new IllegalArgumentException("not a saga command");
        }
        return command;
    }

    private void handle(SagaMessage.CommandMessage command, LogContext log) {
        log.put(LogContext.SAGA_ID, command.sagaId())
                .put(LogContext.MESSAGE_ID, command.messageId())
                .put(LogContext.CORRELATION_ID, command.correlationId());
        participant.handle(command);
    }
}
