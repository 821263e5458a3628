package dev.nosqles.saga;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.internal.Json;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.saga.SagaMessage.DeadlineMessage;
import dev.nosqles.saga.SagaMessage.ReplyMessage;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one wire codec of saga messages ({@link SagaMessage#toJson()}, {@link SagaMessage#fromJson}), and of the
 * reply a participant records in its {@code nosqles.SagaReplyRequested} pseudo event: that event's data is the
 * reply's wire form without the fields known only when the reply is sent ({@code messageId}: the pseudo event's
 * id; {@code sentAt}: its commit timestamp; {@code correlationId}: its commit's), written and read by the same code
 * as a reply body. Pseudo events written before it carry no {@code kind}; they read the same.
 */
final class SagaMessageCodec {
    private SagaMessageCodec() {
    }

    static String encode(SagaMessage message) {
        ObjectNode root = Json.mapper().createObjectNode();
        switch (message) {
            case CommandMessage c -> {
                root.put("kind", "command");
                common(root, c);
                root.put("channel", c.channel());
                root.put("target", c.target());
                root.put("commandType", c.commandType());
                root.set("command", objectTree(c.command(), "command", "command"));
                if (c.attempt() > 0) {
                    root.put("attempt", c.attempt());
                }
            }
            case ReplyMessage r -> {
                root.put("kind", "reply");
                common(root, r);
                replyFields(root, r.inReplyTo(), r.outcome(), r.reason(), r.data());
            }
            case DeadlineMessage d -> {
                root.put("kind", "deadline");
                common(root, d);
                root.put("commandMessageId", d.commandMessageId());
                root.put("deadline", d.deadline().toString());
            }
        }
        return write(root);
    }

    /**
     * The data of a {@code nosqles.SagaReplyRequested} pseudo event: the reply's wire form less {@code messageId},
     * {@code sentAt} and {@code correlationId}.
     */
    static String encodeReplyRequest(String sagaType, String sagaId, String replyChannel, String inReplyTo,
                                     ReplyOutcome outcome, String reason, String data) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("kind", "reply");
        root.put("sagaType", sagaType);
        root.put("sagaId", sagaId);
        root.put("replyChannel", replyChannel);
        replyFields(root, inReplyTo, outcome, reason, data);
        return write(root);
    }

    /**
     * The reply a {@code nosqles.SagaReplyRequested} pseudo event asks for, in the current or the old shape (the
     * same fields without {@code kind}).
     *
     * @throws SagaMessageException the data is not a reply request
     */
    static ReplyMessage decodeReplyRequest(String data, String messageId, Instant sentAt, String correlationId) {
        JsonNode root = object(data);
        if (root.has("kind") && !"reply".equals(root.get("kind").asText())) {
            throw new SagaMessageException("reply", "kind", "is not reply");
        }
        return reply(root, messageId, sentAt, correlationId);
    }

    static SagaMessage decode(String body) {
        JsonNode root = object(body);
        String kind = text(root, "unknown", "kind");
        return switch (kind) {
            case "command" -> new CommandMessage(text(root, kind, "messageId"), text(root, kind, "sagaType"),
                    text(root, kind, "sagaId"), text(root, kind, "replyChannel"), text(root, kind, "channel"),
                    text(root, kind, "target"), text(root, kind, "commandType"), object(root, kind, "command"),
                    root.path("attempt").asInt(0), sentAt(root, kind), correlationId(root));
            case "reply" -> reply(root, text(root, kind, "messageId"), sentAt(root, kind), correlationId(root));
            case "deadline" -> new DeadlineMessage(text(root, kind, "messageId"), text(root, kind, "sagaType"),
                    text(root, kind, "sagaId"), text(root, kind, "replyChannel"),
                    text(root, kind, "commandMessageId"), instant(root), sentAt(root, kind), correlationId(root));
            default -> throw new SagaMessageException("unknown", "kind", "is not command, reply or deadline");
        };
    }

    private static void replyFields(ObjectNode root, String inReplyTo, ReplyOutcome outcome, String reason,
                                    String data) {
        root.put("inReplyTo", inReplyTo);
        root.put("outcome", outcome.name());
        if (reason != null) {
            root.put("reason", reason);
        }
        root.set("data", objectTree(data == null ? "{}" : data, "reply", "data"));
    }

    private static ReplyMessage reply(JsonNode root, String messageId, Instant sentAt, String correlationId) {
        String kind = "reply";
        return new ReplyMessage(messageId, text(root, kind, "sagaType"), text(root, kind, "sagaId"),
                text(root, kind, "replyChannel"), text(root, kind, "inReplyTo"), outcome(root),
                root.hasNonNull("reason") ? root.get("reason").asText() : null,
                root.has("data") ? object(root, kind, "data") : "{}", sentAt, correlationId);
    }

    private static JsonNode object(String body) {
        JsonNode root;
        try {
            root = body == null ? null : Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new SagaMessageException("unknown", "body", "is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new SagaMessageException("unknown", "body", "is not a JSON object");
        }
        return root;
    }

    private static String write(ObjectNode root) {
        try {
            return Json.mapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a saga message", e);
        }
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
            return dev.nosqles.internal.Instants.parse(text(root, kind, "sentAt"));
        } catch (DateTimeParseException e) {
            throw new SagaMessageException(kind, "sentAt", "is not an ISO-8601 instant");
        }
    }

    /**
     * A payload ({@code command}, a reply's {@code data}) as the decoder will require it: a JSON object. Refused when
     * written, not when read: a reply request that could not be read would hold its stream's batch for ever.
     *
     * @throws SagaMessageException it is not a JSON object (names the field, never the content)
     */
    private static JsonNode objectTree(String json, String kind, String field) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new SagaMessageException(kind, field, "is not a JSON object");
        }
        if (node == null || !node.isObject()) {
            throw new SagaMessageException(kind, field, "is not a JSON object");
        }
        return node;
    }

    /**
     * The data of a reply as its wire form carries it: {@code null} is none ({@code {}}), a record or map is a
     * JSON object.
     *
     * @throws SagaMessageException it is not written as a JSON object (a string, a number, a list)
     */
    static String replyData(Object data) {
        if (data == null) {
            return "{}";
        }
        JsonNode node = Json.mapper().valueToTree(data);
        if (node == null || !node.isObject()) {
            throw new SagaMessageException("reply", "data", "is not a JSON object");
        }
        return node.toString();
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
            return dev.nosqles.internal.Instants.parse(text(root, "deadline", "deadline"));
        } catch (DateTimeParseException e) {
            throw new SagaMessageException("deadline", "deadline", "is not an ISO-8601 instant");
        }
    }
}
