package dev.nosqles.saga;

import java.time.Instant;
import java.util.List;

/**
 * What happened to a saga orchestrator, stored in the events table under the saga type. Stable names:
 * {@code SagaOrchestratorCreated}, {@code SagaCommandEvent}, {@code SagaOrchestratorUpdated}. Data is kept as the
 * JSON of the saga's data record.
 */
sealed interface SagaEvent {

    /** The saga started. */
    record SagaOrchestratorCreated(String sagaType, String sagaId, String data) implements SagaEvent {
    }

    /**
     * "Send this command": the stream function sends it to the channel's queue.
     *
     * @param commandMessageId deterministic (saga id, step, direction): the participant drops a redelivery
     * @param step the step's name
     * @param compensation true for an undo
     * @param channel the logical channel name
     * @param target the target aggregate's id
     * @param commandType the command's wire name on the channel
     * @param command the command's JSON
     * @param deadline when the saga stops waiting for the reply; null for none (a compensation that is not
     *        awaited)
     * @param attempt 0 for the first send, n for the n-th re-send after a deadline (same message id)
     * @param firstSentAt on a re-send, when the command was first decided (a bound for duplicate searches);
     *        null on the first send, whose message carries this event's own timestamp
     */
    record SagaCommandEvent(String commandMessageId, String step, boolean compensation, String channel,
                            String target, String commandType, String command, Instant deadline, int attempt,
                            Instant firstSentAt)
            implements SagaEvent {
        public SagaCommandEvent(String commandMessageId, String step, boolean compensation, String channel,
                                String target, String commandType, String command, Instant deadline) {
            this(commandMessageId, step, compensation, channel, target, commandType, command, deadline, 0, null);
        }
    }

    /**
     * The whole new state: everything needed to rebuild it.
     *
     * @param data the saga data's JSON
     * @param step index of the current step (-1 when compensations are done, the step count when completed)
     * @param status the status
     * @param awaitingCommandId the command whose reply the saga waits for, or null
     * @param deadline when the saga stops waiting for it, or null
     * @param reason why the saga is compensating, or null
     * @param attempt how often the awaited command has been re-sent
     * @param awaitingSince when the awaited command was first decided
     * @param abandoned forward commands whose deadline passed and whose step was compensated: a late success
     *        reply to one of them triggers its compensation again (null when none)
     */
    record SagaOrchestratorUpdated(String data, int step, SagaStatus status, String awaitingCommandId,
                                   Instant deadline, String reason, int attempt, Instant awaitingSince,
                                   List<String> abandoned) implements SagaEvent {
        public SagaOrchestratorUpdated(String data, int step, SagaStatus status, String awaitingCommandId,
                                       Instant deadline, String reason) {
            this(data, step, status, awaitingCommandId, deadline, reason, 0, null, null);
        }
    }
}
