package dev.nosqles.app.saga;

import dev.nosqles.app.customer.CustomerCommand;
import dev.nosqles.app.customer.CustomerCommand.ReleaseCredit;
import dev.nosqles.app.customer.CustomerCommand.ReserveCredit;
import dev.nosqles.app.order.OrderCommand;
import dev.nosqles.app.order.OrderCommand.ApproveOrder;
import dev.nosqles.app.order.OrderCommand.RejectOrder;
import dev.nosqles.saga.Channel;
import dev.nosqles.saga.SagaDefinition;
import java.time.Duration;

/**
 * The reference saga: an order is created {@code APPROVAL_PENDING}; the customer reserves its credit; the order
 * is approved. When the reservation fails (credit limit) or does not answer in time, the compensations run in
 * reverse: the order is rejected; on a deadline the reservation is also released (a release without a
 * reservation voids the order's reservation, so a reservation that comes later is refused), and the saga ends
 * {@code COMPENSATED}. Approving and rejecting have the definition's default deadline (5 minutes) and are re-sent
 * when it passes (at most 3 times, then the saga ends {@code FAILED}).
 *
 * <pre>
 *  step                      invoke                     compensate
 *  reject-order-on-failure   -                          Order.RejectOrder("credit-not-reserved")  (5 min, re-sent)
 *  reserve-credit (30 s)     Customer.ReserveCredit     Customer.ReleaseCredit                    (5 min, re-sent)
 *  approve-order (5 min)     Order.ApproveOrder         -                        (re-sent on its deadline)
 * </pre>
 */
public final class CreateOrderSaga {
    /** The saga type: the orchestrator's aggregate type. */
    public static final String TYPE = "CreateOrderSaga";
    /** The rejection reason given to the order when its credit could not be reserved. */
    public static final String REJECTION_REASON = "credit-not-reserved";
    /** How long the customer has to answer by default. */
    public static final Duration DEFAULT_RESERVATION_DEADLINE = Duration.ofSeconds(30);

    /**
     * The customer's commands (FIFO queue {@code CUSTOMER_COMMANDS_QUEUE_URL}). The customer's streams are in the
     * saga's events table: a deadline looks there for its answer before giving up (ADR 0013).
     */
    public static final Channel<CustomerCommand> CUSTOMER_COMMANDS =
            Channel.builder("customer-commands", CustomerCommand.class)
                    .command("ReserveCredit", ReserveCredit.class)
                    .command("ReleaseCredit", ReleaseCredit.class)
                    .participant(dev.nosqles.app.customer.Customer.TYPE)
                    .build();

    /** The order's commands (FIFO queue {@code ORDER_COMMANDS_QUEUE_URL}); the orders' streams are in the table too. */
    public static final Channel<OrderCommand> ORDER_COMMANDS =
            Channel.builder("order-commands", OrderCommand.class)
                    .command("ApproveOrder", ApproveOrder.class)
                    .command("RejectOrder", RejectOrder.class)
                    .participant(dev.nosqles.app.order.Order.TYPE)
                    .build();

    /** The reply channel (standard queue {@code SAGA_REPLIES_QUEUE_URL}). */
    public static final String REPLIES = SagaDefinition.DEFAULT_REPLY_CHANNEL;

    private CreateOrderSaga() {
    }

    public static SagaDefinition<CreateOrderSagaData> definition() {
        return definition(DEFAULT_RESERVATION_DEADLINE);
    }

    /** The saga with another reservation deadline (tests). */
    public static SagaDefinition<CreateOrderSagaData> definition(Duration reservationDeadline) {
        return SagaDefinition.builder(TYPE, CreateOrderSagaData.class)
                .replyChannel(REPLIES)
                .step("reject-order-on-failure")
                .compensate(ORDER_COMMANDS, CreateOrderSagaData::orderId, d -> new RejectOrder(REJECTION_REASON))
                .step("reserve-credit")
                .invoke(CUSTOMER_COMMANDS, CreateOrderSagaData::customerId,
                        d -> new ReserveCredit(d.orderId(), d.orderTotal()))
                .deadline(reservationDeadline)
                .compensate(CUSTOMER_COMMANDS, CreateOrderSagaData::customerId, d -> new ReleaseCredit(d.orderId()))
                .step("approve-order")
                .invoke(ORDER_COMMANDS, CreateOrderSagaData::orderId, d -> new ApproveOrder())
                .build();
    }
}
