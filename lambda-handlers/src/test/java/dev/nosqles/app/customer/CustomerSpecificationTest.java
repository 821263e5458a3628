package dev.nosqles.app.customer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.app.InvalidCommandException;
import dev.nosqles.app.customer.CustomerCommand.CreateCustomer;
import dev.nosqles.app.customer.CustomerCommand.ForgetPersonalData;
import dev.nosqles.app.customer.CustomerCommand.ReleaseCredit;
import dev.nosqles.app.customer.CustomerCommand.ReserveCredit;
import dev.nosqles.app.customer.CustomerEvent.CreditReleased;
import dev.nosqles.app.customer.CustomerEvent.CreditReservationVoided;
import dev.nosqles.app.customer.CustomerEvent.CreditReserved;
import dev.nosqles.app.customer.CustomerEvent.CustomerCreated;
import dev.nosqles.app.customer.CustomerEvent.CustomerPersonalDataForgotten;
import dev.nosqles.testing.AggregateFixture;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomerSpecificationTest {
    private static final CustomerCreated ANN = new CustomerCreated("Ann", amount("100.00"));

    private static BigDecimal amount(String value) {
        return new BigDecimal(value);
    }

    private static AggregateFixture<CustomerState, CustomerCommand, CustomerEvent> customer() {
        return AggregateFixture.of(new Customer());
    }

    @Test
    void creating_a_customer_records_its_name_and_credit_limit() {
        customer().givenNoPriorActivity()
                .when(new CreateCustomer("Ann", amount("100")))
                .thenEvents(ANN)
                .thenState(new CustomerState("Ann", amount("100.00"), Map.of()));
    }

    @Test
    void a_new_customer_has_its_whole_credit_limit_available() {
        customer().givenNoPriorActivity()
                .when(new CreateCustomer("Ann", amount("100")))
                .thenState(s -> assertThat(s.availableCredit()).isEqualByComparingTo("100"));
    }

    @Test
    void a_customer_is_created_only_once() {
        customer().given(ANN)
                .when(new CreateCustomer("Ann", amount("100")))
                .thenRejected(CustomerLifecycleViolation.class);
    }

    @Test
    void credit_cannot_be_reserved_before_the_customer_exists() {
        customer().givenNoPriorActivity()
                .when(new ReserveCredit("o1", amount("10")))
                .thenRejected(CustomerLifecycleViolation.class);
    }

    @Test
    void reserving_within_the_available_credit_reserves_it() {
        customer().given(ANN)
                .when(new ReserveCredit("o1", amount("30")))
                .thenEvents(new CreditReserved("o1", amount("30.00")))
                .thenState(s -> assertThat(s.availableCredit()).isEqualByComparingTo("70"));
    }

    @Test
    void reserving_exactly_the_available_credit_is_allowed() {
        customer().given(ANN, new CreditReserved("o1", amount("60.00")))
                .when(new ReserveCredit("o2", amount("40")))
                .thenEvents(new CreditReserved("o2", amount("40.00")))
                .thenState(s -> assertThat(s.availableCredit()).isEqualByComparingTo("0"));
    }

    @Test
    void reserving_beyond_the_available_credit_is_rejected() {
        CustomerCreditLimitExceeded rejection = customer().given(ANN, new CreditReserved("o1", amount("60.00")))
                .when(new ReserveCredit("o2", amount("40.01")))
                .thenRejected(CustomerCreditLimitExceeded.class);
        assertThat(rejection.available()).isEqualByComparingTo("40");
        assertThat(rejection.requested()).isEqualByComparingTo("40.01");
        assertThat(rejection.reason()).isEqualTo("credit-limit-exceeded");
        assertThat(rejection.getMessage()).doesNotContain("40");
    }

    @Test
    void reserving_again_for_an_order_already_reserved_changes_nothing() {
        customer().given(ANN, new CreditReserved("o1", amount("30.00")))
                .when(new ReserveCredit("o1", amount("30")))
                .thenNoEvents()
                .thenState(s -> assertThat(s.availableCredit()).isEqualByComparingTo("70"));
    }

    @Test
    void reserving_again_for_an_order_already_reserved_is_not_rejected_even_beyond_the_limit() {
        customer().given(ANN, new CreditReserved("o1", amount("100.00")))
                .when(new ReserveCredit("o1", amount("100")))
                .thenNoEvents();
    }

    @Test
    void releasing_a_reservation_gives_the_credit_back() {
        customer().given(ANN, new CreditReserved("o1", amount("30.00")), new CreditReserved("o2", amount("20.00")))
                .when(new ReleaseCredit("o1"))
                .thenEvents(new CreditReleased("o1", amount("30.00")))
                .thenState(s -> {
                    assertThat(s.availableCredit()).isEqualByComparingTo("80");
                    assertThat(s.reservations()).containsOnlyKeys("o2");
                });
    }

    @Test
    void releasing_for_an_order_that_holds_no_reservation_voids_its_reservation_and_changes_no_credit() {
        customer().given(ANN)
                .when(new ReleaseCredit("o1"))
                .thenEvents(new CreditReservationVoided("o1"))
                .thenState(s -> {
                    assertThat(s.availableCredit()).isEqualByComparingTo("100");
                    assertThat(s.voided()).containsExactly("o1");
                });
    }

    @Test
    void a_reservation_that_comes_after_its_release_is_refused_so_no_credit_stays_held_for_the_order() {
        CreditReservationVoidedException rejection = customer().given(ANN, new CreditReservationVoided("o1"))
                .when(new ReserveCredit("o1", amount("30")))
                .thenRejected(CreditReservationVoidedException.class);
        assertThat(rejection.reason()).isEqualTo("credit-reservation-voided");
        assertThat(rejection.orderId()).isEqualTo("o1");
    }

    @Test
    void a_voided_reservation_does_not_refuse_other_orders() {
        customer().given(ANN, new CreditReservationVoided("o1"))
                .when(new ReserveCredit("o2", amount("30")))
                .thenEvents(new CreditReserved("o2", amount("30.00")));
    }

    @Test
    void releasing_a_voided_order_again_changes_nothing() {
        customer().given(ANN, new CreditReservationVoided("o1"))
                .when(new ReleaseCredit("o1"))
                .thenNoEvents();
    }

    @Test
    void releasing_twice_releases_once_and_the_second_release_voids_the_order() {
        customer().given(ANN, new CreditReserved("o1", amount("30.00")), new CreditReleased("o1", amount("30.00")))
                .when(new ReleaseCredit("o1"))
                .thenEvents(new CreditReservationVoided("o1"))
                .thenState(s -> assertThat(s.availableCredit()).isEqualByComparingTo("100"));
    }

    @Test
    void a_released_order_can_reserve_again() {
        customer().given(ANN, new CreditReserved("o1", amount("30.00")), new CreditReleased("o1", amount("30.00")))
                .when(new ReserveCredit("o1", amount("50")))
                .thenEvents(new CreditReserved("o1", amount("50.00")));
    }

    @Test
    void a_snapshot_written_before_voided_reservations_existed_reads_with_none_and_a_new_one_keeps_them()
            throws Exception {
        var mapper = dev.nosqles.app.internal.AppJson.mapper();
        CustomerState old = mapper.readValue(
                "{\"name\":\"Ann\",\"creditLimit\":\"100.00\",\"reservations\":{\"o1\":\"30.00\"}}",
                CustomerState.class);
        assertThat(old.voided()).isEmpty();
        assertThat(old.availableCredit()).isEqualByComparingTo("70");

        CustomerState voided = new CustomerState("Ann", amount("100.00"), Map.of(), java.util.Set.of("o2"));
        assertThat(mapper.readValue(mapper.writeValueAsString(voided), CustomerState.class)).isEqualTo(voided);
    }

    @Test
    void amounts_must_be_positive_with_at_most_two_decimals() {
        assertThatThrownBy(() -> new ReserveCredit("o1", amount("0"))).isInstanceOf(InvalidCommandException.class);
        assertThatThrownBy(() -> new ReserveCredit("o1", amount("-1"))).isInstanceOf(InvalidCommandException.class);
        assertThatThrownBy(() -> new ReserveCredit("o1", amount("1.001")))
                .isInstanceOf(InvalidCommandException.class);
        assertThatThrownBy(() -> new ReserveCredit("o1", amount("1e20"))).isInstanceOf(InvalidCommandException.class);
        assertThatThrownBy(() -> new CreateCustomer("Ann", null)).isInstanceOf(InvalidCommandException.class);
        assertThat(new ReserveCredit("o1", amount("1.500")).amount()).isEqualTo(amount("1.50"));
    }

    @Test
    void a_customer_needs_a_name() {
        assertThatThrownBy(() -> new CreateCustomer("  ", amount("1")))
                .isInstanceOf(InvalidCommandException.class)
                .extracting(e -> ((InvalidCommandException) e).field()).isEqualTo("name");
    }

    @Test
    void events_are_stored_under_stable_names() {
        assertThat(new Customer().eventTypes().all())
                .extracting(t -> t.name())
                .containsExactlyInAnyOrder("CustomerCreated", "CreditReserved", "CreditReleased",
                        "CreditReservationVoided", "CustomerPersonalDataForgotten");
    }

    @Test
    void name_and_email_are_declared_personal_data_of_the_customer_itself() {
        var personal = new Customer().eventTypes().personalData("CustomerCreated").orElseThrow();
        assertThat(personal.fields()).containsExactlyInAnyOrder("name", "email");
        assertThat(personal.subjectOf().subject(dev.nosqles.store.StreamId.of(Customer.TYPE, "c-42"), null))
                .isEqualTo("c-42");
        assertThat(new Customer().eventTypes().personalData("CreditReserved")).isEmpty();
        assertThat(new Customer().eventTypes().personalData("CustomerPersonalDataForgotten")).isEmpty();
    }

    @Test
    void creating_a_customer_with_an_email_records_it() {
        customer().givenNoPriorActivity()
                .when(new CreateCustomer("Ann", amount("100"), "alice", "ann@example.org"))
                .thenEvents(new CustomerCreated("Ann", amount("100.00"), "alice", "ann@example.org"))
                .thenState(s -> assertThat(s.email()).isEqualTo("ann@example.org"));
    }

    @Test
    void an_email_needs_an_at_sign_with_text_on_both_sides_and_no_spaces() {
        String longest = "a".repeat(254 - "@x.org".length()) + "@x.org";
        assertThat(new CreateCustomer("Ann", amount("1"), null, longest).email()).isEqualTo(longest);
        assertThat(new CreateCustomer("Ann", amount("1"), null, " ann@x.org ").email()).isEqualTo("ann@x.org");
        for (String bad : new String[] {"ann", "@example.org", "ann@", "ann @example.org", "a" + longest,
                "ann\u0000@x.org", "", "  "}) {
            assertThatThrownBy(() -> new CreateCustomer("Ann", amount("1"), null, bad))
                    .isInstanceOf(InvalidCommandException.class)
                    .extracting(e -> ((InvalidCommandException) e).field()).isEqualTo("email");
        }
    }

    @Test
    void forgetting_records_that_it_happened_without_personal_data_and_shows_placeholders() {
        customer().given(new CustomerCreated("Ann", amount("100.00"), "alice", "ann@example.org"),
                        new CreditReserved("o1", amount("30.00")))
                .when(new ForgetPersonalData())
                .thenEvents(new CustomerPersonalDataForgotten())
                .thenState(s -> {
                    assertThat(s.name()).isEqualTo("[forgotten]");
                    assertThat(s.email()).isEqualTo("[forgotten]");
                    assertThat(s.forgotten()).isTrue();
                    assertThat(s.availableCredit()).isEqualByComparingTo("70");
                });
    }

    @Test
    void forgetting_a_forgotten_customer_changes_nothing() {
        customer().given(ANN, new CustomerPersonalDataForgotten())
                .when(new ForgetPersonalData())
                .thenEvents();
    }

    @Test
    void a_forgotten_customer_still_reserves_and_releases_credit() {
        customer().given(ANN, new CustomerPersonalDataForgotten())
                .when(new ReserveCredit("o1", amount("10")))
                .thenEvents(new CreditReserved("o1", amount("10.00")));
    }

    @Test
    void an_unknown_customer_cannot_be_forgotten() {
        customer().givenNoPriorActivity()
                .when(new ForgetPersonalData())
                .thenRejected(CustomerLifecycleViolation.class);
    }
}
