package dev.nosqles.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.aggregate.EventCodec;
import dev.nosqles.app.customer.Customer;
import dev.nosqles.app.customer.CustomerEvent;
import dev.nosqles.app.internal.AppJson;
import dev.nosqles.app.order.Order;
import dev.nosqles.app.order.OrderEvent;
import dev.nosqles.memory.InMemorySubjectKeys;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The reference application's events are written without an ObjectMapper (ADR 0020), and stored as the ObjectMapper
 * wrote them before: every event type, with and without its optional fields, byte for byte (apart from each
 * encrypted field's ciphertext), and read back. ({@link AppJson#mapper()} is configured as the framework's own.)
 */
class EventJsonTest {

    @Test
    void every_event_type_of_the_application_is_written_without_the_object_mapper() {
        assertThat(new Customer().eventTypes().all()).hasSize(5).allSatisfy(type ->
                assertThat(EventCodec.writesWithoutObjectMapper(type.javaClass())).as(type.name()).isTrue());
        assertThat(new Order().eventTypes().all()).hasSize(4).allSatisfy(type ->
                assertThat(EventCodec.writesWithoutObjectMapper(type.javaClass())).as(type.name()).isTrue());
    }

    private final InMemorySubjectKeys keys = new InMemorySubjectKeys();
    private final EventCodec<CustomerEvent> customers = EventCodec.of(new Customer(), keys);
    private final EventCodec<OrderEvent> orders = EventCodec.of(new Order(), keys);

    @Test
    void every_event_without_personal_data_is_stored_as_the_mapper_writes_it_and_reads_back() throws Exception {
        List<CustomerEvent> customerEvents = List.of(
                new CustomerEvent.CreditReserved("o-1", new BigDecimal("12.50")),
                new CustomerEvent.CreditReleased("o-1", new BigDecimal("1E+2")),
                new CustomerEvent.CreditReservationVoided("o-\"2\""),
                new CustomerEvent.CustomerPersonalDataForgotten());
        List<OrderEvent> orderEvents = List.of(
                new OrderEvent.OrderCreated("c-1", new BigDecimal("10.00")),
                new OrderEvent.OrderCreated("c-1", new BigDecimal("10.00"), "arn:aws:iam::1:user/ann"),
                new OrderEvent.OrderApproved("c-1"),
                new OrderEvent.OrderRejected("c-1", "reserve-credit:credit-limit-exceeded"),
                new OrderEvent.OrderCancelled("c-1", new BigDecimal("0.10")));
        StreamId customer = StreamId.of("Customer", "c-1");
        for (CustomerEvent e : customerEvents) {
            NewEvent encoded = customers.encode(customer, UUID.randomUUID(), e);
            assertThat(encoded.data()).as(e.toString()).isEqualTo(AppJson.mapper().writeValueAsString(e));
            assertThat(customers.decodeEvent(recorded(customer, encoded))).isEqualTo(e);
        }
        StreamId order = StreamId.of("Order", "o-1");
        for (OrderEvent e : orderEvents) {
            NewEvent encoded = orders.encode(order, UUID.randomUUID(), e);
            assertThat(encoded.data()).as(e.toString()).isEqualTo(AppJson.mapper().writeValueAsString(e));
            assertThat(orders.decodeEvent(recorded(order, encoded))).isEqualTo(e);
        }
    }

    @Test
    void a_customer_created_is_stored_as_the_mapper_wrote_it_with_its_personal_fields_as_tokens() throws Exception {
        StreamId stream = StreamId.of("Customer", "c-9");
        for (CustomerEvent.CustomerCreated e : List.of(
                new CustomerEvent.CustomerCreated("Ann", new BigDecimal("1000.00")),
                new CustomerEvent.CustomerCreated("Ann", new BigDecimal("1000.00"), "arn:aws:iam::1:user/ann",
                        "ann@example.org"))) {
            NewEvent encoded = customers.encode(stream, UUID.randomUUID(), e);

            // what the mapper's tree gave: each personal string replaced by its token, everything else as written
            ObjectNode expected = AppJson.mapper().valueToTree(e);
            for (String field : List.of("name", "email")) {
                if (expected.hasNonNull(field)) {
                    expected.set(field, AppJson.object().put("$pd", 1).put("s", "c-9").put("c", "-"));
                }
            }
            assertThat(encoded.data().replaceAll("\"c\":\"[^\"]+\"", "\"c\":\"-\""))
                    .isEqualTo(AppJson.mapper().writeValueAsString(expected));
            assertThat(encoded.data()).doesNotContain("Ann", "ann@example.org");
            assertThat(customers.decodeEvent(recorded(stream, encoded))).isEqualTo(e);
        }
    }

    private static RecordedEvent recorded(StreamId stream, NewEvent e) {
        return new RecordedEvent(e.eventId(), stream, 1, e.type(), e.schemaVersion(), e.data(),
                Instant.parse("2026-12-01T00:00:00Z"), EventMetadata.empty());
    }
}
