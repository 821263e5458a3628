package dev.nosqles.aggregate;

import java.util.List;

/**
 * An event-sourced aggregate as a decider: {@link #process} turns a command into events and changes nothing;
 * {@link #apply} folds one event into the state and cannot fail.
 *
 * <p>Write the state and events as records, the events under one sealed interface, and {@code apply} as an
 * exhaustive {@code switch} with no {@code default}: a new event then fails the build until it is handled.
 *
 * @param <S> the state (a record)
 * @param <C> the commands
 * @param <E> the events (a sealed interface)
 */
public interface Aggregate<S, C, E> {

    /** The aggregate type; it prefixes stream ids ({@code Order-42}). Letters and digits, starting with a letter. */
    String type();

    /** The state before the first event. */
    S initialState();

    /**
     * Decides what the command does: the events to append, or a {@link CommandRejectedException} (a subclass
     * of your own) when a business rule forbids it. Returns an empty list when nothing needs to change.
     * Must not change anything: time and ids come in through the command.
     */
    List<? extends E> process(S state, C command);

    /** The state after the event. Cannot fail: the event already happened. */
    S apply(S state, E event);

    /** Stable names and schema versions of the events. */
    EventTypes<E> eventTypes();

    /** How stored events of older schemas become current ones; none by default. */
    default Upcasters upcasters() {
        return Upcasters.none();
    }

    /** When to snapshot the state; never by default. */
    default Snapshotting<S> snapshotting() {
        return Snapshotting.disabled();
    }
}
