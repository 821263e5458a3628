package dev.nosqles.runtime.http;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP API route: a method ({@code GET}, ..., or {@code ANY}) and a path template such as
 * {@code /orders/{orderId}/cancel}, or the catch-all {@code $default}; and the Lambda handler it integrates.
 */
public record ApiRoute(String method, String template,
                       RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
    public static final String DEFAULT = "$default";
    public static final String ANY = "ANY";

    public ApiRoute {
        Objects.requireNonNull(handler, "handler");
        method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
        Objects.requireNonNull(template, "template");
        if (!template.equals(DEFAULT) && !template.startsWith("/")) {
            throw new IllegalArgumentException("a template starts with / or is $default");
        }
    }

    public static ApiRoute of(String method, String template,
                              RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
        return new ApiRoute(method, template, handler);
    }

    /** The catch-all route. */
    public static ApiRoute catchAll(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
        return new ApiRoute(ANY, DEFAULT, handler);
    }

    /** The route key API Gateway reports: {@code GET /orders/{orderId}} or {@code $default}. */
    public String routeKey() {
        return template.equals(DEFAULT) ? DEFAULT : method + " " + template;
    }

    boolean isDefault() {
        return template.equals(DEFAULT);
    }

    /** True when this route's template matches the path, whatever the method ($default matches every path). */
    boolean matchesPath(String rawPath) {
        return isDefault() || bind(rawPath).isPresent();
    }

    /** The decoded path parameters when this route matches; empty otherwise. */
    Optional<Map<String, String>> match(String requestMethod, String rawPath) {
        if (isDefault()) {
            return Optional.of(Map.of());
        }
        if (!method.equals(ANY) && !method.equals(requestMethod)) {
            return Optional.empty();
        }
        return bind(rawPath);
    }

    private Optional<Map<String, String>> bind(String rawPath) {
        String[] t = template.substring(1).split("/", -1);
        String[] p = (rawPath.startsWith("/") ? rawPath.substring(1) : rawPath).split("/", -1);
        if (t.length != p.length) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < t.length; i++) {
            if (t[i].startsWith("{") && t[i].endsWith("}")) {
                if (p[i].isEmpty()) {
                    return Optional.empty();
                }
                params.put(t[i].substring(1, t[i].length() - 1), Percent.decode(p[i]));
            } else if (!t[i].equals(p[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }
}
