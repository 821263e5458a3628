package dev.nosqles.app.order;

import dev.nosqles.aggregate.CommandRejectedException;

/** An approval or rejection reached an order whose approval was already decided the other way. */
public final class OrderNotPendingApproval extends CommandRejectedException {
    private final OrderStatus status;

    public OrderNotPendingApproval(OrderStatus status) {
        super("order-not-pending-approval", "an order in state " + status + " is not pending approval");
        this.status = status;
    }

    public OrderStatus status() {
        return status;
    }
}
