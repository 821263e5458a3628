package dev.nosqles.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The {@code --json} of the operations' result records: Instants as ISO-8601 strings (the records carry durations
 * as millisecond numbers already), indented, under {@code target} and one named field.
 */
final class OperationsJson {
    static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private OperationsJson() {
    }

    static String of(Target target, String field, Object value) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("target", target.description());
        root.set(field, MAPPER.valueToTree(value));
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
