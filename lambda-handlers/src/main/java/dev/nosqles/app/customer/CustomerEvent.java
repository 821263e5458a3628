package dev.nosqles.app.customer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;

/**
 * What happened to a customer. Stored under the names in {@link Customer#eventTypes()}. Amounts are stored as
 * JSON strings: a JSON number would be read back through a double and lose its scale.
 */
public sealed interface CustomerEvent {

    /**
     * @param owner the principal that created the customer; absent (null) in events recorded before owners were
     *        (issue 16)
     */
    record CustomerCreated(String name, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal creditLimit,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String owner)
            implements CustomerEvent {
        @JsonCreator
        public CustomerCreated {
        }

        public CustomerCreated(String name, BigDecimal creditLimit) {
            this(name, creditLimit, null);
        }
    }

    record CreditReserved(String orderId, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amount)
            implements CustomerEvent {
    }

    /** @param amount the amount that was held, so that readers need not look it up */
    record CreditReleased(String orderId, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amount)
            implements CustomerEvent {
    }

    /**
     * A release came for an order that holds no reservation (it overtook its reservation, or came twice): the
     * countermeasure (a semantic lock) that makes any later reservation for that order be refused.
     */
    record CreditReservationVoided(String orderId) implements CustomerEvent {
    }
}
