package dev.nosqles.lambda.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nosqles.aggregate.EventJson;

/**
 * The Lambda adapters' ObjectMapper (the envelopes they publish and read). Configured like the framework's own
 * event mapper, so that an event's data passes through unchanged: ISO-8601 instants, unknown properties ignored,
 * decimals exact (25.00 stays 25.00).
 */
public final class LambdaJson {
    private static final ObjectMapper MAPPER = EventJson.newObjectMapper();

    private LambdaJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
