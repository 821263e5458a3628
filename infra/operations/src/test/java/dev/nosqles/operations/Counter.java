package dev.nosqles.operations;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventTypes;
import java.util.List;

/** A small saga participant for the tests: a counter a command increments. */
final class Counter implements Aggregate<Counter.State, Counter.Command, Counter.Event> {
    static final String TYPE = "Counter";

    record State(long value, boolean exists) {
    }

    sealed interface Command permits Create, Increment {
    }

    record Create() implements Command {
    }

    record Increment(long by) implements Command {
    }

    sealed interface Event permits Created, Incremented {
    }

    record Created() implements Event {
    }

    record Incremented(long by) implements Event {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public State initialState() {
        return new State(0, false);
    }

    @Override
    public List<? extends Event> process(State state, Command command) {
        return switch (command) {
            case Create c -> List.of(new Created());
            case Increment i -> List.of(new Incremented(i.by()));
        };
    }

    @Override
    public State apply(State state, Event event) {
        return switch (event) {
            case Created c -> new State(0, true);
            case Incremented i -> new State(state.value() + i.by(), true);
        };
    }

    @Override
    public EventTypes<Event> eventTypes() {
        return EventTypes.<Event>builder()
                .add("CounterCreated", 1, Created.class)
                .add("CounterIncremented", 1, Incremented.class)
                .build();
    }
}
