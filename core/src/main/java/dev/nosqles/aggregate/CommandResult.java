package dev.nosqles.aggregate;

import java.util.List;

/**
 * What a command did.
 *
 * @param state the state after the command
 * @param events the events it appended (empty when it changed nothing)
 * @param attempts how many times it was processed (more than 1 after optimistic-concurrency retries)
 * @param duplicate true when the message id had been processed before (an earlier delivery of the message):
 *        nothing was processed or written, and {@code state} is the current state after an update, the state
 *        as created (folded from the aggregate's first commit alone, at its last version) after a create. A
 *        write of this very call whose answer was lost but which landed is not a duplicate: it is reported like
 *        any success, with its events and the state after its commit
 * @param rejection with {@link AggregateRepository#updateRecording}: the rejection that was recorded instead of
 *        thrown; otherwise always null
 */
public record CommandResult<S, E>(AggregateState<S> state, List<EventEnvelope<E>> events, int attempts,
                                  boolean duplicate, CommandRejectedException rejection) {
    public CommandResult {
        events = List.copyOf(events);
    }

    public CommandResult(AggregateState<S> state, List<EventEnvelope<E>> events, int attempts, boolean duplicate) {
        this(state, events, attempts, duplicate, null);
    }

    public boolean rejected() {
        return rejection != null;
    }
}
