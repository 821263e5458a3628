package dev.nosqles.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.aggregate.EventJson;

/**
 * The runtime tests' ObjectMapper (responses and message bodies they read). Configured like the framework's own
 * event mapper, so that what they read compares as the framework wrote it: ISO-8601 instants, unknown
 * properties ignored, decimals exact (25.00 stays 25.00).
 */
public final class TestJson {
    private static final ObjectMapper MAPPER = EventJson.newObjectMapper();

    private TestJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
