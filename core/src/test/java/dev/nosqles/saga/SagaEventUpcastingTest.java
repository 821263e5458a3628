package dev.nosqles.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.aggregate.UnknownEventTypeException;
import dev.nosqles.aggregate.Upcasters;
import dev.nosqles.memory.InMemoryCheckpointStore;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.saga.SagaMessage.CommandMessage;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.ExpectedVersion;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.EventDispatcher;
import dev.nosqles.testsupport.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Upcasters apply to saga events wherever they are read: when a saga is loaded and in the command sender, which
 * decodes {@code SagaCommandEvent} through the orchestrator's event types rather than with a raw mapper.
 */
class SagaEventUpcastingTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /**
     * "Send this command" as an older schema stored it (versions start at 1, so the old form is told by its name):
     * {@code SagaCommandSent} v1, whose id was called {@code messageId}.
     */
    private static final String OLD_COMMAND = "{\"messageId\":\"old-command\",\"step\":\"withdraw\","
            + "\"compensation\":false,\"channel\":\"accounts\",\"target\":\"a\",\"commandType\":\"Withdraw\","
            + "\"command\":\"{\\\"amount\\\":7}\",\"deadline\":null}";

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryEventStore store = new InMemoryEventStore(clock);
    private final RecordingSender sender = new RecordingSender();
    private final Upcasters upcasters = Upcasters.builder()
            .add("SagaCommandSent", 1, old -> {
                old.data().set("commandMessageId", old.data().remove("messageId"));
                return new Upcasters.JsonEvent("SagaCommandEvent", 1, old.data());
            }).build();

    private SagaManager<Transfer.Data> manager(Upcasters upcasters) {
        return SagaManager.builder(Transfer.definition()).eventStore(store).sender(sender).clock(clock)
                .upcasters(upcasters).build();
    }

    /** A started saga whose stream then got a SagaCommandEvent in the old schema. */
    private String sagaWithAnOldCommandEvent(SagaManager<Transfer.Data> sagas) {
        String sagaId = sagas.start("event-1", new Transfer.Data("a", "b", 5, null),
                EventMetadata.empty().withCorrelationId("request-1")).saga().sagaId();
        long version = sagas.find(sagaId).orElseThrow().version();
        store.append(StreamId.of(Transfer.definition().type(), sagaId), ExpectedVersion.exactly(version),
                List.of(new NewEvent(UUID.randomUUID(), "SagaCommandSent", 1, OLD_COMMAND)),
                EventMetadata.empty().withMessageId("m-old").withCorrelationId("request-1"));
        return sagaId;
    }

    @Test
    void the_command_sender_sends_a_command_stored_in_an_old_schema_upcast_to_the_current_one() {
        SagaManager<Transfer.Data> sagas = manager(upcasters);
        String sagaId = sagaWithAnOldCommandEvent(sagas);

        new Feed(store, new EventDispatcher(List.of(sagas.commandSender()), new InMemoryCheckpointStore(), store))
                .pump(List.of(StreamId.of(Transfer.definition().type(), sagaId)));

        assertThat(sender.commands).extracting(CommandMessage::messageId).hasSize(2).last()
                .isEqualTo("old-command");
        CommandMessage old = sender.commands.get(1);
        assertThat(old.target()).isEqualTo("a");
        assertThat(old.commandType()).isEqualTo("Withdraw");
        assertThat(old.command()).isEqualTo("{\"amount\":7}");
        assertThat(old.correlationId()).isEqualTo("request-1");
        assertThat(old.sagaId()).isEqualTo(sagaId);
    }

    @Test
    void a_saga_with_an_event_in_an_old_schema_loads_through_the_upcaster_and_not_without_it() {
        String sagaId = sagaWithAnOldCommandEvent(manager(upcasters));

        assertThat(manager(upcasters).find(sagaId)).hasValueSatisfying(
                saga -> assertThat(saga.status()).isEqualTo(SagaStatus.RUNNING));
        assertThatThrownBy(() -> manager(Upcasters.none()).find(sagaId))
                .isInstanceOf(UnknownEventTypeException.class);
    }
}
