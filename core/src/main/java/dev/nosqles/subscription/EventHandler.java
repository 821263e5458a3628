package dev.nosqles.subscription;

import dev.nosqles.aggregate.EventEnvelope;

/** Handles decoded, upcast domain events of one aggregate type. */
@FunctionalInterface
public interface EventHandler<E> {
    /**
     * Handles one event. Throw to fail it: it is retried, and no later event of the same aggregate is handed
     * over before it succeeds.
     */
    void handle(EventEnvelope<E> event, HandlerContext context) throws Exception;
}
