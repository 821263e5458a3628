package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    sealed interface PriceEvent permits PriceSet {
    }

    record PriceSet(BigDecimal amount, Instant at) implements PriceEvent {
    }

    private final EventCodec<PriceEvent> codec = new EventCodec<>(
            EventTypes.<PriceEvent>builder().add("PriceSet", 1, PriceSet.class).build(), Upcasters.none());

    @Test
    void decimals_and_instants_round_trip_exactly() {
        PriceSet event = new PriceSet(new BigDecimal("12345678901234567.10"), Instant.parse("2026-01-02T03:04:05.123Z"));
        NewEvent encoded = codec.encode(UUID.randomUUID(), event);

        RecordedEvent stored = new RecordedEvent(encoded.eventId(), StreamId.of("Price", "p1"), 1, encoded.type(),
                encoded.schemaVersion(), encoded.data(), Instant.now(), EventMetadata.empty());

        assertThat(encoded.type()).isEqualTo("PriceSet");
        assertThat(codec.decode(stored).event()).isEqualTo(event);
        assertThat(((PriceSet) codec.decode(stored).event()).amount().toPlainString()).isEqualTo("12345678901234567.10");
    }
}
