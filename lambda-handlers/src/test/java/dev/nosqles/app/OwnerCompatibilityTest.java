package dev.nosqles.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.app.customer.CustomerEvent.CustomerCreated;
import dev.nosqles.app.customer.CustomerState;
import dev.nosqles.app.order.OrderEvent.OrderCreated;
import dev.nosqles.app.internal.AppJson;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The owner (issue 16) is additive: what was stored before it existed still reads, with no owner. */
class OwnerCompatibilityTest {
    @Test
    void a_customer_created_event_and_snapshot_stored_before_owners_read_with_no_owner() throws Exception {
        CustomerCreated event = AppJson.mapper().readValue("{\"name\":\"Ann\",\"creditLimit\":\"10.00\"}",
                CustomerCreated.class);
        assertThat(event).isEqualTo(new CustomerCreated("Ann", new BigDecimal("10.00"), null));
        CustomerState snapshot = AppJson.mapper().readValue(
                "{\"name\":\"Ann\",\"creditLimit\":\"10.00\",\"reservations\":{\"o1\":\"2.00\"}}", CustomerState.class);
        assertThat(snapshot.owner()).isNull();
        assertThat(snapshot.voided()).isEmpty();
        assertThat(snapshot.availableCredit()).isEqualByComparingTo("8.00");
    }

    @Test
    void an_order_created_event_stored_before_owners_reads_with_no_owner_and_new_ones_carry_it() throws Exception {
        assertThat(AppJson.mapper().readValue("{\"customerId\":\"c1\",\"orderTotal\":\"5.00\"}", OrderCreated.class))
                .isEqualTo(new OrderCreated("c1", new BigDecimal("5.00"), null));
        assertThat(AppJson.mapper().writeValueAsString(new OrderCreated("c1", new BigDecimal("5.00"))))
                .doesNotContain("owner");
        OrderCreated owned = new OrderCreated("c1", new BigDecimal("5.00"), "alice");
        assertThat(AppJson.mapper().readValue(AppJson.mapper().writeValueAsString(owned), OrderCreated.class))
                .isEqualTo(owned);
    }
}
