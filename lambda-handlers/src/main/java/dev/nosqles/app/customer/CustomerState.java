package dev.nosqles.app.customer;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A customer.
 *
 * @param name null until the customer is created
 * @param creditLimit null until the customer is created
 * @param reservations the credit held per order id
 * @param voided the orders whose reservation was voided: a release came when none was held, so a reservation for
 *        them is refused (absent in snapshots written before it existed: read as empty)
 * @param owner the principal that created the customer; null when none was recorded (created before owners were)
 * @param email null when none was given
 * @param forgotten true once the customer's personal data was forgotten: name and e-mail are then the placeholder
 *        (absent in snapshots written before it existed: read as false)
 */
public record CustomerState(String name, BigDecimal creditLimit, Map<String, BigDecimal> reservations,
                            Set<String> voided, String owner, String email, boolean forgotten) {
    public static final CustomerState NONE = new CustomerState(null, null, Map.of());

    @JsonCreator
    public CustomerState {
        reservations = reservations == null ? Map.of() : Map.copyOf(reservations);
        voided = voided == null ? Set.of() : Set.copyOf(voided);
    }

    public CustomerState(String name, BigDecimal creditLimit, Map<String, BigDecimal> reservations,
                         Set<String> voided, String owner) {
        this(name, creditLimit, reservations, voided, owner, null, false);
    }

    public CustomerState(String name, BigDecimal creditLimit, Map<String, BigDecimal> reservations,
                         Set<String> voided) {
        this(name, creditLimit, reservations, voided, null);
    }

    public CustomerState(String name, BigDecimal creditLimit, Map<String, BigDecimal> reservations) {
        this(name, creditLimit, reservations, Set.of(), null);
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

    /** Name and e-mail replaced by {@code placeholder} (an absent e-mail stays absent). */
    CustomerState withPersonalDataForgotten(String placeholder) {
        return new CustomerState(placeholder, creditLimit, reservations, voided, owner,
                email == null ? null : placeholder, true);
    }

    CustomerState withReservation(String orderId, BigDecimal amount) {
        Map<String, BigDecimal> next = new HashMap<>(reservations);
        next.put(orderId, amount);
        return new CustomerState(name, creditLimit, next, voided, owner, email, forgotten);
    }

    CustomerState withoutReservation(String orderId) {
        Map<String, BigDecimal> next = new HashMap<>(reservations);
        next.remove(orderId);
        return new CustomerState(name, creditLimit, next, voided, owner, email, forgotten);
    }

    CustomerState withVoided(String orderId) {
        Set<String> next = new HashSet<>(voided);
        next.add(orderId);
        return new CustomerState(name, creditLimit, reservations, next, owner, email, forgotten);
    }
}
