package dev.nosqles.app.order;

import dev.nosqles.app.Fields;
import java.math.BigDecimal;

/** What can be asked of an order. The constructors validate and normalise (amounts to scale 2). */
public sealed interface OrderCommand {

    /**
     * Places an order for a customer; it waits for approval (the customer's credit check). {@code owner}: the
     * placing principal (null: no owner recorded).
     */
    record CreateOrder(String customerId, BigDecimal orderTotal, String owner) implements OrderCommand {
        public CreateOrder {
            customerId = Fields.id("customerId", customerId);
            orderTotal = Fields.positiveAmount("orderTotal", orderTotal);
        }

        public CreateOrder(String customerId, BigDecimal orderTotal) {
            this(customerId, orderTotal, null);
        }
    }

    record ApproveOrder() implements OrderCommand {
    }

    record RejectOrder(String reason) implements OrderCommand {
        public RejectOrder {
            reason = Fields.text("reason", reason);
        }
    }

    record CancelOrder() implements OrderCommand {
    }
}
