package dev.nosqles.app.readmodel;

import static dev.nosqles.app.order.OrderStatus.APPROVAL_PENDING;
import static dev.nosqles.app.order.OrderStatus.APPROVED;
import static dev.nosqles.app.order.OrderStatus.CANCELLED;
import static dev.nosqles.app.order.OrderStatus.REJECTED;
import static dev.nosqles.projection.testing.ProjectionFixture.TIME;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.app.order.Order;
import dev.nosqles.app.order.OrderEvent;
import dev.nosqles.app.order.OrderEvent.OrderApproved;
import dev.nosqles.app.order.OrderEvent.OrderCancelled;
import dev.nosqles.app.order.OrderEvent.OrderCreated;
import dev.nosqles.app.order.OrderEvent.OrderRejected;
import dev.nosqles.projection.Projection;
import dev.nosqles.projection.Rows;
import dev.nosqles.projection.testing.ProjectionFixture;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.StreamId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The order-summaries read model as a specification: given an order's events, then its row. */
class OrderSummariesTest {
    private static final BigDecimal TOTAL = new BigDecimal("12.50");
    /** As a row holds it: DynamoDB keeps a number without its trailing zeros (the API shows two decimals again). */
    private static final BigDecimal STORED_TOTAL = new BigDecimal("12.5");
    private final Projection<OrderSummary> summaries = OrderSummaries.projection();

    private static OrderSummary row(String orderId, String customerId, String owner,
                                    dev.nosqles.app.order.OrderStatus state) {
        return new OrderSummary(orderId, customerId, owner, state, STORED_TOTAL, TIME, TIME);
    }

    @Test
    void a_placed_order_is_one_row_awaiting_approval_owned_by_whoever_placed_it() {
        ProjectionFixture.of(summaries)
                .given(new Order(), "o-1", new OrderCreated("c-1", TOTAL, "ann"))
                .thenRows(row("o-1", "c-1", "ann", APPROVAL_PENDING));
    }

    @Test
    void each_later_event_moves_the_row_to_its_state() {
        ProjectionFixture.of(summaries)
                .given(new Order(), "o-1", new OrderCreated("c-1", TOTAL, "ann"), new OrderApproved("c-1"))
                .given(new Order(), "o-2", new OrderCreated("c-1", TOTAL, "ann"), new OrderRejected("c-1", "credit"))
                .given(new Order(), "o-3", new OrderCreated("c-2", TOTAL, "bob"), new OrderApproved("c-2"))
                .given(new Order(), "o-3", new OrderCancelled("c-2", TOTAL))
                .thenRows(row("o-1", "c-1", "ann", APPROVED), row("o-2", "c-1", "ann", REJECTED),
                        row("o-3", "c-2", "bob", CANCELLED));
    }

    @Test
    void an_order_recorded_before_owners_without_a_principal_has_no_owner() {
        ProjectionFixture<OrderSummary> fixture = ProjectionFixture.of(summaries)
                .given(new Order(), "o-1", new OrderCreated("c-1", TOTAL));

        fixture.thenRows(row("o-1", "c-1", null, APPROVAL_PENDING));
        // and so is in no owner's partition (a sparse index), never in the partition of a principal named "null"
        assertThat(summaries.index(OrderSummaries.BY_OWNER_STATE).partition().apply(fixture.rows().getFirst()))
                .isNull();
    }

    @Test
    void an_order_recorded_before_owners_belongs_to_the_principal_of_its_created_event() {
        Map<String, OrderSummary> rows = new HashMap<>();
        OrderSummaries.project(envelope("o-1", 1, new OrderCreated("c-1", TOTAL), "carol", TIME), mapRows(rows));
        OrderSummaries.project(envelope("o-1", 2, new OrderApproved("c-1"), "saga", TIME.plusSeconds(5)),
                mapRows(rows));

        assertThat(rows).containsExactly(Map.entry("o-1", new OrderSummary("o-1", "c-1", "carol", APPROVED, TOTAL,
                TIME, TIME.plusSeconds(5))));
    }

    @Test
    void the_indexes_partition_by_customer_and_by_owner_and_state_and_sort_by_creation_time_then_id() {
        OrderSummary early = new OrderSummary("b", "c-1", "ann", APPROVED, TOTAL,
                Instant.parse("2026-01-01T00:00:00Z"), TIME);
        OrderSummary later = new OrderSummary("a", "c-1", "ann", APPROVED, TOTAL,
                Instant.parse("2026-01-01T00:00:00.5Z"), TIME);
        var byCustomer = summaries.index(OrderSummaries.BY_CUSTOMER);
        var byOwnerState = summaries.index(OrderSummaries.BY_OWNER_STATE);

        assertThat(byCustomer.partition().apply(early)).isEqualTo("c-1");
        assertThat(byOwnerState.partition().apply(early)).isEqualTo("ann#APPROVED");
        // Instant.toString() would give "...:00Z" and "...:00.500Z", sorting the later first
        assertThat(byCustomer.sort().apply(early)).isEqualTo("2026-01-01T00:00:00.000000000Z#b");
        assertThat(byCustomer.sort().apply(early)).isLessThan(byCustomer.sort().apply(later));
        assertThat(byOwnerState.sort().apply(later)).isEqualTo(byCustomer.sort().apply(later));
    }

    private static EventEnvelope<OrderEvent> envelope(String orderId, long version, OrderEvent event,
                                                      String principal, Instant at) {
        return new EventEnvelope<>(UUID.randomUUID(), StreamId.of(Order.TYPE, orderId), version, "t", "t", 1, at,
                EventMetadata.empty().withPrincipal(principal), event);
    }

    /** Rows over a map: enough for one handler call at a time. */
    private static Rows<OrderSummary> mapRows(Map<String, OrderSummary> rows) {
        return new Rows<>() {
            @Override
            public Optional<OrderSummary> get(String key) {
                return Optional.ofNullable(rows.get(key));
            }

            @Override
            public void put(OrderSummary row) {
                rows.put(row.orderId(), row);
            }

            @Override
            public void update(String key, UnaryOperator<OrderSummary> change) {
                rows.computeIfPresent(key, (k, row) -> change.apply(row));
            }

            @Override
            public void delete(String key) {
                rows.remove(key);
            }
        };
    }
}
