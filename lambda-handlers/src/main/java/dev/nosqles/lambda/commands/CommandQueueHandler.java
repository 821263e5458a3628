package dev.nosqles.lambda.commands;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.CommandOutcome;
import dev.nosqles.aggregate.PseudoEvent;
import dev.nosqles.lambda.SqsBatchHandler;
import dev.nosqles.lambda.Telemetry;
import dev.nosqles.lambda.internal.LambdaJson;
import dev.nosqles.logging.LogContext;
import dev.nosqles.saga.Channel;
import dev.nosqles.store.EventMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The single writer of an aggregate type: the Lambda adapter of its FIFO command queue (the sender is
 * {@link CommandQueue}; concurrency.md, ADR 0018). Each command of a batch, in order, is one
 * {@link AggregateRepository#updateRecording updateRecording} with the command's message id:
 * <ul>
 *   <li><b>accepted</b>: its events are committed with the message id;</li>
 *   <li><b>rejected</b> by a business rule: a {@value #COMMAND_REJECTED} pseudo event records it (the command's
 *       wire type and the rejection's reason, never the command), so the rejection is durable and exactly once like
 *       an acceptance, and in the events table for an audit (typed histories and the publisher skip pseudo
 *       events); the message is done, not retried;</li>
 *   <li><b>a duplicate</b> (a redelivery, a redrive days later with a new SQS id): dropped, nothing written;</li>
 *   <li><b>failed</b> (an unreadable body, an aggregate that does not exist, the store unavailable, conflicts
 *       outlived): the message and every later message of its aggregate in the batch are reported failed, so that
 *       SQS redelivers them in order and, past the queue's {@code maxReceiveCount}, dead-letters them; other
 *       aggregates' commands still run.</li>
 * </ul>
 * Give the repository a {@link AggregateRepository.Builder#stateCache(int) state cache}: this function is the
 * aggregate's usual writer, so a command is then decided on the state in hand and costs its write alone. The mapping
 * must set {@code FunctionResponseTypes: [ReportBatchItemFailures]}.
 *
 * @param <S> the aggregate's state
 * @param <C> its commands
 * @param <E> its events
 */
public final class CommandQueueHandler<S, C, E> implements RequestHandler<SQSEvent, SQSBatchResponse> {
    /** The pseudo event recording a rejected command: {@code {"commandType": ..., "reason": ...}}. */
    public static final String COMMAND_REJECTED = PseudoEvent.TYPE_PREFIX + "CommandRejected";

    private final AggregateRepository<S, C, E> repository;
    private final SqsBatchHandler<CommandQueue.Queued<C>> batch;

    /**
     * @param repository the aggregate's repository (with a state cache, preferably)
     * @param channel    the commands the queue carries and their wire names (the sender's)
     * @param telemetry  the function's logs and metrics
     */
    public CommandQueueHandler(AggregateRepository<S, C, E> repository, Channel<C> channel, Telemetry telemetry) {
        this.repository = Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(channel, "channel");
        this.batch = new SqsBatchHandler<>("command on channel " + channel.name(),
                body -> CommandQueue.decode(channel, body), this::handle, telemetry);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return batch.handleRequest(event, context);
    }

    /** Handles a batch outside an invocation's telemetry (tests, a caller with its own). */
    public SQSBatchResponse handle(SQSEvent event) {
        return batch.handle(event);
    }

    /**
     * Harmless work that warms this function (SnapStart priming): an empty batch, then one read of an aggregate that
     * never exists.
     */
    public void prime() {
        batch.primeWithEmptyBatch();
        repository.find("nosqles-priming");
    }

    private void handle(CommandQueue.Queued<C> queued, LogContext log) {
        EventMetadata metadata = queued.metadata();
        if (metadata.messageSentAt() == null && queued.queuedAt() != null
                && repository.beyondDeduplicationHorizon(queued.queuedAt())) {
            // first sent no later than this send, which is older than the horizon (a FIFO queue's dead-letter
            // queue restarts a message's retention): a first delivery can no longer be told from a redelivery, so
            // the repository refuses it (MessageTooOldException) unless its id is still remembered
            metadata = metadata.withMessageSentAt(queued.queuedAt());
        }
        log.metadata(metadata);
        repository.updateRecording(queued.aggregateId(), queued.command(), metadata,
                outcome -> outcome instanceof CommandOutcome.Rejected<S, E> rejected
                        ? rejection(queued.commandType(), rejected.rejection().reason()) : null);
    }

    private static PseudoEvent rejection(String commandType, String reason) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("commandType", commandType);
        data.put("reason", reason);
        try {
            return new PseudoEvent(COMMAND_REJECTED, 1, LambdaJson.mapper().writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a rejection", e);
        }
    }
}
