package dev.nosqles.aggregate;

import java.util.List;

/**
 * What a command did.
 *
 * @param state the state after the command
 * @param events the events it appended (empty when it changed nothing)
 * @param attempts how many times it was processed (more than 1 after optimistic-concurrency retries)
 */
public record CommandResult<S, E>(AggregateState<S> state, List<EventEnvelope<E>> events, int attempts) {
    public CommandResult {
        events = List.copyOf(events);
    }
}
