package dev.nosqles.app.customer;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.aggregate.Snapshotting;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.customer.CustomerCommand.ForgetPersonalData;
import dev.nosqles.app.customer.CustomerCommand.ReleaseCredit;
import dev.nosqles.app.customer.CustomerCommand.ReserveCredit;
import dev.nosqles.app.customer.CustomerEvent.CreditReleased;
import dev.nosqles.app.customer.CustomerEvent.CreditReservationVoided;
import dev.nosqles.app.customer.CustomerEvent.CreditReserved;
import dev.nosqles.app.customer.CustomerEvent.CustomerCreated;
import dev.nosqles.app.customer.CustomerEvent.CustomerPersonalDataForgotten;
import dev.nosqles.privacy.PersonalData;
import dev.nosqles.privacy.PersonalData.SubjectOf;
import java.math.BigDecimal;
import java.util.List;

/**
 * A customer with a credit limit from which orders reserve credit.
 *
 * <p>Rules:
 * <ul>
 *   <li>a reservation may not exceed the available credit ({@link CustomerCreditLimitExceeded});</li>
 *   <li>reservations are idempotent by order id: reserving again for an order that holds a reservation
 *       changes nothing (no events);</li>
 *   <li>robust to reordering (ADR 0005): a release for an order that holds no reservation records
 *       {@link CreditReservationVoided} (the semantic lock), and a reservation for a voided order is refused
 *       ({@link CreditReservationVoidedException}, a {@code FAILURE} reply to a saga). So a compensation that
 *       overtakes the reservation it undoes (the reservation was stuck in a dead-letter queue and redriven
 *       later) nets to nothing instead of holding credit for a rejected order forever. Releasing a voided
 *       order again changes nothing;</li>
 *   <li>commands other than {@link CreateCustomer} need a created customer, and it is created once
 *       ({@link CustomerLifecycleViolation});</li>
 *   <li>name and e-mail are personal data of the customer (the subject is the customer's id): stored encrypted
 *       with its key; {@link ForgetPersonalData} records {@link CustomerPersonalDataForgotten} (once: forgetting
 *       again changes nothing), after which they read as {@value PersonalData#DEFAULT_PLACEHOLDER}; credit
 *       rules go on as before (ADR 0008).</li>
 * </ul>
 * Snapshots every 50 events: a customer's stream grows with every order it places.
 */
public final class Customer implements Aggregate<CustomerState, CustomerCommand, CustomerEvent> {
    public static final String TYPE = "Customer";

    private static final EventTypes<CustomerEvent> EVENT_TYPES = EventTypes.<CustomerEvent>builder()
            .add("CustomerCreated", 1, CustomerCreated.class,
                    PersonalData.<CustomerCreated>of(SubjectOf.stream(), "name", "email"))
            .add("CreditReserved", 1, CreditReserved.class)
            .add("CreditReleased", 1, CreditReleased.class)
            .add("CreditReservationVoided", 1, CreditReservationVoided.class)
            .add("CustomerPersonalDataForgotten", 1, CustomerPersonalDataForgotten.class)
            .build();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public CustomerState initialState() {
        return CustomerState.NONE;
    }

    @Override
    public List<? extends CustomerEvent> process(CustomerState state, CustomerCommand command) {
        if (command instanceof CreateCustomer create) {
            if (state.exists()) {
                throw CustomerLifecycleViolation.alreadyCreated();
            }
            return List.of(new CustomerCreated(create.name(), create.creditLimit(), create.owner(), create.email()));
        }
        if (!state.exists()) {
            throw CustomerLifecycleViolation.notCreated();
        }
        return switch (command) {
            case CreateCustomer create -> throw CustomerLifecycleViolation.alreadyCreated();
            case ReserveCredit reserve -> reserve(state, reserve);
            case ReleaseCredit release -> release(state, release);
            case ForgetPersonalData forget -> state.forgotten() ? List.<CustomerEvent>of()
                    : List.of(new CustomerPersonalDataForgotten());
        };
    }

    private static List<CustomerEvent> release(CustomerState state, ReleaseCredit release) {
        BigDecimal held = state.reservations().get(release.orderId());
        if (held != null) {
            return List.of(new CreditReleased(release.orderId(), held));
        }
        if (state.voided().contains(release.orderId())) {
            return List.of();
        }
        return List.of(new CreditReservationVoided(release.orderId()));
    }

    private static List<CreditReserved> reserve(CustomerState state, ReserveCredit reserve) {
        if (state.reservations().containsKey(reserve.orderId())) {
            return List.of();
        }
        if (state.voided().contains(reserve.orderId())) {
            throw new CreditReservationVoidedException(reserve.orderId());
        }
        BigDecimal available = state.availableCredit();
        if (reserve.amount().compareTo(available) > 0) {
            throw new CustomerCreditLimitExceeded(available, reserve.amount());
        }
        return List.of(new CreditReserved(reserve.orderId(), reserve.amount()));
    }

    @Override
    public CustomerState apply(CustomerState state, CustomerEvent event) {
        return switch (event) {
            case CustomerCreated created -> new CustomerState(created.name(), created.creditLimit(), java.util.Map.of(),
                    java.util.Set.of(), created.owner(), created.email(), false);
            case CreditReserved reserved -> state.withReservation(reserved.orderId(), reserved.amount());
            case CreditReleased released -> state.withoutReservation(released.orderId());
            case CreditReservationVoided voided -> state.withVoided(voided.orderId());
            case CustomerPersonalDataForgotten forgotten ->
                    state.withPersonalDataForgotten(PersonalData.DEFAULT_PLACEHOLDER);
        };
    }

    @Override
    public EventTypes<CustomerEvent> eventTypes() {
        return EVENT_TYPES;
    }

    @Override
    public Snapshotting<CustomerState> snapshotting() {
        return Snapshotting.every(50, "CustomerState", 1, CustomerState.class);
    }
}
