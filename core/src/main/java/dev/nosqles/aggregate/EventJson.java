package dev.nosqles.aggregate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON configuration of stored event data: what a reader of events outside the framework (a subscriber of the
 * published envelope, a tool, a test) needs to read them as the framework wrote them, and to write them so.
 * ISO-8601 instants, unknown properties ignored, decimals exact ({@code 25.00} stays {@code 25.00}, no double
 * rounding, also in a JSON tree).
 */
public final class EventJson {
    private EventJson() {
    }

    /** A new ObjectMapper with that configuration; each call a new one, yours to configure further. */
    public static ObjectMapper newObjectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    }
}
