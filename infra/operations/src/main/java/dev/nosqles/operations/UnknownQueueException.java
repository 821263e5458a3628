package dev.nosqles.operations;

import dev.nosqles.EventSourcingException;
import java.util.List;

/** A queue name that is not one of the dead-letter queues configured. */
public final class UnknownQueueException extends EventSourcingException {
    private final String queue;
    private final List<String> known;

    public UnknownQueueException(String queue, List<String> known) {
        super("unknown queue " + queue + " (known: " + String.join(", ", known) + ")");
        this.queue = queue;
        this.known = List.copyOf(known);
    }

    public String queue() {
        return queue;
    }

    public List<String> known() {
        return known;
    }
}
