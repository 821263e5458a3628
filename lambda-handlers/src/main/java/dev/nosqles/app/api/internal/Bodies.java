package dev.nosqles.app.api.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.app.InvalidCommandException;
import dev.nosqles.internal.Json;
import java.math.BigDecimal;

/** Reads request bodies: one JSON object; unknown fields are ignored. */
public final class Bodies {
    private static final int MAX_DECIMAL_TEXT = 40;

    private Bodies() {
    }

    /** @throws ProblemException 400 when the body is missing or not exactly one JSON object */
    public static ObjectNode object(ApiRequest request) {
        String body = request.body();
        if (body == null || body.isBlank() || !Json.isObject(body)) {
            throw ProblemException.badRequest("malformed-json", "the body must be one JSON object");
        }
        try {
            return (ObjectNode) Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-json", "the body must be one JSON object");
        }
    }

    /** A string field; null when absent (the command decides whether that is allowed). */
    public static String text(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidCommandException(field, "must be a string");
        }
        return node.textValue();
    }

    /** A decimal given as a string ({@code "12.50"}); null when absent. */
    public static BigDecimal decimal(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.textValue().length() > MAX_DECIMAL_TEXT) {
            throw new InvalidCommandException(field, "must be a decimal string such as \"12.50\"");
        }
        try {
            return new BigDecimal(node.textValue().strip());
        } catch (NumberFormatException e) {
            throw new InvalidCommandException(field, "must be a decimal string such as \"12.50\"");
        }
    }
}
