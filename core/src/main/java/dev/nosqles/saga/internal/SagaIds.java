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

    /**
     * The id of the deadline of a command's {@code attempt}-th send (0: the first): the deadline message and the
     * sweeper use the same id, so whichever comes second is a duplicate; a re-send's deadline gets its own.
     */
    public static String deadlineMessageId(String commandMessageId, int attempt) {
        return attempt == 0 ? deadlineMessageId(commandMessageId)
                : nameBased("deadline:" + commandMessageId + ":" + attempt);
    }

    /**
     * The SQS deduplication id of a command's {@code attempt}-th send: a re-send must not be dropped by the FIFO
     * queue's five-minute deduplication, while a redelivered stream record of the same send must be.
     */
    public static String sendDeduplicationId(String commandMessageId, int attempt) {
        return attempt == 0 ? commandMessageId : nameBased("send:" + commandMessageId + ":" + attempt);
    }

    /**
     * The message id of the compensation a late success reply triggers: fresh (the step's own compensation id
     * may already have been consumed by the participant) and the same for every redelivery of that reply.
     */
    public static String lateCompensationId(String replyMessageId) {
        return nameBased("late-compensation:" + replyMessageId);
    }

    private static String nameBased(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
