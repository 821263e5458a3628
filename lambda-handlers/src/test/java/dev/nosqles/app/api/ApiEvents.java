package dev.nosqles.app.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent.RequestContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Builds API Gateway HTTP API (payload 2.0) events the way API Gateway sends them to a {@code $default} route. */
final class ApiEvents {
    private final String method;
    private final String path;
    private final Map<String, String> headers = new HashMap<>();
    private final Map<String, String> query = new LinkedHashMap<>();
    private String body;
    private boolean base64;
    private RequestContext.Authorizer authorizer;

    private ApiEvents(String method, String path) {
        this.method = method;
        this.path = path;
    }

    static ApiEvents get(String path) {
        return new ApiEvents("GET", path);
    }

    static ApiEvents post(String path, String body) {
        ApiEvents e = new ApiEvents("POST", path);
        e.body = body;
        return e.header("Content-Type", "application/json");
    }

    static ApiEvents request(String method, String path) {
        return new ApiEvents(method, path);
    }

    ApiEvents header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    ApiEvents idempotencyKey(String key) {
        return header("Idempotency-Key", key);
    }

    ApiEvents query(String name, String value) {
        query.put(name, value);
        return this;
    }

    ApiEvents body(String text) {
        this.body = text;
        return this;
    }

    ApiEvents base64Body(String encoded) {
        this.body = encoded;
        this.base64 = true;
        return this;
    }

    ApiEvents jwtSubject(String sub) {
        authorizer = RequestContext.Authorizer.builder()
                .withJwt(RequestContext.Authorizer.JWT.builder().withClaims(Map.of("sub", sub)).build()).build();
        return this;
    }

    ApiEvents iamUser(String userArn) {
        authorizer = RequestContext.Authorizer.builder()
                .withIam(RequestContext.IAM.builder().withUserArn(userArn).build()).build();
        return this;
    }

    APIGatewayV2HTTPEvent build() {
        String raw = query.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withRawQueryString(raw)
                .withHeaders(Map.copyOf(headers))
                .withQueryStringParameters(query.isEmpty() ? null : Map.copyOf(query))
                .withBody(body)
                .withIsBase64Encoded(base64)
                .withRequestContext(RequestContext.builder()
                        .withRouteKey("$default")
                        .withStage("$default")
                        .withHttp(RequestContext.Http.builder().withMethod(method).withPath(path)
                                .withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build())
                        .withAuthorizer(authorizer)
                        .build())
                .build();
    }
}
