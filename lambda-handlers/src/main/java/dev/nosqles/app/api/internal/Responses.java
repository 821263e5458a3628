package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.app.internal.AppJson;
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

    public static APIGatewayV2HTTPResponse problem(ProblemException problem, Map<String, String> extraHeaders) {
        ObjectNode body = AppJson.object()
                .put("type", PROBLEM_TYPE_PREFIX + problem.code())
                .put("title", problem.title())
                .put("status", problem.status())
                .put("detail", problem.detail());
        if (problem.field() != null) {
            body.put("field", problem.field());
        }
        return response(problem.status(), PROBLEM_JSON, write(body), extraHeaders);
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
