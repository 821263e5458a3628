package dev.nosqles.app.order;

/** Where an order is in its life. */
public enum OrderStatus {
    APPROVAL_PENDING, APPROVED, REJECTED, CANCELLED
}
