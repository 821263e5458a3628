package dev.nosqles.aggregate;

import dev.nosqles.internal.PseudoEvents;
import dev.nosqles.json.JsonReader;
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
    /** The reserved prefix of pseudo event types: no application event type may start with it. */
    public static final String TYPE_PREFIX = PseudoEvents.PREFIX;

    public PseudoEvent {
        Objects.requireNonNull(type, "type");
        if (!isPseudo(type)) {
            throw new IllegalArgumentException("pseudo event types start with " + TYPE_PREFIX);
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schema versions start at 1");
        }
        if (data == null || !JsonReader.isObject(data)) {
            throw new IllegalArgumentException("pseudo event data must be one JSON object");
        }
    }

    /**
     * True when {@code type} is a pseudo event type (it starts with {@value #TYPE_PREFIX}): an event the framework
     * appended for itself, which stream readers other than the framework's own handlers skip (a publisher does not
     * publish it, a history marks it).
     */
    public static boolean isPseudo(String type) {
        return PseudoEvents.isPseudo(Objects.requireNonNull(type, "type"));
    }
}
