package dev.nosqles.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The one ObjectMapper configuration the framework uses, built on first use: a function that only appends events of
 * plain records never builds it ({@link RecordJson}, ADR 0020). Not part of the public API.
 */
public final class Json {
    /** jackson-core alone, for checks that need no mapper. */
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Json() {
    }

    private static final class Holder {
        private static final ObjectMapper MAPPER = dev.nosqles.aggregate.EventJson.newObjectMapper();
    }

    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    /** True when {@code text} is exactly one well-formed JSON object. */
    public static boolean isObject(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
