package dev.nosqles.app.customer;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * A customer.
 *
 * @param name null until the customer is created
 * @param creditLimit null until the customer is created
 * @param reservations the credit held per order id
 */
public record CustomerState(String name, BigDecimal creditLimit, Map<String, BigDecimal> reservations) {
    public static final CustomerState NONE = new CustomerState(null, null, Map.of());

    public CustomerState {
        reservations = reservations == null ? Map.of() : Map.copyOf(reservations);
    }

    public boolean exists() {
        return name != null;
    }

    /** The credit limit less everything reserved. */
    public BigDecimal availableCredit() {
        if (creditLimit == null) {
            return BigDecimal.ZERO;
        }
        return reservations.values().stream().reduce(creditLimit, BigDecimal::subtract);
    }

    CustomerState withReservation(String orderId, BigDecimal amount) {
        Map<String, BigDecimal> next = new HashMap<>(reservations);
        next.put(orderId, amount);
        return new CustomerState(name, creditLimit, next);
    }

    CustomerState withoutReservation(String orderId) {
        Map<String, BigDecimal> next = new HashMap<>(reservations);
        next.remove(orderId);
        return new CustomerState(name, creditLimit, next);
    }
}
