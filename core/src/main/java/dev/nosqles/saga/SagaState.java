package dev.nosqles.saga;

import java.time.Instant;

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
 */
public record SagaState<D>(String sagaId, D data, int step, SagaStatus status, String awaitingCommandId,
                           Instant deadline, String reason) {

    public static <D> SagaState<D> none() {
        return new SagaState<>(null, null, -1, null, null, null, null);
    }

    public boolean exists() {
        return status != null;
    }

    public boolean awaits(String commandMessageId) {
        return awaitingCommandId != null && awaitingCommandId.equals(commandMessageId);
    }
}
