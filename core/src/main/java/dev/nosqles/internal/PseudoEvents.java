package dev.nosqles.internal;

import dev.nosqles.store.NewEvent;
import java.util.UUID;

/**
 * Events the framework appends for itself, under the reserved type prefix {@code nosqles.}. Aggregates never
 * see them in {@code apply}; stream handlers of the framework act on some of them.
 */
public final class PseudoEvents {
    /** Reserved prefix: no application event type may start with it. */
    public static final String PREFIX = "nosqles.";
    /** Records the id of a message that was processed but produced no domain event. */
    public static final String MESSAGE_PROCESSED = PREFIX + "MessageProcessed";

    private PseudoEvents() {
    }

    public static boolean isPseudo(String type) {
        return type.startsWith(PREFIX);
    }

    public static NewEvent messageProcessed(UUID eventId) {
        return new NewEvent(eventId, MESSAGE_PROCESSED, 1, "{}");
    }
}
