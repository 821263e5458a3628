package dev.nosqles.app.order;

import dev.nosqles.aggregate.Aggregate;
import dev.nosqles.aggregate.EventTypes;
import dev.nosqles.app.order.OrderCommand.ApproveOrder;
import dev.nosqles.app.order.OrderCommand.CancelOrder;
import dev.nosqles.app.order.OrderCommand.CreateOrder;
import dev.nosqles.app.order.OrderCommand.RejectOrder;
import dev.nosqles.app.order.OrderEvent.OrderApproved;
import dev.nosqles.app.order.OrderEvent.OrderCancelled;
import dev.nosqles.app.order.OrderEvent.OrderCreated;
import dev.nosqles.app.order.OrderEvent.OrderRejected;
import java.util.List;

/**
 * An order that waits for approval of the customer's credit, and may then be cancelled.
 *
 * <pre>
 *   CreateOrder ─▶ APPROVAL_PENDING ──ApproveOrder──▶ APPROVED ──CancelOrder──▶ CANCELLED
 *                                   └─RejectOrder───▶ REJECTED
 * </pre>
 *
 * <p>Decisions. Commands arrive from retried HTTP requests and redelivered messages, so a command whose effect
 * already holds produces <em>no events</em> instead of an error; a command that contradicts the order's state is
 * rejected:
 * <table>
 *   <caption>command × state → outcome</caption>
 *   <tr><th></th><th>APPROVAL_PENDING</th><th>APPROVED</th><th>REJECTED</th><th>CANCELLED</th></tr>
 *   <tr><td>ApproveOrder</td><td>OrderApproved</td><td>no events</td><td>{@link OrderNotPendingApproval}</td>
 *       <td>no events (it was approved before it was cancelled)</td></tr>
 *   <tr><td>RejectOrder</td><td>OrderRejected</td><td>{@link OrderNotPendingApproval}</td><td>no events</td>
 *       <td>{@link OrderNotPendingApproval}</td></tr>
 *   <tr><td>CancelOrder</td><td>{@link OrderCannotBeCancelled}</td><td>OrderCancelled</td>
 *       <td>{@link OrderCannotBeCancelled}</td><td>no events</td></tr>
 * </table>
 * Cancelling a pending order is refused rather than allowed because its credit reservation may be in flight;
 * the caller retries once the order is approved (or gets its rejection). {@link CreateOrder} is accepted only
 * before the order exists; every other command only after ({@link OrderLifecycleViolation}).
 */
public final class Order implements Aggregate<OrderState, OrderCommand, OrderEvent> {
    public static final String TYPE = "Order";

    private static final EventTypes<OrderEvent> EVENT_TYPES = EventTypes.<OrderEvent>builder()
            .add("OrderCreated", 1, OrderCreated.class)
            .add("OrderApproved", 1, OrderApproved.class)
            .add("OrderRejected", 1, OrderRejected.class)
            .add("OrderCancelled", 1, OrderCancelled.class)
            .build();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public OrderState initialState() {
        return OrderState.NONE;
    }

    @Override
    public List<? extends OrderEvent> process(OrderState state, OrderCommand command) {
        if (command instanceof CreateOrder create) {
            if (state.exists()) {
                throw OrderLifecycleViolation.alreadyCreated();
            }
            return List.of(new OrderCreated(create.customerId(), create.orderTotal(), create.owner()));
        }
        if (!state.exists()) {
            throw OrderLifecycleViolation.notCreated();
        }
        return switch (command) {
            case CreateOrder create -> throw OrderLifecycleViolation.alreadyCreated();
            case ApproveOrder approve -> approve(state);
            case RejectOrder reject -> reject(state, reject);
            case CancelOrder cancel -> cancel(state);
        };
    }

    private static List<OrderApproved> approve(OrderState state) {
        return switch (state.status()) {
            case APPROVAL_PENDING -> List.of(new OrderApproved(state.customerId()));
            case APPROVED, CANCELLED -> List.of();
            case REJECTED -> throw new OrderNotPendingApproval(state.status());
        };
    }

    private static List<OrderRejected> reject(OrderState state, RejectOrder reject) {
        return switch (state.status()) {
            case APPROVAL_PENDING -> List.of(new OrderRejected(state.customerId(), reject.reason()));
            case REJECTED -> List.of();
            case APPROVED, CANCELLED -> throw new OrderNotPendingApproval(state.status());
        };
    }

    private static List<OrderCancelled> cancel(OrderState state) {
        return switch (state.status()) {
            case APPROVED -> List.of(new OrderCancelled(state.customerId(), state.orderTotal()));
            case CANCELLED -> List.of();
            case APPROVAL_PENDING, REJECTED -> throw new OrderCannotBeCancelled(state.status());
        };
    }

    @Override
    public OrderState apply(OrderState state, OrderEvent event) {
        return switch (event) {
            case OrderCreated created ->
                    new OrderState(created.customerId(), created.orderTotal(), OrderStatus.APPROVAL_PENDING, null,
                            created.owner());
            case OrderApproved approved -> state.withStatus(OrderStatus.APPROVED);
            case OrderRejected rejected -> new OrderState(state.customerId(), state.orderTotal(),
                    OrderStatus.REJECTED, rejected.reason(), state.owner());
            case OrderCancelled cancelled -> state.withStatus(OrderStatus.CANCELLED);
        };
    }

    @Override
    public EventTypes<OrderEvent> eventTypes() {
        return EVENT_TYPES;
    }
}
