package dev.nosqles.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nosqles.app.Application;
import dev.nosqles.app.api.ApiHandler;
import dev.nosqles.capacity.CapacityMeter;
import dev.nosqles.internal.Json;
import dev.nosqles.store.dynamodb.DynamoDbEventStore;
import dev.nosqles.store.dynamodb.DynamoDbSnapshotStore;
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
    void a_request_no_route_matches_is_404_as_api_gateway_answers_it() throws Exception {
        start(List.of(ApiRoute.of("GET", "/orders/{orderId}", recorder)));
        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(uri("/orders/1"))
                .DELETE());
        HttpResponse<String> wrongPath = send(HttpRequest.newBuilder(uri("/customers")).GET());
        assertThat(wrongMethod.statusCode()).isEqualTo(404);
        assertThat(wrongPath.statusCode()).isEqualTo(404);
        assertThat(wrongPath.body()).isEqualTo("{\"message\":\"Not Found\"}");
        assertThat(received.get()).isNull();
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
    void a_handler_that_throws_is_500() throws Exception {
        start(List.of(ApiRoute.of("GET", "/boom", (event, context) -> {
            throw new IllegalStateException("boom");
        })));
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/boom")).GET());
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
    }

    @Test
    void the_reference_api_serves_real_http_requests() throws Exception {
        DynamoDbClient client = TestTables.client(new CapacityMeter());
        String events = TestTables.newEventsTable(client, "http");
        String snapshots = TestTables.newSnapshotsTable(client, "http");
        Clock clock = Clock.systemUTC();
        ApiHandler api = new ApiHandler(new Application(
                DynamoDbEventStore.builder().client(client).tableName(events).clock(clock).build(),
                DynamoDbSnapshotStore.create(client, snapshots), clock, UUID::randomUUID));
        start(List.of(ApiRoute.catchAll(api)));

        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/customers"))
                .header("Content-Type", "application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(BodyPublishers.ofString("{\"name\":\"Ann\",\"creditLimit\":\"100\"}")));
        assertThat(created.statusCode()).isEqualTo(201);
        String id = Json.mapper().readTree(created.body()).get("customerId").asText();
        assertThat(created.headers().firstValue("Location")).hasValue("/customers/" + id);

        HttpResponse<String> read = send(HttpRequest.newBuilder(uri("/customers/" + id)).GET());
        JsonNode customer = Json.mapper().readTree(read.body());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(customer.get("availableCredit").asText()).isEqualTo("100.00");

        HttpResponse<String> missing = send(HttpRequest.newBuilder(uri("/orders/nope?version=x")).GET());
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
}
