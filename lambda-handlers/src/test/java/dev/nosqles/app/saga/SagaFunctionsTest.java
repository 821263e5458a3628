package dev.nosqles.app.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.aggregate.EventEnvelope;
import dev.nosqles.app.order.Order;
import dev.nosqles.app.order.OrderEvent;
import dev.nosqles.memory.InMemorySagaDeadlines;
import dev.nosqles.saga.RecordingSender;
import dev.nosqles.saga.SagaManager;
import dev.nosqles.saga.SagaStatus;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.SnapshotStore;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.testsupport.MutableClock;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The reference saga's functions that have no queue of their own: the sweeper and the choreography. */
class SagaFunctionsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final InMemorySagaDeadlines deadlines = new InMemorySagaDeadlines();

    @Test
    void the_sweeper_function_answers_how_many_sagas_were_past_due_and_compensates_an_unanswered_reservation() {
        SagaManager<CreateOrderSagaData> sagas = SagaManager.builder(CreateOrderSaga.definition()).eventStore(store)
                .snapshotStore(SnapshotStore.none()).sender(sender).deadlines(deadlines).clock(clock).build();
        String sagaId = sagas.start("order-created-1", new CreateOrderSagaData("o1", "c1", new BigDecimal("10.00")),
                EventMetadata.empty()).saga().sagaId();
        SagaSweepHandler sweeper = new SagaSweepHandler(store, SnapshotStore.none(), sender, deadlines,
                CreateOrderSaga.definition(), clock);

        assertThat(sweeper.handleRequest(new ScheduledEvent(), null)).containsEntry("pastDue", 0);
        clock.advance(CreateOrderSaga.DEFAULT_RESERVATION_DEADLINE);

        assertThat(sweeper.handleRequest(new ScheduledEvent(), null)).containsEntry("pastDue", 1)
                .containsEntry("handled", 1).containsEntry("failed", 0);
        assertThat(sagas.find(sagaId).orElseThrow().status()).isEqualTo(SagaStatus.COMPENSATING);
        assertThat(sagas.find(sagaId).orElseThrow().reason()).isEqualTo("reserve-credit:deadline-expired");
    }

    @Test
    void releasing_a_cancelled_orders_credit_carries_the_event_id_and_when_the_event_was_committed() {
        Instant committed = Instant.parse("2026-01-01T00:00:07Z");
        UUID eventId = UUID.randomUUID();
        EventEnvelope<OrderEvent> cancelled = new EventEnvelope<>(eventId, new StreamId(Order.TYPE, "o1"), 3,
                "OrderCancelled", "OrderCancelled", 1, committed,
                EventMetadata.empty().withCorrelationId("corr").withPrincipal("ann"),
                new OrderEvent.OrderCancelled("c1", new BigDecimal("10.00")));

        EventMetadata meta = OrderSagaStreamHandler.releaseMetadata(cancelled);

        assertThat(meta.messageId()).isEqualTo(eventId.toString());
        assertThat(meta.messageSentAt()).isEqualTo(committed);
        assertThat(meta.correlationId()).isEqualTo("corr");
        assertThat(meta.principal()).isEqualTo("ann");
    }
}
