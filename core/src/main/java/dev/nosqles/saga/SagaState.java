package dev.nosqles.saga;

import java.time.Instant;
import java.util.List;

/**
 * A saga orchestrator's state.
 *
 * @param sagaId null before the saga started
 * @param data the saga data
 * @param step index of the current step
 * @param status null before the saga started
 * @param awaitingCommandId the command message id whose reply is awaited, or null
 * @param deadline when waiting for it ends, or null
 * @param reason why it compensates (the failed step and the participant's reason), or null
 * @param attempt how often the awaited command has been re-sent (0: sent once)
 * @param awaitingSince when the awaited command was first decided, or null
 * @param abandoned forward commands given up at their deadline (their step compensated): a late success reply to
 *        one of them triggers its compensation again
 */
record SagaState<D>(String sagaId, D data, int step, SagaStatus status, String awaitingCommandId,
                           Instant deadline, String reason, int attempt, Instant awaitingSince,
                           List<String> abandoned) {

    public SagaState {
        abandoned = abandoned == null ? List.of() : List.copyOf(abandoned);
    }

    public SagaState(String sagaId, D data, int step, SagaStatus status, String awaitingCommandId,
                     Instant deadline, String reason) {
        this(sagaId, data, step, status, awaitingCommandId, deadline, reason, 0, null, List.of());
    }

    public static <D> SagaState<D> none() {
        return new SagaState<>(null, null, -1, null, null, null, null);
    }

    public boolean exists() {
        return status != null;
    }

    public boolean awaits(String commandMessageId) {
        return awaitingCommandId != null && awaitingCommandId.equals(commandMessageId);
    }

    /**
     * Whether this started saga can never again wait for {@code commandMessageId}: it has ended, or it waits for
     * another command (a command's id is awaited by one step only, re-sends included, and a saga never goes back to
     * a step it left). A deadline of such a command is moot on every delivery (ADR 0011).
     */
    public boolean neverAwaits(String commandMessageId) {
        return exists() && (status.finished() || !awaits(commandMessageId));
    }
}
