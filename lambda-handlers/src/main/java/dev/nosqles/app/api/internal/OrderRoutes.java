package dev.nosqles.app.api.internal;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.nosqles.aggregate.AggregateRepository;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.app.Application;
import dev.nosqles.app.Fields;
import dev.nosqles.app.api.internal.IdempotentIds.Operation;
import dev.nosqles.app.order.OrderCommand;
import dev.nosqles.app.order.OrderCommand.CancelOrder;
import dev.nosqles.app.order.OrderCommand.CreateOrder;
import dev.nosqles.app.order.OrderEvent;
import dev.nosqles.app.order.OrderEvent.OrderCreated;
import dev.nosqles.app.order.OrderState;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /orders}, {@code GET /orders/{orderId}} (with {@code ?version=N} or {@code ?asOf=instant}),
 * {@code GET /orders/{orderId}/events}, {@code POST /orders/{orderId}/cancel}.
 *
 * <p>An order for a customer that does not exist is answered 422 (unknown-customer), not 404: the resource
 * addressed, {@code /orders}, exists; what is wrong is a reference inside a well-formed body. An order belongs to
 * the principal that placed it, and may only be placed for a customer of the same principal (another's customer
 * is unknown); to any other principal it does not exist (404), nor its history, nor can it be cancelled.
 */
public final class OrderRoutes {
    private static final String NO_ORDER = "no order with this id";

    private final Application app;
    public OrderRoutes(Application app) {
        this.app = app;
    }

    /** The orders' repository, built on the first order request (Application#orders). */
    private AggregateRepository<OrderState, OrderCommand, OrderEvent> orders() {
        return app.orders();
    }

    public Router register(Router router) {
        return router
                .add("POST", "/orders", (request, params) -> create(request))
                .add("GET", "/orders/{orderId}", (request, params) -> get(request, params.get("orderId")))
                .add("GET", "/orders/{orderId}/events", (request, params) -> history(request, params.get("orderId")))
                .add("POST", "/orders/{orderId}/cancel", (request, params) -> cancel(request, params.get("orderId")));
    }

    private APIGatewayV2HTTPResponse create(ApiRequest request) {
        Map<String, Object> body = Bodies.object(request);
        CreateOrder command = new CreateOrder(Bodies.text(body, "customerId"), Bodies.amount(body, "orderTotal"),
                request.principal());
        String id = IdempotentIds.forCreate(Operation.CREATE_ORDER, request.principal(), request.idempotencyKey(),
                app::newId);
        // the owner is recorded by the customer's first commit and never changes: reading that commit alone (one
        // Query, no snapshot) tells whether the customer exists and is the caller's
        if (app.customers().findAtVersion(command.customerId(), 1).filter(c -> Owners.owns(request.principal(),
                c.state().owner(), app.customers(), command.customerId())).isEmpty()) {
            throw ProblemException.unprocessable("unknown-customer", "no customer with the given customerId");
        }
        IdempotentCreates.create(orders(), id, command, request, Operation.CREATE_ORDER,
                original -> original.customerId().equals(command.customerId())
                        && original.orderTotal().compareTo(command.orderTotal()) == 0);
        return Responses.json(201, Map.of("Location", "/orders/" + id), "orderId", id, "state", "APPROVAL_PENDING");
    }

    private APIGatewayV2HTTPResponse get(ApiRequest request, String orderId) {
        requireId(orderId);
        String version = request.query().get("version");
        String asOf = request.query().get("asOf");
        Optional<AggregateState<OrderState>> order;
        if (version != null && asOf != null) {
            throw ProblemException.badRequest("invalid-query", "version", "give version or asOf, not both");
        } else if (version != null) {
            long n = parseVersion(version);
            order = orders().findAtVersion(orderId, n).filter(o -> o.version() == n);
        } else if (asOf != null) {
            order = orders().findAsOf(orderId, parseInstant(asOf));
        } else {
            order = orders().find(orderId);
        }
        order = order.filter(o -> Owners.owns(request.principal(), o.state().owner(), orders(), orderId));
        return Responses.json(200, Views.order(order.orElseThrow(() -> ProblemException.notFound(
                version == null && asOf == null ? NO_ORDER : "the order did not exist at that point"))), Map.of());
    }

    private APIGatewayV2HTTPResponse history(ApiRequest request, String orderId) {
        requireId(orderId);
        List<EventEnvelope<OrderEvent>> events = orders().history(orderId);
        String owner = !events.isEmpty() && events.getFirst().event() instanceof OrderCreated created
                ? created.owner() : null;
        if (events.isEmpty() || !Owners.owns(request.principal(), owner, events)) {
            throw ProblemException.notFound(NO_ORDER);
        }
        return Responses.json(200, Views.history(events), Map.of());
    }

    /**
     * Replay-safe by itself: cancelling a cancelled order appends nothing and answers 200. The Idempotency-Key
     * that created this very order is refused (422): it names that create, not this cancel.
     */
    private APIGatewayV2HTTPResponse cancel(ApiRequest request, String orderId) {
        requireId(orderId);
        String key = request.idempotencyKey();
        if (key != null && orderId.equals(IdempotentIds.forCreate(Operation.CREATE_ORDER, request.principal(), key,
                () -> null))) {
            throw ProblemException.unprocessable("idempotency-key-reused",
                    "the Idempotency-Key was used to create this order; give each request its own key");
        }
        // the owner never changes once recorded: checking it before the update cannot race
        if (orders().find(orderId).filter(o -> Owners.owns(request.principal(), o.state().owner(), orders(), orderId))
                .isEmpty()) {
            throw ProblemException.notFound(NO_ORDER);
        }
        var result = orders().update(orderId, new CancelOrder(), Metadata.of(request, Operation.CANCEL_ORDER));
        return Responses.json(200, Views.order(result.state()), Map.of());
    }

    private static void requireId(String orderId) {
        if (!Fields.isId(orderId)) {
            throw ProblemException.notFound(NO_ORDER);
        }
    }

    static long parseVersion(String text) {
        // ASCII digits only (Long.parseLong also takes "+1" and other scripts' digits), no leading zero
        if (text.length() <= 18 && text.matches("[1-9][0-9]*")) {
            return Long.parseLong(text);
        }
        throw ProblemException.badRequest("invalid-query", "version",
                "version must be a whole number of at least 1 in digits 0-9");
    }

    static Instant parseInstant(String text) {
        ProblemException invalid = ProblemException.badRequest("invalid-query", "asOf",
                "asOf must be an ISO-8601 instant such as 2026-01-01T00:00:00Z");
        if (text.length() > 40 || !text.matches("[0-9A-Za-z:.+\\-]+")) {
            throw invalid;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            // also 2026-01-01T10:00+01:00 (offset, no seconds), which Instant.parse refuses
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw invalid;
        }
    }
}
