package dev.nosqles.runtime.http;

import dev.nosqles.lambda.Telemetry;
import dev.nosqles.app.readmodel.OrderQueries;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.app.api.ApiHandler;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.runtime.TestJson;
import dev.nosqles.dynamodb.DynamoDbEventStore;
import dev.nosqles.dynamodb.DynamoDbSnapshotStore;
import dev.nosqles.testsupport.TestTables;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class LocalApiServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<APIGatewayV2HTTPEvent> received = new AtomicReference<>();
    private LocalApiServer server;

    /** Records the event and answers 201 with a header and a JSON body. */
    private final RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> recorder = (event, context) -> {
        received.set(event);
        return APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                .withHeaders(Map.of("Content-Type", "application/json", "X-Answer", "42"))
                .withBody("{\"ok\":true}").build();
    };

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(List<ApiRoute> routes) throws Exception {
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), routes);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), BodyHandlers.ofString());
    }

    private URI uri(String pathAndQuery) {
        return server.baseUri().resolve(pathAndQuery);
    }

    @Test
    void a_request_becomes_the_event_api_gateway_would_send() throws Exception {
        start(List.of(ApiRoute.of("POST", "/orders/{orderId}/cancel", recorder)));
        send(HttpRequest.newBuilder(uri("/orders/ab%20c/cancel?x=1&x=2&y=a%20b&z"))
                .header("Content-Type", "application/json")
                .header("X-Correlation-Id", "corr-1")
                .header("Cookie", "a=1; b=2")
                .POST(BodyPublishers.ofString("{\"reason\":\"é\"}")));

        APIGatewayV2HTTPEvent e = received.get();
        assertThat(e.getVersion()).isEqualTo("2.0");
        assertThat(e.getRouteKey()).isEqualTo("POST /orders/{orderId}/cancel");
        assertThat(e.getRawPath()).isEqualTo("/orders/ab%20c/cancel");
        assertThat(e.getRawQueryString()).isEqualTo("x=1&x=2&y=a%20b&z");
        assertThat(e.getQueryStringParameters()).isEqualTo(Map.of("x", "1,2", "y", "a b", "z", ""));
        assertThat(e.getPathParameters()).isEqualTo(Map.of("orderId", "ab c"));
        assertThat(e.getHeaders()).containsEntry("x-correlation-id", "corr-1")
                .containsEntry("content-type", "application/json")
                .doesNotContainKey("cookie")
                .allSatisfy((name, value) -> assertThat(name).isLowerCase());
        assertThat(e.getCookies()).containsExactly("a=1", "b=2");
        assertThat(e.getBody()).isEqualTo("{\"reason\":\"é\"}");
        assertThat(e.getIsBase64Encoded()).isFalse();
        assertThat(e.getRequestContext().getRouteKey()).isEqualTo("POST /orders/{orderId}/cancel");
        assertThat(e.getRequestContext().getStage()).isEqualTo("$default");
        assertThat(e.getRequestContext().getHttp().getMethod()).isEqualTo("POST");
        assertThat(e.getRequestContext().getHttp().getPath()).isEqualTo("/orders/ab c/cancel");
        assertThat(e.getRequestContext().getHttp().getSourceIp()).isEqualTo("127.0.0.1");
        assertThat(e.getRequestContext().getRequestId()).isNotBlank();
        assertThat(e.getRequestContext().getTimeEpoch()).isPositive();
    }

    @Test
    void a_request_without_query_or_body_has_none() throws Exception {
        start(List.of(ApiRoute.of("GET", "/orders", recorder)));
        send(HttpRequest.newBuilder(uri("/orders")).GET());
        APIGatewayV2HTTPEvent e = received.get();
        assertThat(e.getRawQueryString()).isEmpty();
        assertThat(e.getQueryStringParameters()).isNull();
        assertThat(e.getPathParameters()).isNull();
        assertThat(e.getBody()).isNull();
        assertThat(e.getCookies()).isNull();
    }

    @Test
    void a_binary_body_arrives_base64_encoded() throws Exception {
        start(List.of(ApiRoute.of("PUT", "/blobs", recorder)));
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        send(HttpRequest.newBuilder(uri("/blobs")).header("Content-Type", "application/octet-stream")
                .PUT(BodyPublishers.ofByteArray(bytes)));
        assertThat(received.get().getIsBase64Encoded()).isTrue();
        assertThat(Base64.getDecoder().decode(received.get().getBody())).isEqualTo(bytes);
    }

    @Test
    void the_handler_response_is_written_back() throws Exception {
        start(List.of(ApiRoute.of("GET", "/orders", recorder)));
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/orders")).GET());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("X-Answer")).hasValue("42");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"ok\":true}");
    }

    @Test
    void a_base64_response_is_decoded() throws Exception {
        start(List.of(ApiRoute.of("GET", "/hello", (event, context) -> APIGatewayV2HTTPResponse.builder()
                .withStatusCode(200).withIsBase64Encoded(true)
                .withBody(Base64.getEncoder().encodeToString("hé".getBytes(StandardCharsets.UTF_8))).build())));
        assertThat(send(HttpRequest.newBuilder(uri("/hello")).GET()).body()).isEqualTo("hé");
    }

    @Test
    void a_path_no_route_serves_is_a_404_problem_and_a_wrong_method_a_405_with_allow() throws Exception {
        start(List.of(ApiRoute.of("GET", "/orders/{orderId}", recorder),
                ApiRoute.of("POST", "/orders/{orderId}", recorder)));
        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(uri("/orders/1")).DELETE());
        HttpResponse<String> wrongPath = send(HttpRequest.newBuilder(uri("/customers")).GET());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET, POST");
        assertProblem(wrongMethod, 405, "method-not-allowed");
        assertProblem(wrongPath, 404, "not-found");
        assertThat(received.get()).isNull();
    }

    static void assertProblem(HttpResponse<String> r, int status, String type) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode body = TestJson.mapper().readTree(r.body());
        assertThat(body.get("type").asText()).isEqualTo("urn:nosqles:problem:" + type);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("title").asText()).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception");
    }

    @Test
    void the_default_route_takes_what_no_specific_route_matches() throws Exception {
        AtomicReference<String> which = new AtomicReference<>();
        start(List.of(
                ApiRoute.catchAll((event, context) -> {
                    which.set(event.getRouteKey());
                    return APIGatewayV2HTTPResponse.builder().withStatusCode(200).build();
                }),
                ApiRoute.of("GET", "/orders", recorder)));
        send(HttpRequest.newBuilder(uri("/anything/else")).GET());
        assertThat(which.get()).isEqualTo("$default");
        send(HttpRequest.newBuilder(uri("/orders")).GET());
        assertThat(received.get().getRouteKey()).isEqualTo("GET /orders");
    }

    @Test
    void a_handler_that_throws_is_a_500_problem_that_names_no_exception() throws Exception {
        start(List.of(ApiRoute.of("GET", "/boom", (event, context) -> {
            throw new IllegalStateException("secret detail");
        })));
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/boom")).GET());
        assertProblem(r, 500, "internal-error");
        assertThat(r.body()).doesNotContain("IllegalState").doesNotContain("secret");
    }

    private void startReferenceApi() throws Exception {
        DynamoDbClient client = TestTables.client(new CapacityMeter());
        String events = TestTables.newEventsTable(client, "http");
        String snapshots = TestTables.newSnapshotsTable(client, "http");
        Clock clock = Clock.systemUTC();
        ApiHandler api = new ApiHandler(new Application(
                DynamoDbEventStore.builder().client(client).tableName(events).clock(clock).build(),
                DynamoDbSnapshotStore.builder().client(client).tableName(snapshots).build(), clock, UUID::randomUUID), OrderQueries.unavailable(), Telemetry.fromEnvironment(name -> null));
        start(List.of(ApiRoute.catchAll(api)));
    }

    @Test
    void two_local_principals_each_see_only_their_own_customers_and_orders() throws Exception {
        startReferenceApi();
        String key = UUID.randomUUID().toString();
        HttpResponse<String> alice = send(HttpRequest.newBuilder(uri("/customers"))
                .header("Content-Type", "application/json").header(LocalApiServer.PRINCIPAL_HEADER, "alice")
                .header("Idempotency-Key", key)
                .POST(BodyPublishers.ofString("{\"name\":\"Ann\",\"creditLimit\":\"100\"}")));
        HttpResponse<String> bob = send(HttpRequest.newBuilder(uri("/customers"))
                .header("Content-Type", "application/json").header(LocalApiServer.PRINCIPAL_HEADER, "bob")
                .header("Idempotency-Key", key)
                .POST(BodyPublishers.ofString("{\"name\":\"Ann\",\"creditLimit\":\"100\"}")));
        String aliceId = TestJson.mapper().readTree(alice.body()).get("customerId").asText();
        String bobId = TestJson.mapper().readTree(bob.body()).get("customerId").asText();
        assertThat(bobId).as("the same key from another principal makes another customer").isNotEqualTo(aliceId);

        assertThat(send(HttpRequest.newBuilder(uri("/customers/" + aliceId))
                .header(LocalApiServer.PRINCIPAL_HEADER, "alice").GET()).statusCode()).isEqualTo(200);
        assertProblem(send(HttpRequest.newBuilder(uri("/customers/" + aliceId))
                .header(LocalApiServer.PRINCIPAL_HEADER, "bob").GET()), 404, "not-found");
        assertProblem(send(HttpRequest.newBuilder(uri("/customers/" + aliceId)).GET()), 404, "not-found");

        HttpResponse<String> order = send(HttpRequest.newBuilder(uri("/orders"))
                .header("Content-Type", "application/json").header(LocalApiServer.PRINCIPAL_HEADER, "alice")
                .POST(BodyPublishers.ofString("{\"customerId\":\"" + aliceId + "\",\"orderTotal\":\"5\"}")));
        String orderId = TestJson.mapper().readTree(order.body()).get("orderId").asText();
        assertProblem(send(HttpRequest.newBuilder(uri("/orders/" + orderId))
                .header(LocalApiServer.PRINCIPAL_HEADER, "bob").GET()), 404, "not-found");
        assertProblem(send(HttpRequest.newBuilder(uri("/orders/" + orderId + "/cancel"))
                .header(LocalApiServer.PRINCIPAL_HEADER, "bob").POST(BodyPublishers.noBody())), 404, "not-found");
        HttpResponse<String> own = send(HttpRequest.newBuilder(uri("/orders/" + orderId + "/events"))
                .header(LocalApiServer.PRINCIPAL_HEADER, "alice").GET());
        assertThat(TestJson.mapper().readTree(own.body()).get(0).get("principal").asText()).isEqualTo("alice");
    }

    @Test
    void the_reference_api_serves_real_http_requests() throws Exception {
        startReferenceApi();

        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/customers"))
                .header("Content-Type", "application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(BodyPublishers.ofString("{\"name\":\"Ann\",\"creditLimit\":\"100\"}")));
        assertThat(created.statusCode()).isEqualTo(201);
        String id = TestJson.mapper().readTree(created.body()).get("customerId").asText();
        assertThat(created.headers().firstValue("Location")).hasValue("/customers/" + id);

        HttpResponse<String> read = send(HttpRequest.newBuilder(uri("/customers/" + id)).GET());
        JsonNode customer = TestJson.mapper().readTree(read.body());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(customer.get("availableCredit").asText()).isEqualTo("100.00");

        HttpResponse<String> missing = send(HttpRequest.newBuilder(uri("/orders/nope?version=x")).GET());
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    /** A raw answer read from a socket, and how long it took. */
    record Raw(int status, String head, String body, long millis) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }

        void isProblem(int expected, String type) throws Exception {
            assertThat(status).as(head).isEqualTo(expected);
            assertThat(header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(TestJson.mapper().readTree(body).get("type").asText()).isEqualTo("urn:nosqles:problem:" + type);
            assertThat(body).doesNotContain("Exception").doesNotContain("thrown");
            assertThat(millis).as("answered within 5 s").isLessThan(5_000);
        }
    }

    /**
     * Sends {@code first}, then each of {@code trickle} after {@code pause} ms (on another thread), and reads the
     * answer; the time is until its first byte.
     */
    private Raw raw(byte[] first, long pause, byte[]... trickle) throws Exception {
        long start = System.nanoTime();
        try (java.net.Socket socket = new java.net.Socket(server.baseUri().getHost(), server.port())) {
            socket.setSoTimeout(10_000);
            java.io.OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(first);
                    out.flush();
                    for (byte[] more : trickle) {
                        Thread.sleep(pause);
                        out.write(more);
                        out.flush();
                    }
                } catch (java.io.IOException | InterruptedException e) {
                    // the server answered and closed before we finished
                }
            });
            java.io.InputStream in = socket.getInputStream();
            int firstByte = in.read();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(firstByte).as("an answer, not a closed connection").isNotNegative();
            byte[] rest = in.readAllBytes();
            writer.interrupt();
            String text = (char) firstByte + new String(rest, StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            assertThat(split).as("an HTTP answer: %s", text).isPositive();
            return new Raw(Integer.parseInt(text.substring(9, 12)), text.substring(0, split), text.substring(split + 4),
                    millis);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void a_content_length_larger_than_the_body_is_a_408_problem_within_the_read_timeout() throws Exception {
        start(List.of(ApiRoute.of("POST", "/orders", recorder)));
        raw(ascii("POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
                + "\r\n{\"a\":1}"), 0).isProblem(408, "request-timeout");
        assertThat(received.get()).isNull();
    }

    @Test
    void headers_that_never_end_are_cut_off_at_the_request_deadline() throws Exception {
        start(List.of(ApiRoute.of("GET", "/orders", recorder)));
        byte[][] trickle = new byte[12][];
        java.util.Arrays.fill(trickle, ascii("X-Slow: y\r\n"));
        Raw r = raw(ascii("GET /orders HTTP/1.1\r\n"), 500, trickle);
        r.isProblem(408, "request-timeout");
        assertThat(r.millis()).isGreaterThanOrEqualTo(Limits.DEFAULT.requestDeadline().toMillis() - 100);
        assertThat(received.get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz", "-1", "10000000000", "1 1", ""})
    void a_malformed_chunk_size_is_a_400_problem(String size) throws Exception {
        start(List.of(ApiRoute.of("POST", "/orders", recorder)));
        raw(ascii("POST /orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\nabc\r\n0\r\n\r\n"), 0)
                .isProblem(400, "bad-request");
        assertThat(received.get()).isNull();
    }

    @Test
    void a_chunked_body_is_read_whole() throws Exception {
        start(List.of(ApiRoute.of("POST", "/orders", recorder)));
        Raw r = raw(ascii("POST /orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n"
                + "\r\n3;ext=1\r\n{\"a\r\n5\r\n\":1}\n\r\n0\r\nX-Trailer: t\r\n\r\n"), 0);
        assertThat(r.status()).isEqualTo(201);
        assertThat(received.get().getBody()).isEqualTo("{\"a\":1}\n");
    }

    @Test
    void a_huge_path_header_or_body_is_414_431_or_413_not_a_reset() throws Exception {
        start(List.of(ApiRoute.of("POST", "/orders", recorder)));
        raw(ascii("GET /" + "a".repeat(1 << 20) + " HTTP/1.1\r\n\r\n"), 0).isProblem(414, "uri-too-long");
        raw(ascii("GET /orders HTTP/1.1\r\nX-Big: " + "a".repeat(1 << 20) + "\r\n\r\n"), 0)
                .isProblem(431, "header-fields-too-large");
        raw(ascii("GET /orders HTTP/1.1\r\n" + "X-Many: 1\r\n".repeat(101) + "\r\n"), 0)
                .isProblem(431, "header-fields-too-large");
        raw(ascii("POST /orders HTTP/1.1\r\nContent-Length: " + ((1 << 20) + 1) + "\r\n\r\n"
                + "a".repeat((1 << 20) + 1)), 0).isProblem(413, "content-too-large");
        raw(ascii("POST /orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + ("8000\r\n" + "a".repeat(0x8000) + "\r\n").repeat(33) + "0\r\n\r\n"), 0)
                .isProblem(413, "content-too-large");
        assertThat(received.get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /orders/%zz HTTP/1.1", "GET /orders/% HTTP/1.1", "GET orders HTTP/1.1",
        "GET /orders HTTP/2.0", "GET  /orders HTTP/1.1", "G(T /orders HTTP/1.1", "GET /ord\u00e9rs HTTP/1.1",
        "GET /orders", "\u0000"})
    void a_malformed_request_line_is_a_problem_naming_no_exception(String line) throws Exception {
        start(List.of(ApiRoute.of("GET", "/orders/{id}", recorder)));
        Raw r = raw(ascii(line + "\r\nHost: x\r\n\r\n"), 0);
        r.isProblem(400, "bad-request");
        assertThat(received.get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length: x", "Content-Length: 1\r\nContent-Length: 2",
        "Content-Length: -1", "Content-Length: 3\r\nTransfer-Encoding: chunked", " folded: x",
        "No-Colon", "Bad Name: x", "X-Ctl: a\u0001b"})
    void a_malformed_header_is_a_400_problem(String header) throws Exception {
        start(List.of(ApiRoute.of("POST", "/orders", recorder)));
        raw(ascii("POST /orders HTTP/1.1\r\n" + header + "\r\n\r\nabc"), 0).isProblem(400, "bad-request");
        assertThat(received.get()).isNull();
    }

    @Test
    void a_transfer_coding_other_than_chunked_is_a_400_problem() throws Exception {
        start(List.of(ApiRoute.of("POST", "/orders", recorder)));
        raw(ascii("POST /orders HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), 0).isProblem(400, "bad-request");
    }

    @Test
    void clients_beyond_the_connection_limit_get_a_503_and_idle_ones_are_dropped() throws Exception {
        server = LocalApiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                List.of(ApiRoute.of("GET", "/orders", recorder)),
                new Limits(8192, 16384, 100, 1 << 20, java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(1), 2));
        try (java.net.Socket a = new java.net.Socket(server.baseUri().getHost(), server.port());
             java.net.Socket b = new java.net.Socket(server.baseUri().getHost(), server.port())) {
            Thread.sleep(100);
            raw(ascii("GET /orders HTTP/1.1\r\n\r\n"), 0).isProblem(503, "service-unavailable");
            Thread.sleep(2_500); // both idle connections are cut off by then
            assertThat(raw(ascii("GET /orders HTTP/1.1\r\n\r\n"), 0).status()).isEqualTo(201);
        }
    }

    @Test
    void the_local_principal_header_becomes_the_authorizers_subject_and_is_not_forwarded() throws Exception {
        start(List.of(ApiRoute.of("GET", "/orders", recorder)));
        send(HttpRequest.newBuilder(uri("/orders")).header(LocalApiServer.PRINCIPAL_HEADER, "alice").GET());
        APIGatewayV2HTTPEvent e = received.get();
        assertThat(e.getRequestContext().getAuthorizer().getJwt().getClaims()).containsEntry("sub", "alice");
        assertThat(e.getHeaders()).doesNotContainKey("x-local-principal");

        send(HttpRequest.newBuilder(uri("/orders")).GET());
        assertThat(received.get().getRequestContext().getAuthorizer()).isNull();

        received.set(null);
        raw(ascii("GET /orders HTTP/1.1\r\nX-Local-Principal: " + "a".repeat(129) + "\r\n\r\n"), 0)
                .isProblem(400, "invalid-header");
        assertThat(received.get()).isNull();
    }

    @Test
    void a_body_that_is_not_utf8_reaches_the_handler_base64_encoded_not_with_replacement_characters()
            throws Exception {
        start(List.of(ApiRoute.of("POST", "/orders", recorder)));
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, 'x', '"', '}'};
        send(HttpRequest.newBuilder(uri("/orders")).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(bytes)));
        assertThat(received.get().getIsBase64Encoded()).isTrue();
        assertThat(Base64.getDecoder().decode(received.get().getBody())).isEqualTo(bytes);
    }

    @Test
    void a_handler_cannot_split_the_response_with_a_header_value() throws Exception {
        start(List.of(ApiRoute.of("GET", "/split", (event, context) -> APIGatewayV2HTTPResponse.builder()
                .withStatusCode(200).withHeaders(Map.of("X-Echo", "a\r\nSet-Cookie: evil=1")).withBody("{}").build())));
        Raw r = raw(ascii("GET /split HTTP/1.1\r\n\r\n"), 0);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Set-Cookie")).isNull();
        assertThat(r.header("X-Echo")).isNull();
    }
}
