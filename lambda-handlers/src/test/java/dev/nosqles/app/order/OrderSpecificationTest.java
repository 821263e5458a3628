package dev.nosqles.app.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.app.InvalidCommandException;
import dev.nosqles.app.order.OrderCommand.ApproveOrder;
import dev.nosqles.app.order.OrderCommand.CancelOrder;
import dev.nosqles.app.order.OrderCommand.CreateOrder;
import dev.nosqles.app.order.OrderCommand.RejectOrder;
import dev.nosqles.app.order.OrderEvent.OrderApproved;
import dev.nosqles.app.order.OrderEvent.OrderCancelled;
import dev.nosqles.app.order.OrderEvent.OrderCreated;
import dev.nosqles.app.order.OrderEvent.OrderRejected;
import dev.nosqles.testing.AggregateFixture;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class OrderSpecificationTest {
    private static final BigDecimal TOTAL = new BigDecimal("25.00");
    private static final OrderCreated CREATED = new OrderCreated("c1", TOTAL);
    private static final OrderApproved APPROVED = new OrderApproved("c1");
    private static final OrderRejected REJECTED = new OrderRejected("c1", "credit limit exceeded");
    private static final OrderCancelled CANCELLED = new OrderCancelled("c1", TOTAL);

    private static AggregateFixture<OrderState, OrderCommand, OrderEvent> order() {
        return AggregateFixture.of(new Order());
    }

    @Test
    void a_new_order_waits_for_approval() {
        order().givenNoPriorActivity()
                .when(new CreateOrder("c1", new BigDecimal("25")))
                .thenEvents(CREATED)
                .thenState(new OrderState("c1", TOTAL, OrderStatus.APPROVAL_PENDING, null));
    }

    @Test
    void an_order_is_created_only_once() {
        order().given(CREATED).when(new CreateOrder("c1", TOTAL)).thenRejected(OrderLifecycleViolation.class);
    }

    @Test
    void an_order_that_does_not_exist_cannot_be_approved() {
        order().givenNoPriorActivity().when(new ApproveOrder()).thenRejected(OrderLifecycleViolation.class);
    }

    @Test
    void a_pending_order_can_be_approved() {
        order().given(CREATED).when(new ApproveOrder())
                .thenEvents(APPROVED)
                .thenState(s -> assertThat(s.status()).isEqualTo(OrderStatus.APPROVED));
    }

    @Test
    void approving_an_approved_order_again_changes_nothing() {
        order().given(CREATED, APPROVED).when(new ApproveOrder()).thenNoEvents();
    }

    @Test
    void a_late_approval_of_a_cancelled_order_changes_nothing() {
        order().given(CREATED, APPROVED, CANCELLED).when(new ApproveOrder())
                .thenNoEvents()
                .thenState(s -> assertThat(s.status()).isEqualTo(OrderStatus.CANCELLED));
    }

    @Test
    void a_rejected_order_cannot_be_approved() {
        OrderNotPendingApproval rejection = order().given(CREATED, REJECTED).when(new ApproveOrder())
                .thenRejected(OrderNotPendingApproval.class);
        assertThat(rejection.status()).isEqualTo(OrderStatus.REJECTED);
    }

    @Test
    void a_pending_order_can_be_rejected_with_a_reason() {
        order().given(CREATED).when(new RejectOrder("credit limit exceeded"))
                .thenEvents(REJECTED)
                .thenState(new OrderState("c1", TOTAL, OrderStatus.REJECTED, "credit limit exceeded"));
    }

    @Test
    void rejecting_a_rejected_order_again_changes_nothing() {
        order().given(CREATED, REJECTED).when(new RejectOrder("again")).thenNoEvents();
    }

    @Test
    void an_approved_order_cannot_be_rejected() {
        order().given(CREATED, APPROVED).when(new RejectOrder("late")).thenRejected(OrderNotPendingApproval.class);
    }

    @Test
    void a_cancelled_order_cannot_be_rejected() {
        order().given(CREATED, APPROVED, CANCELLED).when(new RejectOrder("late"))
                .thenRejected(OrderNotPendingApproval.class);
    }

    @Test
    void an_approved_order_can_be_cancelled_and_its_total_is_recorded_for_the_credit_release() {
        order().given(CREATED, APPROVED).when(new CancelOrder())
                .thenEvents(CANCELLED)
                .thenState(s -> assertThat(s.status()).isEqualTo(OrderStatus.CANCELLED));
    }

    @Test
    void a_pending_order_cannot_be_cancelled() {
        OrderCannotBeCancelled rejection = order().given(CREATED).when(new CancelOrder())
                .thenRejected(OrderCannotBeCancelled.class);
        assertThat(rejection.status()).isEqualTo(OrderStatus.APPROVAL_PENDING);
        assertThat(rejection.reason()).isEqualTo("order-cannot-be-cancelled");
    }

    @Test
    void a_rejected_order_cannot_be_cancelled() {
        order().given(CREATED, REJECTED).when(new CancelOrder()).thenRejected(OrderCannotBeCancelled.class);
    }

    @Test
    void cancelling_a_cancelled_order_again_changes_nothing() {
        order().given(CREATED, APPROVED, CANCELLED).when(new CancelOrder()).thenNoEvents();
    }

    @Test
    void an_order_needs_a_customer_and_a_positive_total() {
        assertThatThrownBy(() -> new CreateOrder("", TOTAL)).isInstanceOf(InvalidCommandException.class);
        assertThatThrownBy(() -> new CreateOrder("c 1", TOTAL)).isInstanceOf(InvalidCommandException.class);
        assertThatThrownBy(() -> new CreateOrder("c1", BigDecimal.ZERO)).isInstanceOf(InvalidCommandException.class);
        assertThatThrownBy(() -> new RejectOrder(" ")).isInstanceOf(InvalidCommandException.class);
    }

    @Test
    void events_are_stored_under_stable_names() {
        assertThat(new Order().eventTypes().all())
                .extracting(t -> t.name())
                .containsExactlyInAnyOrder("OrderCreated", "OrderApproved", "OrderRejected", "OrderCancelled");
    }
}
