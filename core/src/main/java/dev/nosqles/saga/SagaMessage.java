package dev.nosqles.saga;

import java.time.Instant;
import java.util.Objects;

/**
 * The messages of a saga on the wire (queue bodies): a small JSON envelope with a {@code kind} of
 * {@code command}, {@code reply} or {@code deadline}. The command and the reply data are nested JSON objects.
 * Every message carries the saga's {@link #correlationId()}: the correlation id of the request that started it
 * (ADR 0005), so that one order's path is found by one id across every hop.
 */
public sealed interface SagaMessage {

    /** Deduplicates: participants and the orchestrator drop a message id they have processed. */
    String messageId();

    String sagaType();

    String sagaId();

    /** Where replies (and deadlines) of this saga go. */
    String replyChannel();

    /**
     * When the message was first sent: the commit timestamp of the event that caused it ({@code SagaCommandEvent}
     * or {@code nosqles.SagaReplyRequested}), the same on every re-send and DLQ redrive (unlike SQS's
     * {@code SentTimestamp}). Receivers pass it as {@code EventMetadata.messageSentAt}: only commits after it can
     * hold the message's id. Null in messages written before it existed.
     */
    Instant sentAt();

    /**
     * The correlation id of everything the saga does: the one of the event that started it (the original
     * request's). Messages written before it existed have none in their body; they read as the saga's id (what
     * correlated a saga's steps then), so they still decode and are processed.
     */
    String correlationId();

    /**
     * A command to a participant.
     *
     * @param attempt 0 for the first send, n for the n-th re-send after a deadline: the message id stays (the
     *        participant deduplicates), the transport's deduplication id changes (a FIFO queue would drop a
     *        re-send within five minutes otherwise)
     */
    record CommandMessage(String messageId, String sagaType, String sagaId, String replyChannel, String channel,
                          String target, String commandType, String command, int attempt, Instant sentAt,
                          String correlationId)
            implements SagaMessage {
        public CommandMessage {
            requireAll(messageId, sagaType, sagaId, replyChannel, channel, target, commandType, command);
            if (attempt < 0) {
                throw new IllegalArgumentException("attempt must not be negative");
            }
            correlationId = orSagaId(correlationId, sagaId);
        }

        /** Correlated by the saga's id (as messages written before {@code correlationId} existed). */
        public CommandMessage(String messageId, String sagaType, String sagaId, String replyChannel, String channel,
                              String target, String commandType, String command, int attempt, Instant sentAt) {
            this(messageId, sagaType, sagaId, replyChannel, channel, target, commandType, command, attempt, sentAt,
                    null);
        }

        public CommandMessage(String messageId, String sagaType, String sagaId, String replyChannel, String channel,
                              String target, String commandType, String command) {
            this(messageId, sagaType, sagaId, replyChannel, channel, target, commandType, command, 0, null, null);
        }

        /** The transport's deduplication id of this send (SQS FIFO {@code MessageDeduplicationId}). */
        public String deduplicationId() {
            return dev.nosqles.saga.internal.SagaIds.sendDeduplicationId(messageId, attempt);
        }
    }

    /** A participant's reply. */
    record ReplyMessage(String messageId, String sagaType, String sagaId, String replyChannel, String inReplyTo,
                        ReplyOutcome outcome, String reason, String data, Instant sentAt, String correlationId)
            implements SagaMessage {
        public ReplyMessage {
            requireAll(messageId, sagaType, sagaId, replyChannel, inReplyTo);
            Objects.requireNonNull(outcome, "outcome");
            data = data == null ? "{}" : data;
            correlationId = orSagaId(correlationId, sagaId);
        }

        /** Correlated by the saga's id (as messages written before {@code correlationId} existed). */
        public ReplyMessage(String messageId, String sagaType, String sagaId, String replyChannel, String inReplyTo,
                            ReplyOutcome outcome, String reason, String data, Instant sentAt) {
            this(messageId, sagaType, sagaId, replyChannel, inReplyTo, outcome, reason, data, sentAt, null);
        }

        public ReplyMessage(String messageId, String sagaType, String sagaId, String replyChannel, String inReplyTo,
                            ReplyOutcome outcome, String reason, String data) {
            this(messageId, sagaType, sagaId, replyChannel, inReplyTo, outcome, reason, data, null, null);
        }

        public SagaReply reply() {
            return new SagaReply(inReplyTo, outcome, reason, data);
        }
    }

    /** "The deadline of this command is due", delivered late by the queue. */
    record DeadlineMessage(String messageId, String sagaType, String sagaId, String replyChannel,
                           String commandMessageId, Instant deadline, Instant sentAt, String correlationId)
            implements SagaMessage {
        public DeadlineMessage {
            requireAll(messageId, sagaType, sagaId, replyChannel, commandMessageId);
            Objects.requireNonNull(deadline, "deadline");
            correlationId = orSagaId(correlationId, sagaId);
        }

        /** Correlated by the saga's id (as messages written before {@code correlationId} existed). */
        public DeadlineMessage(String messageId, String sagaType, String sagaId, String replyChannel,
                               String commandMessageId, Instant deadline, Instant sentAt) {
            this(messageId, sagaType, sagaId, replyChannel, commandMessageId, deadline, sentAt, null);
        }

        public DeadlineMessage(String messageId, String sagaType, String sagaId, String replyChannel,
                               String commandMessageId, Instant deadline) {
            this(messageId, sagaType, sagaId, replyChannel, commandMessageId, deadline, null, null);
        }
    }

    private static String orSagaId(String correlationId, String sagaId) {
        return correlationId == null || correlationId.isBlank() ? sagaId : correlationId;
    }

    private static void requireAll(String... values) {
        for (String v : values) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("saga message fields must not be blank");
            }
        }
    }

    /**
     * The message's JSON body on the wire: the one encoding of saga messages, used by every hop (queues, dead-letter
     * tools, the participant's reply request).
     */
    default String toJson() {
        return SagaMessageCodec.encode(this);
    }

    /**
     * Reads a body written by {@link #toJson()}, including bodies written by earlier versions (without
     * {@code correlationId}, {@code sentAt} or {@code attempt}).
     *
     * @throws SagaMessageException it is not a saga message
     */
    static SagaMessage fromJson(String body) {
        return SagaMessageCodec.decode(body);
    }
}
