package dev.nosqles.saga.internal;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Deterministic, name-based ids of sagas and their messages (ADR 0005). Not part of the public API. */
public final class SagaIds {
    private SagaIds() {
    }

    /** The saga started by an event: the same event always starts the same saga. */
    public static String sagaId(String sagaType, String triggeringEventId) {
        return nameBased(sagaType + ":" + triggeringEventId);
    }

    /** The message id of a step's command; a redelivered command keeps its id. */
    public static String commandMessageId(String sagaId, int step, boolean compensation) {
        return nameBased("saga-command:" + sagaId + ":" + step + ":" + (compensation ? "compensate" : "invoke"));
    }

    /** The id of the reply a participant sends without an event (its target does not exist). */
    public static String directReplyId(String commandMessageId) {
        return nameBased("reply:" + commandMessageId);
    }

    /** The id of a command's deadline message. */
    public static String deadlineMessageId(String commandMessageId) {
        return nameBased("deadline:" + commandMessageId);
    }

    private static String nameBased(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
