package dev.nosqles.saga;

import java.time.Instant;

/**
 * A saga as its manager sees it after its last commit: a read-only view of the orchestrator's state
 * ({@link SagaManager#find}, and the result of {@link SagaManager#start}, {@link SagaManager#handle} and
 * {@link SagaManager#expire}).
 *
 * @param sagaType the saga's type (its definition's)
 * @param sagaId the saga's id ({@link SagaManager#sagaIdOf})
 * @param version the version of the saga's stream
 * @param status where the saga is
 * @param data the saga data
 * @param step index of the current step (-1 once compensations are done, the step count once completed)
 * @param reason why it compensates or failed (the failed step and the participant's reason), or null
 * @param awaitingCommandId the message id of the command whose reply the saga waits for, or null
 * @param deadline when the saga stops waiting for it, or null
 * @param attempt how often the awaited command has been re-sent (0: sent once)
 * @param <D> the saga data
 */
public record SagaInstance<D>(String sagaType, String sagaId, long version, SagaStatus status, D data, int step,
                              String reason, String awaitingCommandId, Instant deadline, int attempt) {

    /** Whether the saga waits for the reply to this command message. */
    public boolean awaits(String commandMessageId) {
        return awaitingCommandId != null && awaitingCommandId.equals(commandMessageId);
    }

    static <D> SagaInstance<D> of(String sagaType, String sagaId, long version, SagaState<D> state) {
        return new SagaInstance<>(sagaType, sagaId, version, state.status(), state.data(), state.step(),
                state.reason(), state.awaitingCommandId(), state.deadline(), state.attempt());
    }
}
