package dev.nosqles.app.customer;

import dev.nosqles.aggregate.CommandRejectedException;

/**
 * A reservation came for an order whose reservation was voided: its release arrived first (a compensation that
 * overtook the command it undoes). Reason {@value #REASON}; a saga receives it as a {@code FAILURE} reply.
 */
public final class CreditReservationVoidedException extends CommandRejectedException {
    public static final String REASON = "credit-reservation-voided";

    private final String orderId;

    public CreditReservationVoidedException(String orderId) {
        super(REASON, "the order's credit reservation was voided by an earlier release");
        this.orderId = orderId;
    }

    /** The order whose reservation was voided. */
    public String orderId() {
        return orderId;
    }
}
