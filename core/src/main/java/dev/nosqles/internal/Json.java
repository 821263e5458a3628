package dev.nosqles.internal;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one ObjectMapper configuration the framework uses, built on first use: a function that only appends events of
 * plain records never builds it ({@link RecordJson}, ADR 0020). Not part of the public API.
 */
public final class Json {
    private Json() {
    }

    private static final class Holder {
        private static final ObjectMapper MAPPER = dev.nosqles.aggregate.EventJson.newObjectMapper();
    }

    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }
}
