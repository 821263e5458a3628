package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.nosqles.app.Application;
import dev.nosqles.app.Fields;
import dev.nosqles.app.order.OrderStatus;
import dev.nosqles.app.readmodel.OrderQueries;
import dev.nosqles.app.readmodel.OrderSummary;
import dev.nosqles.projection.Freshness;
import dev.nosqles.projection.InvalidCursorException;
import dev.nosqles.projection.Page;
import dev.nosqles.projection.PageRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The queries of the {@code order-summaries} read model (ADR 0007), both scoped to the caller (ADR 0006):
 * <ul>
 *   <li>{@code GET /customers/{customerId}/orders[?state=S][&limit=N][&cursor=C]}: the orders of a customer of the
 *       caller, newest first (404 for another's or an unknown customer, as {@code GET /customers/{id}});</li>
 *   <li>{@code GET /orders?state=S[&limit=N][&cursor=C]}: the caller's orders in one state, newest first.</li>
 * </ul>
 * {@code limit} 1 to 100 (25 when absent); {@code cursor} the {@code next} of the previous page, valid for the same
 * route, customer, state and caller only. Answer: {@code {"items": [...], "next": cursor or null}} with the read
 * model's version and freshness in headers (eventually consistent: an order placed a moment ago may be missing).
 *
 * <p>The customer route reads the {@code by-customer} index and keeps the caller's rows; with {@code state} it
 * reads the caller's orders in that state ({@code by-owner-state}) and keeps the customer's. Either way it queries
 * for as many rows as are still missing, so that a cursor never skips a row, at most {@value #MAX_ROUNDS} times per
 * request. A filtered page may therefore hold fewer than {@code limit} items and still have a {@code next}; only
 * {@code next: null} ends the list.
 */
public final class OrderListRoutes {
    /** Rows per page when the request gives no limit. */
    public static final int DEFAULT_LIMIT = 25;
    /** Queries of the read model per request of the filtered (customer) route, at most. */
    public static final int MAX_ROUNDS = 10;
    /** Longer cursors are refused before they are decoded. */
    public static final int MAX_CURSOR_LENGTH = 2048;

    private final Application app;
    private final OrderQueries queries;
    private final Clock clock;

    public OrderListRoutes(Application app, OrderQueries queries) {
        this.app = app;
        this.queries = queries;
        this.clock = app.clock();
    }

    public Router register(Router router) {
        return router
                .add("GET", "/customers/{customerId}/orders",
                        (request, params) -> customerOrders(request, params.get("customerId")))
                .add("GET", "/orders", (request, params) -> ordersInState(request));
    }

    private APIGatewayV2HTTPResponse customerOrders(ApiRequest request, String customerId) {
        int limit = limit(request);
        Optional<OrderStatus> state = optionalState(request);
        Optional<String> cursor = cursor(request);
        if (!Fields.isId(customerId) || app.customers().find(customerId)
                .filter(c -> Owners.owns(request.principal(), c.state().owner(), app.customers(), customerId))
                .isEmpty()) {
            throw ProblemException.notFound("no customer with this id");
        }
        String principal = request.principal();
        // with a state: the caller's orders in that state (by-owner-state), this customer's kept; usually the
        // selective choice (a state such as APPROVAL_PENDING is rare, a principal has few customers). Without: the
        // customer's orders (by-customer), the caller's kept (all of them but for corrupt data).
        Predicate<OrderSummary> keep = state.isPresent() ? row -> customerId.equals(row.customerId())
                : row -> principal.equals(row.owner());
        // the customer and the state are part of the scope: a cursor of another list is foreign here
        String scope = principal + "|GET /customers/{customerId}/orders|" + customerId + "|"
                + state.map(Enum::name).orElse("*");
        List<OrderSummary> rows = new ArrayList<>();
        Optional<String> next = cursor;
        Page<OrderSummary> page;
        int rounds = 0;
        do {
            // exactly as many rows as are missing: the cursor after the last one read skips none
            PageRequest pageRequest = new PageRequest(limit - rows.size(), next, scope, true);
            page = read(() -> state.isPresent() ? queries.byOwnerAndState(principal, state.get(), pageRequest)
                    : queries.byCustomer(customerId, pageRequest));
            page.rows().stream().filter(keep).forEach(rows::add);
            next = page.nextCursor();
            rounds++;
        } while (rows.size() < limit && next.isPresent() && rounds < MAX_ROUNDS);
        return answer(request, rows, next, page);
    }

    private APIGatewayV2HTTPResponse ordersInState(ApiRequest request) {
        String text = request.query().get("state");
        if (text == null) {
            throw ProblemException.badRequest("invalid-query", "state", "state is required: one of " + states());
        }
        OrderStatus state = state(text);
        int limit = limit(request);
        Optional<String> cursor = cursor(request);
        // the partition is the caller's (owner#state): another principal's orders are never read
        PageRequest pageRequest = new PageRequest(limit, cursor, request.principal() + "|GET /orders|" + state.name(),
                true);
        Page<OrderSummary> page = read(() -> queries.byOwnerAndState(request.principal(), state, pageRequest));
        return answer(request, page.rows(), page.nextCursor(), page);
    }

    private APIGatewayV2HTTPResponse answer(ApiRequest request, List<OrderSummary> rows, Optional<String> next,
                                            Page<OrderSummary> page) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.putAll(freshnessHeaders(page.version(), page.freshness(), clock));
        next.ifPresent(c -> headers.put("Link", "<" + nextLink(request, c) + ">; rel=\"next\""));
        return Responses.json(200, Views.orderPage(rows, next), headers);
    }

    /**
     * {@code X-Read-Model-Version}; and, once the stream has fed the read model, {@code X-Read-Model-Fed-At} (when
     * it last handed it a batch) and {@code X-Read-Model-Lag-Ms} (how old the newest event of that batch was then).
     */
    static Map<String, String> freshnessHeaders(int version, Freshness freshness, Clock clock) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Read-Model-Version", String.valueOf(version));
        freshness.lastFedAt().ifPresent(at -> headers.put("X-Read-Model-Fed-At", at.toString()));
        freshness.lag().ifPresent(lag -> headers.put("X-Read-Model-Lag-Ms", String.valueOf(lag.toMillis())));
        return headers;
    }

    /** The request's path and query with the next cursor (the other parameters as the caller gave them). */
    private static String nextLink(ApiRequest request, String cursor) {
        StringBuilder link = new StringBuilder(request.path()).append("?");
        for (String name : List.of("state", "limit")) {
            String value = request.query().get(name);
            if (value != null) {
                link.append(name).append('=').append(encode(value)).append('&');
            }
        }
        return link.append("cursor=").append(encode(cursor)).toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private Page<OrderSummary> read(java.util.function.Supplier<Page<OrderSummary>> query) {
        try {
            return query.get();
        } catch (InvalidCursorException e) {
            throw invalidCursor(e.reason());
        }
    }

    /** 400 invalid-cursor, saying why without repeating the cursor. */
    public static ProblemException invalidCursor(InvalidCursorException.Reason reason) {
        String detail = switch (reason) {
            case MALFORMED -> "the cursor is not a cursor this API issued";
            case FORGED -> "the cursor was altered or was not issued by this API";
            case FOREIGN -> "the cursor was issued for another query or caller; use the next of this query's pages";
            case EXPIRED -> "the cursor's version of the read model is no longer served; start again without a cursor";
        };
        return ProblemException.badRequest("invalid-cursor", "cursor", detail);
    }

    static int limit(ApiRequest request) {
        String text = request.query().get("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        // ASCII digits only, no sign, no leading zero (ADR 0006)
        if (text.matches("[1-9][0-9]{0,2}") && Integer.parseInt(text) <= PageRequest.MAX_LIMIT) {
            return Integer.parseInt(text);
        }
        throw ProblemException.badRequest("invalid-query", "limit",
                "limit must be a whole number from 1 to " + PageRequest.MAX_LIMIT + " in digits 0-9");
    }

    static Optional<OrderStatus> optionalState(ApiRequest request) {
        String text = request.query().get("state");
        return text == null ? Optional.empty() : Optional.of(state(text));
    }

    static OrderStatus state(String text) {
        for (OrderStatus s : OrderStatus.values()) {
            if (s.name().equals(text)) {
                return s;
            }
        }
        throw ProblemException.badRequest("invalid-query", "state", "state must be one of " + states());
    }

    private static String states() {
        return String.join(", ", java.util.Arrays.stream(OrderStatus.values()).map(Enum::name).toList());
    }

    static Optional<String> cursor(ApiRequest request) {
        String text = request.query().get("cursor");
        if (text == null) {
            return Optional.empty();
        }
        if (text.isEmpty() || text.length() > MAX_CURSOR_LENGTH) {
            throw invalidCursor(InvalidCursorException.Reason.MALFORMED);
        }
        return Optional.of(text);
    }
}
