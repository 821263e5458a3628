package dev.nosqles.app.saga;

import static dev.nosqles.app.saga.CreateOrderSaga.CUSTOMER_COMMANDS;
import static dev.nosqles.app.saga.CreateOrderSaga.ORDER_COMMANDS;
import static dev.nosqles.saga.testing.SagaFixture.command;
import static dev.nosqles.saga.testing.SagaFixture.compensation;

import dev.nosqles.app.customer.CustomerCommand.ReleaseCredit;
import dev.nosqles.app.customer.CustomerCommand.ReserveCredit;
import dev.nosqles.app.order.OrderCommand.ApproveOrder;
import dev.nosqles.app.order.OrderCommand.RejectOrder;
import dev.nosqles.saga.SagaStatus;
import dev.nosqles.saga.testing.SagaFixture;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class CreateOrderSagaTest {
    private final SagaFixture<CreateOrderSagaData> saga = SagaFixture.of(CreateOrderSaga.definition());
    private final CreateOrderSagaData data = new CreateOrderSagaData("o1", "c1", new BigDecimal("25.00"));
    private final RejectOrder reject = new RejectOrder(CreateOrderSaga.REJECTION_REASON);

    @Test
    void a_new_order_first_reserves_the_customers_credit() {
        saga.whenStarted(data)
                .thenSent(command(CUSTOMER_COMMANDS, "c1", new ReserveCredit("o1", new BigDecimal("25.00"))))
                .thenStatus(SagaStatus.RUNNING);
    }

    @Test
    void a_reserved_credit_approves_the_order_and_the_saga_completes() {
        saga.whenStarted(data);
        saga.whenSucceeded().thenSent(command(ORDER_COMMANDS, "o1", new ApproveOrder()));
        saga.whenSucceeded().thenNothingSent().thenStatus(SagaStatus.COMPLETED);
    }

    @Test
    void a_refused_reservation_rejects_the_order_and_the_saga_ends_compensated() {
        saga.whenStarted(data);
        saga.whenFailed("credit-limit-exceeded").thenSent(compensation(ORDER_COMMANDS, "o1", reject))
                .thenStatus(SagaStatus.COMPENSATING);
        saga.whenSucceeded().thenStatus(SagaStatus.COMPENSATED).thenReason("reserve-credit:credit-limit-exceeded");
    }

    @Test
    void an_unanswered_reservation_is_released_and_the_order_rejected_when_its_deadline_passes() {
        saga.whenStarted(data);
        saga.whenDeadlinePasses()
                .thenSent(compensation(CUSTOMER_COMMANDS, "c1", new ReleaseCredit("o1")),
                        compensation(ORDER_COMMANDS, "o1", reject))
                .thenReason("reserve-credit:deadline-expired");
        saga.whenSucceeded().thenStatus(SagaStatus.COMPENSATED);
    }

    @Test
    void an_order_that_cannot_be_approved_releases_the_credit_and_is_rejected() {
        saga.whenStarted(data);
        saga.whenSucceeded();
        saga.whenFailed("order-not-pending-approval")
                .thenSent(compensation(CUSTOMER_COMMANDS, "c1", new ReleaseCredit("o1")));
        saga.whenSucceeded().thenSent(compensation(ORDER_COMMANDS, "o1", reject));
        saga.whenSucceeded().thenStatus(SagaStatus.COMPENSATED);
    }
}
