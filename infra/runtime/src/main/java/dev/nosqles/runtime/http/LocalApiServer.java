package dev.nosqles.runtime.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.RequestContext;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * A local stand-in for an API Gateway HTTP API (payload format 2.0): it matches each request against a route
 * table, turns it into the {@link APIGatewayV2HTTPEvent} API Gateway would send (route key, raw path and query,
 * lower-cased headers, cookies, decoded query and path parameters, body with base64 for binary content or
 * bytes that are not UTF-8, request context), calls the route's handler and writes its response back.
 *
 * <p>It is hardened like a production front door (its own small HTTP/1.1 server, one virtual thread per
 * connection, {@code Connection: close} after every answer): the {@link Limits} on sizes and time answer
 * 413/414/431/408; a slow or broken client is cut off at its deadline and never holds a worker longer; a
 * malformed request line, header or chunked body, another HTTP version or a transfer coding other than chunked
 * is a 400 (a caller's mistake is never a 5xx). Everything the server answers itself is an RFC 9457
 * {@code application/problem+json}, never an exception's name: 404 no route for the path, 405 with
 * {@code Allow} for a path some route serves with other methods, 500 when a handler throws. Specific routes win
 * over {@code $default}.
 *
 * <p>Identity: API Gateway hands the function the caller's identity in the request context; locally the header
 * {@value #PRINCIPAL_HEADER} (1 to 128 visible ASCII characters) plays that part: it becomes the JWT claim
 * {@code sub} of {@code requestContext.authorizer} and is not passed on as a header. Without it the request
 * carries no authorizer, as an API without authorization would.
 */
public final class LocalApiServer implements AutoCloseable {
    /** The header the local server maps to the caller's identity (the JWT {@code sub} claim). */
    public static final String PRINCIPAL_HEADER = "X-Local-Principal";

    private static final System.Logger LOG = System.getLogger(LocalApiServer.class.getName());
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final int MAX_PRINCIPAL = 128;
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final ServerSocket socket;
    private final ExecutorService executor;
    private final List<ApiRoute> routes;
    private final Limits limits;
    private final Semaphore connections;
    private final Thread acceptor;
    private volatile boolean closed;

    private LocalApiServer(ServerSocket socket, List<ApiRoute> routes, Limits limits) {
        this.socket = socket;
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.routes = routes;
        this.limits = limits;
        this.connections = new Semaphore(limits.maxConnections());
        this.acceptor = Thread.ofPlatform().daemon().name("local-api-accept-" + socket.getLocalPort())
                .unstarted(this::accept);
    }

    /**
     * Starts serving the routes with the {@link Limits#DEFAULT default limits}.
     *
     * @param address where to listen; port 0 picks a free port
     */
    public static LocalApiServer start(InetSocketAddress address, List<ApiRoute> routes) throws IOException {
        return start(address, routes, Limits.DEFAULT);
    }

    /** Starts serving the routes with the given limits. */
    public static LocalApiServer start(InetSocketAddress address, List<ApiRoute> routes, Limits limits)
            throws IOException {
        List<ApiRoute> ordered = new ArrayList<>(routes.stream().filter(r -> !r.isDefault()).toList());
        ordered.addAll(routes.stream().filter(ApiRoute::isDefault).toList());
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(address, 128);
        LocalApiServer api = new LocalApiServer(socket, List.copyOf(ordered), limits);
        api.acceptor.start();
        return api;
    }

    /** The base URI, such as {@code http://127.0.0.1:52731}. */
    public URI baseUri() {
        InetAddress a = socket.getInetAddress();
        return URI.create("http://" + a.getHostAddress() + ":" + socket.getLocalPort());
    }

    public int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "accepting a connection failed: {0}", e.getClass().getSimpleName());
                    pause(); // out of file descriptors, say: do not spin
                }
                continue;
            }
            if (!connections.tryAcquire()) {
                executor.execute(() -> refuseBusy(client));
                continue;
            }
            executor.execute(() -> {
                try {
                    serve(client);
                } finally {
                    connections.release();
                }
            });
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void refuseBusy(Socket client) {
        try (client) {
            client.setSoTimeout((int) limits.readTimeout().toMillis());
            writeProblem(client.getOutputStream(), false, 503, "service-unavailable", "Service Unavailable",
                    "too many connections; retry shortly", null, Map.of("Retry-After", "1"));
        } catch (IOException e) {
            // the client is gone
        }
    }

    private void serve(Socket client) {
        try (client) {
            try {
                exchange(client);
            } finally {
                drainAndClose(client);
            }
        } catch (IOException e) {
            // the client went away or broke the connection: nothing to answer
        }
    }

    /**
     * Half-closes, then reads what the client still sends for a moment (bounded in bytes and time) so that an
     * answer given before the whole request was read reaches the client instead of a connection reset.
     */
    private void drainAndClose(Socket client) {
        try {
            client.shutdownOutput();
            client.setSoTimeout(250);
            byte[] sink = new byte[8192];
            long deadline = System.nanoTime() + 1_000_000_000L;
            long left = 2L * limits.maxBodyBytes();
            int n;
            while (left > 0 && System.nanoTime() < deadline && (n = client.getInputStream().read(sink)) >= 0) {
                left -= n;
            }
        } catch (IOException e) {
            // timed out or gone: close now
        }
    }

    private void exchange(Socket client) throws IOException {
        {
            client.setTcpNoDelay(true);
            OutputStream out = client.getOutputStream();
            RequestReader.Request request;
            try {
                request = new RequestReader(client, limits).read();
            } catch (RequestReader.Refusal refusal) {
                writeProblem(out, false, refusal.status(), refusal.code(), reason(refusal.status()),
                        refusal.getMessage(), refusal.field(), Map.of());
                return;
            }
            if (request == null) {
                return;
            }
            respond(request, client, out);
        }
    }

    private void respond(RequestReader.Request request, Socket client, OutputStream out) throws IOException {
        String method = request.method().toUpperCase(Locale.ROOT);
        boolean head = method.equals("HEAD");
        int q = request.target().indexOf('?');
        String rawPath = q < 0 ? request.target() : request.target().substring(0, q);
        String rawQuery = q < 0 ? "" : request.target().substring(q + 1);
        String principal = request.header(PRINCIPAL_HEADER.toLowerCase(Locale.ROOT));
        if (principal != null && (principal.isEmpty() || principal.length() > MAX_PRINCIPAL
                || !principal.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            writeProblem(out, head, 400, "invalid-header", "Bad Request",
                    PRINCIPAL_HEADER + " must be 1 to " + MAX_PRINCIPAL + " visible ASCII characters",
                    PRINCIPAL_HEADER, Map.of());
            return;
        }
        TreeSet<String> allowed = new TreeSet<>();
        for (ApiRoute route : routes) {
            Optional<Map<String, String>> params = route.match(method, rawPath);
            if (params.isEmpty()) {
                if (route.matchesPath(rawPath)) {
                    allowed.add(route.method());
                }
                continue;
            }
            APIGatewayV2HTTPEvent event = toEvent(request, client, route, params.get(), rawPath, rawQuery, principal);
            APIGatewayV2HTTPResponse response;
            try {
                response = route.handler().handleRequest(event, null);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "handler of {0} failed: {1}", route.routeKey(), e.getClass().getName());
                writeProblem(out, head, 500, "internal-error", "Internal Server Error",
                        "the request could not be completed", null, Map.of());
                return;
            }
            write(out, head, response);
            return;
        }
        if (!allowed.isEmpty()) {
            writeProblem(out, head, 405, "method-not-allowed", "Method Not Allowed",
                    "this resource does not support the method", null, Map.of("Allow", String.join(", ", allowed)));
            return;
        }
        writeProblem(out, head, 404, "not-found", "Not Found", "no route serves this path", null, Map.of());
    }

    static APIGatewayV2HTTPEvent toEvent(RequestReader.Request request, Socket client, ApiRoute route,
                                         Map<String, String> pathParameters, String rawPath, String rawQuery,
                                         String principal) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        for (String[] h : request.headers()) {
            String name = h[0];
            if (name.equals("cookie")) {
                for (String c : h[1].split(";")) {
                    if (!c.isBlank()) {
                        cookies.add(c.strip());
                    }
                }
            } else if (!name.equals(PRINCIPAL_HEADER.toLowerCase(Locale.ROOT))) {
                headers.merge(name, h[1], (a, b) -> a + "," + b);
            }
        }
        byte[] body = request.body();
        String text = isText(headers.get("content-type")) ? utf8(body) : null;
        String encodedBody = body.length == 0 ? null : text != null ? text : Base64.getEncoder().encodeToString(body);
        Instant now = Instant.now();
        InetSocketAddress remote = (InetSocketAddress) client.getRemoteSocketAddress();
        String method = request.method().toUpperCase(Locale.ROOT);
        RequestContext.Authorizer authorizer = principal == null ? null : RequestContext.Authorizer.builder()
                .withJwt(RequestContext.Authorizer.JWT.builder().withClaims(Map.of("sub", principal))
                        .withScopes(List.of()).build())
                .build();
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
                .withIsBase64Encoded(encodedBody != null && text == null)
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
                        .withAuthorizer(authorizer)
                        .withHttp(RequestContext.Http.builder()
                                .withMethod(method)
                                .withPath(Percent.decode(rawPath))
                                .withProtocol(request.protocol())
                                .withSourceIp(remote == null ? "127.0.0.1" : remote.getAddress().getHostAddress())
                                .withUserAgent(headers.get("user-agent"))
                                .build())
                        .build())
                .build();
    }

    /** The body as text when it is valid UTF-8, else null (it then travels base64 encoded). */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
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

    private static void write(OutputStream out, boolean head, APIGatewayV2HTTPResponse response) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((k, v) -> headers.put(k, new ArrayList<>(List.of(v))));
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, vs) -> headers.computeIfAbsent(k, x -> new ArrayList<>())
                    .addAll(vs));
        }
        if (response.getCookies() != null) {
            headers.computeIfAbsent("Set-Cookie", x -> new ArrayList<>()).addAll(response.getCookies());
        }
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        int status = response.getStatusCode() == 0 ? 200 : response.getStatusCode();
        send(out, head, status, headers, bytes);
    }

    private static void writeProblem(OutputStream out, boolean head, int status, String code, String title,
                                     String detail, String field, Map<String, String> extra) throws IOException {
        StringBuilder json = new StringBuilder("{\"type\":\"urn:nosqles:problem:").append(code)
                .append("\",\"title\":\"").append(title).append("\",\"status\":").append(status)
                .append(",\"detail\":\"").append(detail).append('"');
        if (field != null) {
            json.append(",\"field\":\"").append(field).append('"');
        }
        json.append('}');
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of(PROBLEM_JSON));
        extra.forEach((k, v) -> headers.put(k, List.of(v)));
        send(out, head, status, headers, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void send(OutputStream out, boolean head, int status, Map<String, List<String>> headers,
                             byte[] body) throws IOException {
        boolean noBody = head || status == 204 || status == 304 || (status >= 100 && status < 200);
        ByteArrayOutputStream response = new ByteArrayOutputStream(256 + body.length);
        StringBuilder h = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\n");
        headers.forEach((name, values) -> {
            if (isSafeHeader(name) && !name.equalsIgnoreCase("Content-Length")
                    && !name.equalsIgnoreCase("Connection") && !name.equalsIgnoreCase("Transfer-Encoding")) {
                values.stream().filter(LocalApiServer::isSafeValue)
                        .forEach(v -> h.append(name).append(": ").append(v).append("\r\n"));
            }
        });
        h.append("Date: ").append(HTTP_DATE.format(Instant.now())).append("\r\n");
        if (!(status == 204 || status == 304)) {
            h.append("Content-Length: ").append(noBody && !head ? 0 : body.length).append("\r\n");
        }
        h.append("Connection: close\r\n\r\n");
        response.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!noBody) {
            response.writeBytes(body);
        }
        out.write(response.toByteArray());
        out.flush();
    }

    /** A header name a handler may set: a token. */
    private static boolean isSafeHeader(String name) {
        return name != null && !name.isEmpty() && name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':');
    }

    /** No CR, LF or other control character: a handler cannot split the response. */
    private static boolean isSafeValue(String value) {
        return value != null && value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff));
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
