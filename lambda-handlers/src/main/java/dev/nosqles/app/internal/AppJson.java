package dev.nosqles.app.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nosqles.aggregate.EventJson;
import dev.nosqles.json.JsonWriter;
import java.util.Map;

/**
 * The reference application's JSON (request bodies, responses, views). Configured like the framework's own event
 * mapper, so that what the app writes reads back the same way as its events: ISO-8601 instants, unknown properties
 * ignored, decimals exact (25.00 stays 25.00).
 *
 * <p>Trees are built ({@link #object()}, {@link #array()}) and written ({@link #write}, with a {@link JsonWriter})
 * without the ObjectMapper:
 * building one is most of what a function's first request costs beyond its AWS requests (ADR 0020), and a
 * command's response is a small tree. The mapper ({@link #mapper()}) is built on first use, by the routes that turn
 * records into trees.
 */
public final class AppJson {
    /** The node factory of the mapper too ({@code EventJson}'s: decimals kept exactly as given). */
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private AppJson() {
    }

    /** Built on first use. */
    private static final class Holder {
        private static final ObjectMapper MAPPER = EventJson.newObjectMapper();
    }

    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    /** The node factory of {@link #mapper()}: decimals kept exactly as given. */
    public static JsonNodeFactory nodes() {
        return NODES;
    }

    /** A new empty object. */
    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** A new empty array. */
    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** The tree as JSON text: what {@code mapper().writeValueAsString(tree)} writes. */
    public static String write(JsonNode tree) {
        JsonWriter g = new JsonWriter();
        if (writeTree(g, tree)) {
            return g.toString();
        }
        // a node only the mapper writes (a POJO): the whole tree goes to it
        try {
            return mapper().writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** False (with part of the tree written) at a node only the mapper writes. */
    private static boolean writeTree(JsonWriter g, JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    g.writeFieldName(e.getKey());
                    if (!writeTree(g, e.getValue())) {
                        return false;
                    }
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode element : node) {
                    if (!writeTree(g, element)) {
                        return false;
                    }
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(node.textValue());
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL -> g.writeNull();
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> g.writeNumber(node.intValue());
                    case LONG -> g.writeNumber(node.longValue());
                    case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
                    case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
                    case FLOAT -> g.writeNumber(node.floatValue());
                    case DOUBLE -> g.writeNumber(node.doubleValue());
                }
            }
            case BINARY, POJO, MISSING -> {
                return false;
            }
        }
        return true;
    }
}
