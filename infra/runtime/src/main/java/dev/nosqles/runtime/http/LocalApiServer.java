package dev.nosqles.runtime.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.RequestContext;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local stand-in for an API Gateway HTTP API (payload format 2.0) on the JDK's HTTP server: it matches each
 * request against a route table, turns it into the {@link APIGatewayV2HTTPEvent} API Gateway would send (route
 * key, raw path and query, lower-cased headers, cookies, decoded query and path parameters, body with
 * base64 for binary content, request context), calls the route's handler and writes its response back.
 *
 * <p>Like API Gateway: no matching route answers 404 {@code {"message":"Not Found"}}; a handler that throws
 * answers 500 {@code {"message":"Internal Server Error"}}. Specific routes win over {@code $default}.
 */
public final class LocalApiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LocalApiServer.class.getName());
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<ApiRoute> routes;

    private LocalApiServer(HttpServer server, ExecutorService executor, List<ApiRoute> routes) {
        this.server = server;
        this.executor = executor;
        this.routes = routes;
    }

    /**
     * Starts serving the routes.
     *
     * @param address where to listen; port 0 picks a free port
     */
    public static LocalApiServer start(InetSocketAddress address, List<ApiRoute> routes) throws IOException {
        List<ApiRoute> ordered = new ArrayList<>(routes.stream().filter(r -> !r.isDefault()).toList());
        ordered.addAll(routes.stream().filter(ApiRoute::isDefault).toList());
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        LocalApiServer api = new LocalApiServer(server, executor, List.copyOf(ordered));
        server.createContext("/", api::serve);
        server.setExecutor(executor);
        server.start();
        return api;
    }

    /** The base URI, such as {@code http://127.0.0.1:52731}. */
    public URI baseUri() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String rawPath = exchange.getRequestURI().getRawPath();
            for (ApiRoute route : routes) {
                Optional<Map<String, String>> params = route.match(method, rawPath);
                if (params.isPresent()) {
                    byte[] body;
                    try (InputStream in = exchange.getRequestBody()) {
                        body = in.readAllBytes();
                    }
                    APIGatewayV2HTTPEvent event = toEvent(exchange, route, params.get(), body);
                    APIGatewayV2HTTPResponse response;
                    try {
                        response = route.handler().handleRequest(event, null);
                    } catch (RuntimeException e) {
                        LOG.log(Level.ERROR, "handler of {0} failed: {1}", route.routeKey(), e.getClass().getName());
                        write(exchange, 500, "{\"message\":\"Internal Server Error\"}");
                        return;
                    }
                    write(exchange, response);
                    return;
                }
            }
            write(exchange, 404, "{\"message\":\"Not Found\"}");
        }
    }

    static APIGatewayV2HTTPEvent toEvent(HttpExchange exchange, ApiRoute route, Map<String, String> pathParameters,
                                         byte[] body) {
        URI uri = exchange.getRequestURI();
        String rawPath = uri.getRawPath();
        String rawQuery = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                values.forEach(v -> List.of(v.split(";")).forEach(c -> {
                    if (!c.isBlank()) {
                        cookies.add(c.strip());
                    }
                }));
            } else {
                headers.merge(lower, String.join(",", values), (a, b) -> a + "," + b);
            }
        });
        boolean text = isText(headers.get("content-type"));
        String encodedBody = body.length == 0 ? null
                : text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body);
        Instant now = Instant.now();
        InetSocketAddress remote = exchange.getRemoteAddress();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(route.routeKey())
                .withRawPath(rawPath)
                .withRawQueryString(rawQuery)
                .withCookies(cookies.isEmpty() ? null : List.copyOf(cookies))
                .withHeaders(headers)
                .withQueryStringParameters(query(rawQuery))
                .withPathParameters(pathParameters.isEmpty() ? null : pathParameters)
                .withBody(encodedBody)
                .withIsBase64Encoded(encodedBody != null && !text)
                .withRequestContext(RequestContext.builder()
                        .withAccountId("000000000000")
                        .withApiId("local")
                        .withDomainName(headers.getOrDefault("host", "localhost"))
                        .withDomainPrefix("local")
                        .withStage("$default")
                        .withRouteKey(route.routeKey())
                        .withRequestId(UUID.randomUUID().toString())
                        .withTime(REQUEST_TIME.format(now))
                        .withTimeEpoch(now.toEpochMilli())
                        .withHttp(RequestContext.Http.builder()
                                .withMethod(method)
                                .withPath(Percent.decode(rawPath))
                                .withProtocol(exchange.getProtocol())
                                .withSourceIp(remote == null ? "127.0.0.1" : remote.getAddress().getHostAddress())
                                .withUserAgent(headers.get("user-agent"))
                                .build())
                        .build())
                .build();
    }

    /** Decoded parameters; repeated names joined with commas, as API Gateway does. Null when there are none. */
    private static Map<String, String> query(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = Percent.decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : Percent.decodeQuery(pair.substring(eq + 1));
            params.merge(name, value, (a, b) -> a + "," + b);
        }
        return params.isEmpty() ? null : params;
    }

    private static boolean isText(String contentType) {
        if (contentType == null) {
            return true;
        }
        String ct = contentType.toLowerCase(Locale.ROOT);
        return ct.startsWith("text/") || ct.contains("json") || ct.contains("xml")
                || ct.startsWith("application/x-www-form-urlencoded") || ct.startsWith("application/javascript");
    }

    private static void write(HttpExchange exchange, APIGatewayV2HTTPResponse response) throws IOException {
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, vs) -> vs.forEach(v -> exchange.getResponseHeaders().add(k, v)));
        }
        if (response.getCookies() != null) {
            response.getCookies().forEach(c -> exchange.getResponseHeaders().add("Set-Cookie", c));
        }
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        int status = response.getStatusCode() == 0 ? 200 : response.getStatusCode();
        send(exchange, status, bytes);
    }

    private static void write(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        boolean noBody = bytes.length == 0 || status == 204 || status == 304
                || exchange.getRequestMethod().equalsIgnoreCase("HEAD");
        exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
