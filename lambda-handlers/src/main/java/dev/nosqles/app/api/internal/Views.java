package dev.nosqles.app.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.aggregate.AggregateState;
import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.app.Fields;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.app.order.OrderState;
import dev.nosqles.app.readmodel.OrderSummary;
import dev.nosqles.app.internal.AppJson;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * The JSON the API answers with. Amounts are strings with two decimals. Each view is declared a {@code JsonNode}:
 * a route passing it on names no other Jackson type, so verifying the route classes (at a function's start) loads
 * none (ADR 0020).
 */
public final class Views {
    private Views() {
    }

    public static JsonNode customer(AggregateState<CustomerState> customer) {
        CustomerState s = customer.state();
        ObjectNode view = AppJson.object()
                .put("customerId", customer.id())
                .put("name", s.name());
        if (s.email() != null) {
            view.put("email", s.email());
        }
        view.put("creditLimit", amount(s.creditLimit()))
                .put("availableCredit", amount(s.availableCredit()))
                .put("version", customer.version());
        if (s.forgotten()) {
            view.put("personalDataForgotten", true);
        }
        return view;
    }

    public static JsonNode order(AggregateState<OrderState> order) {
        OrderState s = order.state();
        return AppJson.object()
                .put("orderId", order.id())
                .put("customerId", s.customerId())
                .put("orderTotal", amount(s.orderTotal()))
                .put("state", s.status().name())
                .put("version", order.version());
    }

    /** A row of the order-summaries read model (its owner is the caller: not repeated). */
    static ObjectNode orderSummary(OrderSummary row) {
        return AppJson.object()
                .put("orderId", row.orderId())
                .put("customerId", row.customerId())
                .put("orderTotal", amount(row.orderTotal()))
                .put("state", row.state().name())
                .put("createdAt", row.createdAt().toString())
                .put("updatedAt", row.updatedAt().toString());
    }

    /** A page of order summaries: {@code items}, and {@code next} (the next page's cursor, or null). */
    public static JsonNode orderPage(List<OrderSummary> rows, java.util.Optional<String> next) {
        ObjectNode body = AppJson.object();
        ArrayNode items = body.putArray("items");
        for (OrderSummary row : rows) {
            items.add(orderSummary(row));
        }
        if (next.isPresent()) {
            body.put("next", next.get());
        } else {
            body.putNull("next");
        }
        return body;
    }

    public static JsonNode history(List<? extends EventEnvelope<?>> events) {
        ArrayNode out = AppJson.array();
        for (EventEnvelope<?> e : events) {
            out.addObject()
                    .put("eventId", e.eventId().toString())
                    .put("type", e.type())
                    .put("version", e.version())
                    .put("timestamp", e.timestamp().toString())
                    .put("principal", e.metadata().principal())
                    .put("correlationId", e.metadata().correlationId())
                    .set("data", AppJson.mapper().valueToTree(e.event()));
        }
        return out;
    }

    static String amount(BigDecimal value) {
        return value.setScale(Fields.SCALE, RoundingMode.HALF_EVEN).toPlainString();
    }
}
