package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
 * @param body the body as text (base64 decoded, checked to be valid UTF-8 of at most {@value #MAX_BODY_BYTES}
 *        bytes), or null
 * @param principal the caller's identity from the authorizer, else {@code anonymous}
 * @param correlationId from {@code X-Correlation-Id}, or null
 * @param idempotencyKey from {@code Idempotency-Key}, or null
 */
public record ApiRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                         String body, String principal, String correlationId, String idempotencyKey) {
    public static final String ANONYMOUS = "anonymous";
    /** The largest body the API reads, in bytes of UTF-8. */
    public static final int MAX_BODY_BYTES = 16 * 1024;
    private static final int MAX_KEY = 255;
    private static final int MAX_CORRELATION_ID = 128;

    /**
     * @throws ProblemException 400 for a malformed header or a body that is not valid UTF-8 (or base64), 413 for
     *         a body over {@value #MAX_BODY_BYTES} bytes
     */
    public static ApiRequest from(APIGatewayV2HTTPEvent event) {
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        }
        Map<String, String> query = event.getQueryStringParameters() == null ? Map.of()
                : Map.copyOf(event.getQueryStringParameters());
        return new ApiRequest(method(event), event.getRawPath() == null ? "/" : event.getRawPath(),
                Map.copyOf(headers), query, body(event), principal(event),
                header(headers, "X-Correlation-Id", MAX_CORRELATION_ID),
                header(headers, "Idempotency-Key", MAX_KEY));
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
        if (body == null) {
            return null;
        }
        if (!event.getIsBase64Encoded()) {
            // API Gateway hands text over as a string; a lone surrogate is text no UTF-8 can carry
            if (body.length() > MAX_BODY_BYTES * 2L) {
                throw ProblemException.tooLarge(MAX_BODY_BYTES);
            }
            if (!isWellFormed(body)) {
                throw invalidEncoding();
            }
            if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
                throw ProblemException.tooLarge(MAX_BODY_BYTES);
            }
            return body;
        }
        if (body.length() > (MAX_BODY_BYTES / 3 + 1) * 4 + 4) {
            throw ProblemException.tooLarge(MAX_BODY_BYTES);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("malformed-body", "body", "the body is not valid base64");
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw ProblemException.tooLarge(MAX_BODY_BYTES);
        }
        try {
            // strict: malformed sequences, overlong forms and encoded surrogates are refused, never replaced
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw invalidEncoding();
        }
    }

    private static ProblemException invalidEncoding() {
        return ProblemException.badRequest("invalid-encoding", "body", "the body must be valid UTF-8");
    }

    /** No unpaired surrogate. */
    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
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
        String value = headers.get(name.toLowerCase(Locale.ROOT));
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > max || !visibleAscii(value)) {
            throw ProblemException.badRequest("invalid-header", name,
                    name + " must be 1 to " + max + " visible ASCII characters");
        }
        return value;
    }

    private static boolean visibleAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
