package dev.nosqles.cli;

import dev.nosqles.app.order.Order;
import dev.nosqles.app.order.OrderEvent;
import dev.nosqles.projection.Projection;
import java.math.BigDecimal;

/**
 * A projection of the reference application's orders for the command's tests (the application's own read models
 * are tested with the application): one row per order with its state and how many events built it.
 */
final class TestProjection {
    record Summary(String orderId, String customerId, BigDecimal total, String state, long events) {
    }

    static final Projection<Summary> SUMMARIES = Projection.builder("order-summaries", Summary.class, Summary::orderId)
            .index("by-customer", Summary::customerId, Summary::orderId)
            .on(new Order(), (event, rows) -> {
                String id = event.streamId().id();
                switch (event.event()) {
                    case OrderEvent.OrderCreated c -> rows.put(new Summary(id, c.customerId(), c.orderTotal(),
                            "APPROVAL_PENDING", 1));
                    case OrderEvent.OrderApproved a -> rows.update(id, s -> next(s, "APPROVED"));
                    case OrderEvent.OrderRejected r -> rows.update(id, s -> next(s, "REJECTED"));
                    case OrderEvent.OrderCancelled c -> rows.update(id, s -> next(s, "CANCELLED"));
                }
            })
            .build();

    private static Summary next(Summary s, String state) {
        return new Summary(s.orderId(), s.customerId(), s.total(), state, s.events() + 1);
    }

    private TestProjection() {
    }
}
