package dev.nosqles.aggregate;

import dev.nosqles.internal.Json;
import dev.nosqles.internal.PseudoEvents;
import java.util.Objects;

/**
 * A framework event appended with an aggregate's own events: it never reaches {@code apply} or typed handlers,
 * but raw stream handlers act on it (for example {@code nosqles.SagaReplyRequested}: "send this reply").
 *
 * @param type a type name with the reserved {@code nosqles.} prefix
 * @param schemaVersion schema version of {@code data}
 * @param data a JSON object
 */
public record PseudoEvent(String type, int schemaVersion, String data) {
    public PseudoEvent {
        Objects.requireNonNull(type, "type");
        if (!PseudoEvents.isPseudo(type)) {
            throw new IllegalArgumentException("pseudo event types start with " + PseudoEvents.PREFIX);
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schema versions start at 1");
        }
        if (data == null || !Json.isObject(data)) {
            throw new IllegalArgumentException("pseudo event data must be one JSON object");
        }
    }
}
