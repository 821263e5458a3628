package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    sealed interface Priced permits Price {
    }

    record Price(BigDecimal amount, Instant at) implements Priced {
    }

    @Test
    void a_reader_outside_the_framework_reads_event_data_as_the_framework_wrote_it() throws Exception {
        EventCodec<Priced> codec = new EventCodec<>(EventTypes.<Priced>builder().add("Price", 1, Price.class).build(),
                Upcasters.none());
        Price price = new Price(new BigDecimal("25.00"), Instant.parse("2026-12-01T10:00:00.5Z"));
        String stored = codec.encode(UUID.randomUUID(), price).data();

        ObjectMapper mapper = EventJson.newObjectMapper();

        assertThat(mapper.writeValueAsString(price)).isEqualTo(stored)
                .isEqualTo("{\"amount\":25.00,\"at\":\"2026-12-01T10:00:00.500Z\"}");
        assertThat(mapper.readValue(stored.replace("}", ",\"added\":1}"), Price.class)).isEqualTo(price);
        assertThat(mapper.readTree(stored).get("amount").decimalValue()).isEqualTo(new BigDecimal("25.00"));
    }

    @Test
    void each_call_gives_a_mapper_of_its_own() {
        ObjectMapper mine = EventJson.newObjectMapper();
        mine.enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

        assertThat(EventJson.newObjectMapper()).isNotSameAs(mine).satisfies(other -> assertThat(
                other.isEnabled(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)).isFalse());
    }
}
