package dev.nosqles.app.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.util.Map;

/** The requests {@link ApiHandler#prime()} sends to itself before a checkpoint. */
final class PrimingRequests {
    static final String UNKNOWN_ORDER = "00000000-0000-0000-0000-000000000000";

    private PrimingRequests() {
    }

    static APIGatewayV2HTTPEvent getUnknownOrder() {
        return request("GET", "/orders/" + UNKNOWN_ORDER, null);
    }

    /** A list of the read model (registry read, a Query of an index no one's orders are in: anonymous). */
    static APIGatewayV2HTTPEvent listPendingOrders() {
        APIGatewayV2HTTPEvent event = request("GET", "/orders", null);
        event.setRawQueryString("state=APPROVAL_PENDING&limit=1");
        event.setQueryStringParameters(Map.of("state", "APPROVAL_PENDING", "limit", "1"));
        return event;
    }

    static APIGatewayV2HTTPEvent invalidCreate() {
        return request("POST", "/customers", "{\"name\":\"\",\"creditLimit\":\"-1\"}");
    }

    private static APIGatewayV2HTTPEvent request(String method, String path, String body) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withRawQueryString("")
                .withHeaders(Map.of("content-type", "application/json", "x-correlation-id", "crac-priming"))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(path).build())
                        .build())
                .build();
    }
}
