package dev.nosqles.saga;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one call of {@link SagaManager#start}, {@link SagaManager#handle} or {@link SagaManager#expire} did.
 *
 * @param saga the saga after the call
 * @param duplicate the message had been processed before: nothing was written
 * @param recorded the saga wrote events (false for a duplicate and for a message the saga does not wait for)
 * @param commands the commands the saga decided to send in this call, in order; the manager's
 *        {@link SagaManager#commandSender()} sends them from the event stream
 * @param <D> the saga data
 */
public record SagaResult<D>(SagaInstance<D> saga, boolean duplicate, boolean recorded, List<Command> commands) {
    public SagaResult {
        Objects.requireNonNull(saga, "saga");
        commands = List.copyOf(commands);
    }

    /** The message was ignored: neither a duplicate nor anything written. */
    public boolean ignored() {
        return !duplicate && !recorded;
    }

    /**
     * A command the saga decided to send.
     *
     * @param messageId the command message's id (deterministic: the participant drops a redelivery)
     * @param step the step's name
     * @param compensation true for an undo
     * @param channel the logical channel name
     * @param target the target aggregate's id
     * @param commandType the command's wire name on the channel
     * @param command the command's JSON
     * @param deadline when the saga stops waiting for the reply; null when it does not wait
     * @param attempt 0 for the first send, n for the n-th re-send after a deadline (same message id)
     */
    public record Command(String messageId, String step, boolean compensation, String channel, String target,
                          String commandType, String command, Instant deadline, int attempt) {
    }
}
