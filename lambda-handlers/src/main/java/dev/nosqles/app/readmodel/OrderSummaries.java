package dev.nosqles.app.readmodel;

import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.app.order.Order;
import dev.nosqles.app.order.OrderEvent;
import dev.nosqles.app.order.OrderEvent.OrderApproved;
import dev.nosqles.app.order.OrderEvent.OrderCancelled;
import dev.nosqles.app.order.OrderEvent.OrderCreated;
import dev.nosqles.app.order.OrderEvent.OrderRejected;
import dev.nosqles.app.order.OrderStatus;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.Rows;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The {@value #NAME} read model: one {@link OrderSummary} per order, for the queries the event store cannot answer
 * by key (ADR 0007):
 * <ul>
 *   <li>{@value #BY_CUSTOMER}: partition = the customer id, sorted by creation time then order id (the orders of a
 *       customer, newest first);</li>
 *   <li>{@value #BY_OWNER_STATE}: partition = owner#state, sorted the same way (a principal's orders in one
 *       state, such as those awaiting approval).</li>
 * </ul>
 * Sort values are fixed-width UTC timestamps with nanoseconds ({@link #sortValue}), so that their text order is
 * their time order ({@code Instant.toString()} drops zero fractions: "...:00Z" would sort after "...:00.5Z").
 * An order whose owner is unknown (neither recorded nor in its first event's metadata) is in no owner partition.
 */
public final class OrderSummaries {
    /** The projection's (and read model's) name. */
    public static final String NAME = "order-summaries";
    public static final String BY_CUSTOMER = "by-customer";
    public static final String BY_OWNER_STATE = "by-owner-state";

    private static final DateTimeFormatter SORTABLE = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private static final Projection<OrderSummary> PROJECTION = build();

    private OrderSummaries() {
    }

    /** The projection, version 1 of its code (one instance: the read models and the queries share it). */
    public static Projection<OrderSummary> projection() {
        return PROJECTION;
    }

    private static Projection<OrderSummary> build() {
        return Projection.builder(NAME, OrderSummary.class, OrderSummary::orderId)
                .version(1)
                .index(BY_CUSTOMER, OrderSummary::customerId, OrderSummaries::sortValue)
                .index(BY_OWNER_STATE, row -> row.owner() == null ? null : ownerState(row.owner(), row.state()),
                        OrderSummaries::sortValue)
                .on(new Order(), OrderSummaries::project)
                .build();
    }

    /** The {@value #BY_OWNER_STATE} partition of an owner's orders in a state. */
    public static String ownerState(String owner, OrderStatus state) {
        return owner + "#" + state.name();
    }

    /** The sort value of both indexes: creation time (fixed width, UTC), then the order id. */
    public static String sortValue(OrderSummary row) {
        return SORTABLE.format(row.createdAt()) + "#" + row.orderId();
    }

    private static String principal(EventEnvelope<?> event) {
        return event.metadata() == null ? null : event.metadata().principal();
    }

    static void project(EventEnvelope<OrderEvent> event, Rows<OrderSummary> rows) {
        String orderId = event.streamId().id();
        Instant at = event.timestamp();
        switch (event.event()) {
            case OrderCreated created -> rows.put(new OrderSummary(orderId, created.customerId(),
                    created.owner() != null ? created.owner() : principal(event),
                    OrderStatus.APPROVAL_PENDING, created.orderTotal(), at, at));
            case OrderApproved approved -> rows.update(orderId, row -> row.movedTo(OrderStatus.APPROVED, at));
            case OrderRejected rejected -> rows.update(orderId, row -> row.movedTo(OrderStatus.REJECTED, at));
            case OrderCancelled cancelled -> rows.update(orderId, row -> row.movedTo(OrderStatus.CANCELLED, at));
        }
    }
}
