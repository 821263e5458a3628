package dev.nosqles.app.order;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.math.BigDecimal;

/**
 * What happened to an order. Stored under the names in {@link Order#eventTypes()}. Every event carries the
 * customer id so that a process reacting to it (reserving or releasing credit) needs no lookup. Amounts are
 * stored as JSON strings: a JSON number would be read back through a double and lose its scale.
 */
public sealed interface OrderEvent {

    String customerId();

    record OrderCreated(String customerId, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal orderTotal)
            implements OrderEvent {
    }

    record OrderApproved(String customerId) implements OrderEvent {
    }

    record OrderRejected(String customerId, String reason) implements OrderEvent {
    }

    /** @param orderTotal the total whose credit is to be released */
    record OrderCancelled(String customerId, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal orderTotal)
            implements OrderEvent {
    }
}
