package dev.nosqles.app.order;

import dev.nosqles.aggregate.CommandRejectedException;

/** Only an approved order can be cancelled. */
public final class OrderCannotBeCancelled extends CommandRejectedException {
    private final OrderStatus status;

    public OrderCannotBeCancelled(OrderStatus status) {
        super("order-cannot-be-cancelled", "an order in state " + status + " cannot be cancelled");
        this.status = status;
    }

    public OrderStatus status() {
        return status;
    }
}
