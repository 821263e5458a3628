package dev.nosqles.operations.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.aggregate.EventJson;

/**
 * The operations tools' ObjectMapper (event data, message bodies, invocation payloads they read and write).
 * Configured like the framework's own event mapper, so that event data reads as the framework wrote it: ISO-8601
 * instants, unknown properties ignored, decimals exact (25.00 stays 25.00).
 */
public final class Json {
    private static final ObjectMapper MAPPER = EventJson.newObjectMapper();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
