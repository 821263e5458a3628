package dev.nosqles.app.order;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;

/**
 * What happened to an order. Stored under the names in {@link Order#eventTypes()}. Every event carries the
 * customer id so that a process reacting to it (reserving or releasing credit) needs no lookup. Amounts are
 * stored as JSON strings: a JSON number would be read back through a double and lose its scale.
 */
public sealed interface OrderEvent {

    String customerId();

    /**
     * @param owner the principal that placed the order; absent (null) in events recorded before owners were
     *        (issue 16)
     */
    record OrderCreated(String customerId, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal orderTotal,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String owner)
            implements OrderEvent {
        @JsonCreator
        public OrderCreated {
        }

        public OrderCreated(String customerId, BigDecimal orderTotal) {
            this(customerId, orderTotal, null);
        }
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
