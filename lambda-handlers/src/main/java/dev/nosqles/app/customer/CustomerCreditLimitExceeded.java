package dev.nosqles.app.customer;

import dev.nosqles.aggregate.CommandRejectedException;
import java.math.BigDecimal;

/** A reservation asked for more than the customer's available credit. */
public final class CustomerCreditLimitExceeded extends CommandRejectedException {
    private final BigDecimal available;
    private final BigDecimal requested;

    public CustomerCreditLimitExceeded(BigDecimal available, BigDecimal requested) {
        super("credit-limit-exceeded", "the requested amount exceeds the customer's available credit");
        this.available = available;
        this.requested = requested;
    }

    public BigDecimal available() {
        return available;
    }

    public BigDecimal requested() {
        return requested;
    }
}
