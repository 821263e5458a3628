package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Matches a method and raw path against templates such as {@code /orders/{orderId}/cancel}. Matching the raw
 * path (not the route key) works both behind per-route integrations and behind one {@code $default} route.
 */
public final class Router {
    /** What a route does with the request and its path parameters. */
    @FunctionalInterface
    public interface Action {
        APIGatewayV2HTTPResponse handle(ApiRequest request, Map<String, String> pathParameters);
    }

    private record Route(String method, String[] segments, Action action) {
    }

    /** The route found for a request. */
    public record Match(Action action, Map<String, String> pathParameters) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Action action) {
        routes.add(new Route(method, split(template), action));
        return this;
    }

    /**
     * @throws ProblemException 404 when no template matches the path, 405 when none matches the method
     */
    public Match match(String method, String path) {
        String[] segments = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> params = bind(route.segments(), segments);
            if (params.isPresent()) {
                if (route.method().equals(method)) {
                    return new Match(route.action(), params.get());
                }
                allowed.add(route.method());
            }
        }
        if (allowed.isEmpty()) {
            throw ProblemException.notFound("no resource at this path");
        }
        throw new MethodNotAllowed(Set.copyOf(allowed));
    }

    /** 405, with the methods the path allows. */
    public static final class MethodNotAllowed extends RuntimeException {
        private final Set<String> allowed;

        MethodNotAllowed(Set<String> allowed) {
            super("method not allowed");
            this.allowed = allowed;
        }

        public Set<String> allowed() {
            return allowed;
        }

        public ProblemException problem() {
            return new ProblemException(405, "method-not-allowed", "Method Not Allowed",
                    "this resource does not support the method");
        }
    }

    private static Optional<Map<String, String>> bind(String[] template, String[] path) {
        if (template.length != path.length) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), path[i]);
            } else if (!t.equals(path[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.split("/", -1);
    }
}
