package dev.nosqles.store;

import java.util.Objects;
import java.util.UUID;

/**
 * An event to append, already serialised.
 *
 * @param eventId unique id of the event
 * @param type stable type name (never a Java class name)
 * @param schemaVersion version of the event's JSON schema, from 1
 * @param data the event as a JSON object
 */
public record NewEvent(UUID eventId, String type, int schemaVersion, String data) {
    public NewEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
    }
}
