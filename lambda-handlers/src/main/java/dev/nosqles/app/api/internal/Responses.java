package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.internal.AppJson;
import dev.nosqles.json.JsonWriter;
import java.util.HashMap;
import java.util.Map;

/** Builds HTTP API responses: JSON bodies and RFC 9457 problems. */
public final class Responses {
    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String PROBLEM_TYPE_PREFIX = "urn:nosqles:problem:";

    private Responses() {
    }

    public static APIGatewayV2HTTPResponse json(int status, JsonNode body, Map<String, String> extraHeaders) {
        return response(status, JSON, write(body), extraHeaders);
    }

    /**
     * A JSON object of a few scalar fields, written without a tree: {@code fields} names and values in turn, each
     * value a String, Boolean or Integer.
     */
    public static APIGatewayV2HTTPResponse json(int status, Map<String, String> extraHeaders, Object... fields) {
        JsonWriter body = new JsonWriter().writeStartObject();
        for (int i = 0; i < fields.length; i += 2) {
            body.writeFieldName((String) fields[i]);
            Object value = fields[i + 1];
            if (value instanceof Boolean b) {
                body.writeBoolean(b);
            } else if (value instanceof Integer n) {
                body.writeNumber(n);
            } else {
                body.writeString((String) value);
            }
        }
        return response(status, JSON, body.writeEndObject().toString(), extraHeaders);
    }

    public static APIGatewayV2HTTPResponse problem(ProblemException problem, Map<String, String> extraHeaders) {
        JsonWriter body = new JsonWriter().writeStartObject()
                .writeStringField("type", PROBLEM_TYPE_PREFIX + problem.code())
                .writeStringField("title", problem.title())
                .writeNumberField("status", problem.status())
                .writeStringField("detail", problem.detail());
        if (problem.field() != null) {
            body.writeStringField("field", problem.field());
        }
        return response(problem.status(), PROBLEM_JSON, body.writeEndObject().toString(), extraHeaders);
    }

    private static APIGatewayV2HTTPResponse response(int status, String contentType, String body,
                                                     Map<String, String> extraHeaders) {
        Map<String, String> headers = new HashMap<>(extraHeaders);
        headers.put("Content-Type", contentType);
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(headers)
                .withBody(body)
                .withIsBase64Encoded(false)
                .build();
    }

    private static String write(JsonNode node) {
        return AppJson.write(node);
    }
}
