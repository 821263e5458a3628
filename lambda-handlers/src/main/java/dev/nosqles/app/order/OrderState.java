package dev.nosqles.app.order;

import java.math.BigDecimal;

/**
 * An order.
 *
 * @param customerId null until the order is created
 * @param orderTotal null until the order is created
 * @param status null until the order is created
 * @param rejectionReason why it was rejected, when it was
 */
public record OrderState(String customerId, BigDecimal orderTotal, OrderStatus status, String rejectionReason) {
    public static final OrderState NONE = new OrderState(null, null, null, null);

    public boolean exists() {
        return status != null;
    }

    OrderState withStatus(OrderStatus next) {
        return new OrderState(customerId, orderTotal, next, rejectionReason);
    }
}
