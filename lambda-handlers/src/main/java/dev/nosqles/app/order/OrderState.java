package dev.nosqles.app.order;

import java.math.BigDecimal;

/**
 * An order.
 *
 * @param customerId null until the order is created
 * @param orderTotal null until the order is created
 * @param status null until the order is created
 * @param rejectionReason why it was rejected, when it was
 * @param owner the principal that placed it; null when none was recorded (placed before owners were)
 */
public record OrderState(String customerId, BigDecimal orderTotal, OrderStatus status, String rejectionReason,
                         String owner) {
    public static final OrderState NONE = new OrderState(null, null, null, null);

    public OrderState(String customerId, BigDecimal orderTotal, OrderStatus status, String rejectionReason) {
        this(customerId, orderTotal, status, rejectionReason, null);
    }

    public boolean exists() {
        return status != null;
    }

    OrderState withStatus(OrderStatus next) {
        return new OrderState(customerId, orderTotal, next, rejectionReason, owner);
    }
}
