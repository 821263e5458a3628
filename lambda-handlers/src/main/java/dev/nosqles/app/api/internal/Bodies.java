package dev.nosqles.app.api.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.app.Fields;
import dev.nosqles.app.InvalidCommandException;
import dev.nosqles.app.internal.AppJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * Reads request bodies strictly: exactly one JSON object (RFC 8259, no comments, no trailing tokens), no key
 * given twice at any level (Jackson's duplicate detection), at most {@value #MAX_DEPTH} levels deep, numbers of
 * at most {@value #MAX_NUMBER_LENGTH} characters. Unknown fields are ignored. The body's size and its UTF-8
 * are checked by {@link ApiRequest}.
 */
public final class Bodies {
    static final int MAX_DEPTH = 16;
    static final int MAX_NUMBER_LENGTH = 64;

    /** jackson-core alone: a body is read into a tree without an ObjectMapper (ADR 0020). */
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxStringLength(ApiRequest.MAX_BODY_BYTES)
                    .build())
            .build();

    private Bodies() {
    }

    /**
     * The body as one JSON object.
     *
     * @throws ProblemException 400 {@code malformed-json} when it is missing or not exactly one JSON object,
     *         400 {@code duplicate-key} when an object repeats a key
     */
    public static ObjectNode object(ApiRequest request) {
        String body = request.body();
        if (body == null || body.isEmpty()) {
            throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object");
        }
        JsonNode tree;
        try (JsonParser parser = STRICT.createParser(body)) {
            JsonToken first = parser.nextToken();
            tree = first == null ? null : read(parser, first);
            if (tree != null && parser.nextToken() != null) {
                tree = null;
            }
        } catch (StreamConstraintsException e) {
            throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object of at most "
                    + MAX_DEPTH + " levels and numbers of at most " + MAX_NUMBER_LENGTH + " characters");
        } catch (JsonProcessingException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
                throw ProblemException.badRequest("duplicate-key", "body",
                        "the body must not give a key twice in one object");
            }
            throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object");
        } catch (IOException e) {
            throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object");
        }
        if (!(tree instanceof ObjectNode object)) {
            throw ProblemException.badRequest("malformed-json", "body", "the body must be one JSON object");
        }
        return object;
    }

    /**
     * The value starting at {@code token}, as the mapper's tree reader builds it: ints as int, long or big integer
     * nodes by size, other numbers as exact decimals, strings, booleans and nulls; null at a token no value starts
     * with.
     */
    private static JsonNode read(JsonParser p, JsonToken token) throws IOException {
        JsonNodeFactory nodes = AppJson.nodes();
        return switch (token) {
            case START_OBJECT -> {
                ObjectNode object = nodes.objectNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    if (t != JsonToken.FIELD_NAME) {
                        yield null;
                    }
                    String name = p.currentName();
                    JsonToken start = p.nextToken();
                    JsonNode value = start == null ? null : read(p, start);
                    if (value == null) {
                        yield null;
                    }
                    object.set(name, value);
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    JsonNode value = t == null ? null : read(p, t);
                    if (value == null) {
                        yield null;
                    }
                    array.add(value);
                }
                yield array;
            }
            case VALUE_STRING -> nodes.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> nodes.numberNode(p.getIntValue());
                case LONG -> nodes.numberNode(p.getLongValue());
                default -> nodes.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> nodes.numberNode(p.getDecimalValue());
            case VALUE_TRUE -> nodes.booleanNode(true);
            case VALUE_FALSE -> nodes.booleanNode(false);
            case VALUE_NULL -> nodes.nullNode();
            default -> null;
        };
    }

    /** True when the request's Content-Type is JSON: {@code application/json}, charset (if any) utf-8. */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";", -1);
        if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=") && !p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) {
                return false;
            }
        }
        return true;
    }

    /** A string field; null when absent or null (the command decides whether that is allowed). */
    public static String text(ObjectNode body, String field) {
        return textual(body, field, "must be a string");
    }

    /**
     * An amount given as a string in the one grammar of {@link Fields#amount} ({@code "12.50"}); null when absent
     * or null. Checked as text before it becomes a number.
     */
    public static BigDecimal amount(ObjectNode body, String field) {
        String text = textual(body, field, "must be a decimal string such as \"12.50\"");
        return text == null ? null : Fields.amount(field, text);
    }

    /** A field's string; null when absent or null; {@code notAString} when it holds something else. */
    private static String textual(ObjectNode body, String field, String notAString) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidCommandException(field, notAString);
        }
        return node.textValue();
    }
}
