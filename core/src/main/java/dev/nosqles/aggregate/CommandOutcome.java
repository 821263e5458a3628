package dev.nosqles.aggregate;

import java.util.List;

/** How a command turned out, for {@link AggregateRepository#updateRecording}. */
public sealed interface CommandOutcome<S, E> {

    /** The state the command was processed against. */
    S stateBefore();

    /** The command was accepted: these events (possibly none) were decided. */
    record Accepted<S, E>(S stateBefore, S stateAfter, List<E> events) implements CommandOutcome<S, E> {
        public Accepted {
            events = List.copyOf(events);
        }
    }

    /** A business rule rejected the command. */
    record Rejected<S, E>(S stateBefore, CommandRejectedException rejection) implements CommandOutcome<S, E> {
    }
}
