package dev.nosqles.saga;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.internal.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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

    /** The JSON body of a message. */
    static String encode(SagaMessage message) {
        ObjectNode root = Json.mapper().createObjectNode();
        switch (message) {
            case CommandMessage c -> {
                root.put("kind", "command");
                common(root, c);
                root.put("channel", c.channel());
                root.put("target", c.target());
                root.put("commandType", c.commandType());
                root.set("command", tree(c.command()));
                if (c.attempt() > 0) {
                    root.put("attempt", c.attempt());
                }
            }
            case ReplyMessage r -> {
                root.put("kind", "reply");
                common(root, r);
                root.put("inReplyTo", r.inReplyTo());
                root.put("outcome", r.outcome().name());
                if (r.reason() != null) {
                    root.put("reason", r.reason());
                }
                root.set("data", tree(r.data()));
            }
            case DeadlineMessage d -> {
                root.put("kind", "deadline");
                common(root, d);
                root.put("commandMessageId", d.commandMessageId());
                root.put("deadline", d.deadline().toString());
            }
        }
        try {
            return Json.mapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a saga message", e);
        }
    }

    /**
     * Reads a body written by {@link #encode}.
     *
     * @throws SagaMessageException it is not a saga message
     */
    static SagaMessage decode(String body) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new SagaMessageException("unknown", "body", "is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new SagaMessageException("unknown", "body", "is not a JSON object");
        }
        String kind = text(root, "unknown", "kind");
        return switch (kind) {
            case "command" -> new CommandMessage(text(root, kind, "messageId"), text(root, kind, "sagaType"),
                    text(root, kind, "sagaId"), text(root, kind, "replyChannel"), text(root, kind, "channel"),
                    text(root, kind, "target"), text(root, kind, "commandType"), object(root, kind, "command"),
                    root.path("attempt").asInt(0), sentAt(root, kind), correlationId(root));
            case "reply" -> new ReplyMessage(text(root, kind, "messageId"), text(root, kind, "sagaType"),
                    text(root, kind, "sagaId"), text(root, kind, "replyChannel"), text(root, kind, "inReplyTo"),
                    outcome(root), root.hasNonNull("reason") ? root.get("reason").asText() : null,
                    root.has("data") ? object(root, kind, "data") : "{}", sentAt(root, kind), correlationId(root));
            case "deadline" -> new DeadlineMessage(text(root, kind, "messageId"), text(root, kind, "sagaType"),
                    text(root, kind, "sagaId"), text(root, kind, "replyChannel"),
                    text(root, kind, "commandMessageId"), instant(root), sentAt(root, kind), correlationId(root));
            default -> throw new SagaMessageException("unknown", "kind", "is not command, reply or deadline");
        };
    }

    private static void common(ObjectNode root, SagaMessage m) {
        root.put("messageId", m.messageId());
        root.put("sagaType", m.sagaType());
        root.put("sagaId", m.sagaId());
        root.put("replyChannel", m.replyChannel());
        if (m.sentAt() != null) {
            root.put("sentAt", m.sentAt().toString());
        }
        root.put("correlationId", m.correlationId());
    }

    /** Absent (a message written before it existed) or not text: the saga's id, see {@link #correlationId()}. */
    private static String correlationId(JsonNode root) {
        JsonNode node = root.get("correlationId");
        return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }

    private static Instant sentAt(JsonNode root, String kind) {
        if (!root.hasNonNull("sentAt")) {
            return null;
        }
        try {
            return Instant.parse(text(root, kind, "sentAt"));
        } catch (DateTimeParseException e) {
            throw new SagaMessageException(kind, "sentAt", "is not an ISO-8601 instant");
        }
    }

    private static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("saga message payloads must be JSON objects");
        }
    }

    private static String text(JsonNode root, String kind, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw new SagaMessageException(kind, field, "is missing");
        }
        return node.asText();
    }

    private static String object(JsonNode root, String kind, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isObject()) {
            throw new SagaMessageException(kind, field, "is not a JSON object");
        }
        return node.toString();
    }

    private static ReplyOutcome outcome(JsonNode root) {
        try {
            return ReplyOutcome.valueOf(text(root, "reply", "outcome"));
        } catch (IllegalArgumentException e) {
            throw new SagaMessageException("reply", "outcome", "is not SUCCESS or FAILURE");
        }
    }

    private static Instant instant(JsonNode root) {
        try {
            return Instant.parse(text(root, "deadline", "deadline"));
        } catch (DateTimeParseException e) {
            throw new SagaMessageException("deadline", "deadline", "is not an ISO-8601 instant");
        }
    }
}
