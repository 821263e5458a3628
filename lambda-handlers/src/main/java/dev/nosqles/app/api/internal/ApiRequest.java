package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the routes need from an API Gateway HTTP API (payload 2.0) event, read once.
 *
 * @param method upper-case HTTP method
 * @param path the raw path (the {@code $default} stage: no stage prefix)
 * @param headers header names lower-cased
 * @param query decoded query parameters (repeated ones joined with commas, as API Gateway does)
 * @param body the body as text (base64 decoded), or null
 * @param principal the caller's identity from the authorizer, else {@code anonymous}
 * @param correlationId from {@code X-Correlation-Id}, or null
 * @param idempotencyKey from {@code Idempotency-Key}, or null
 */
public record ApiRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                         String body, String principal, String correlationId, String idempotencyKey) {
    public static final String ANONYMOUS = "anonymous";
    private static final int MAX_KEY = 255;
    private static final int MAX_CORRELATION_ID = 128;

    /** @throws ProblemException 400 for a malformed header or body encoding */
    public static ApiRequest from(APIGatewayV2HTTPEvent event) {
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        }
        Map<String, String> query = event.getQueryStringParameters() == null ? Map.of()
                : Map.copyOf(event.getQueryStringParameters());
        return new ApiRequest(method(event), event.getRawPath() == null ? "/" : event.getRawPath(),
                Map.copyOf(headers), query, body(event), principal(event),
                header(headers, "x-correlation-id", MAX_CORRELATION_ID),
                header(headers, "idempotency-key", MAX_KEY));
    }

    private static String method(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        if (context != null && context.getHttp() != null && context.getHttp().getMethod() != null) {
            return context.getHttp().getMethod().toUpperCase(Locale.ROOT);
        }
        String routeKey = event.getRouteKey();
        if (routeKey != null && routeKey.indexOf(' ') > 0) {
            return routeKey.substring(0, routeKey.indexOf(' ')).toUpperCase(Locale.ROOT);
        }
        return "";
    }

    private static String body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null || !event.getIsBase64Encoded()) {
            return body;
        }
        try {
            return new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("malformed-body", "the body is not valid base64");
        }
    }

    private static String principal(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        if (context == null || context.getAuthorizer() == null) {
            return ANONYMOUS;
        }
        var authorizer = context.getAuthorizer();
        if (authorizer.getJwt() != null && authorizer.getJwt().getClaims() != null) {
            String sub = authorizer.getJwt().getClaims().get("sub");
            if (sub != null && !sub.isBlank()) {
                return sub;
            }
        }
        if (authorizer.getIam() != null) {
            String arn = authorizer.getIam().getUserArn();
            if (arn != null && !arn.isBlank()) {
                return arn;
            }
        }
        return ANONYMOUS;
    }

    /** A header of visible ASCII, at most {@code max} long; null when absent. */
    private static String header(Map<String, String> headers, String name, int max) {
        String value = headers.get(name);
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > max || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ProblemException.badRequest("invalid-header",
                    name + " must be 1 to " + max + " visible ASCII characters");
        }
        return value;
    }
}
