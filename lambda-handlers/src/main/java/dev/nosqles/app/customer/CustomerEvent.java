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
     * Personal data: {@code name} and {@code email} (declared in {@link Customer#eventTypes()}, encrypted with the
     * customer's key, decoded as {@code [forgotten]} once the customer is forgotten).
     *
     * @param owner the principal that created the customer; absent (null) in events recorded before owners were
     *        (issue 16)
     * @param email optional; absent (null) when none was given and in events recorded before it existed
     */
    record CustomerCreated(String name, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal creditLimit,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String owner,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String email)
            implements CustomerEvent {
        @JsonCreator
        public CustomerCreated {
        }

        public CustomerCreated(String name, BigDecimal creditLimit, String owner) {
            this(name, creditLimit, owner, null);
        }

        public CustomerCreated(String name, BigDecimal creditLimit) {
            this(name, creditLimit, null, null);
        }
    }

    /**
     * The customer's personal data was forgotten (its key deleted, ADR 0008). Carries no personal data: the
     * fact alone, for the audit trail and for read models to erase their copies.
     */
    record CustomerPersonalDataForgotten() implements CustomerEvent {
        @JsonCreator
        public CustomerPersonalDataForgotten {
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
