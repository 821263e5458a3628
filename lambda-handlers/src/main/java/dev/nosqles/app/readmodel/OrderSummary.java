package dev.nosqles.app.readmodel;

import dev.nosqles.app.order.OrderStatus;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One order as the {@value OrderSummaries#NAME} read model holds it: a row per order, keyed by its id.
 *
 * @param orderId the order's id (the row's key)
 * @param customerId the customer it was placed for
 * @param owner the principal that placed it (the {@code OrderCreated}'s owner, or the principal of that event's
 *        metadata for an order placed before owners were recorded); null when neither is known
 * @param state where the order is in its life
 * @param orderTotal its total
 * @param createdAt when it was placed (the {@code OrderCreated}'s commit time)
 * @param updatedAt when its last event was committed
 */
public record OrderSummary(String orderId, String customerId, String owner, OrderStatus state, BigDecimal orderTotal,
                           Instant createdAt, Instant updatedAt) {

    /** The same order in another state since {@code at}. */
    public OrderSummary movedTo(OrderStatus next, Instant at) {
        return new OrderSummary(orderId, customerId, owner, next, orderTotal, createdAt, at);
    }
}
