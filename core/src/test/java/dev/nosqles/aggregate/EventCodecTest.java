package dev.nosqles.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
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

    sealed interface NoteEvent permits Noted {
    }

    record Noted(String text, int stars) implements NoteEvent {
    }

    /** v1 was "Remarked" with field "body"; v2 renamed it "Noted" and the field "text". */
    private final EventCodec<NoteEvent> notes = new EventCodec<>(
            EventTypes.<NoteEvent>builder().add("Noted", 2, Noted.class).build(),
            Upcasters.builder().renameType("Remarked", 1, "Noted").renameField("Noted", 1, "body", "text").build());

    private static RecordedEvent recorded(String type, int schema, String data) {
        return new RecordedEvent(UUID.randomUUID(), StreamId.of("Note", "n1"), 3, type, schema, data,
                Instant.parse("2026-01-02T03:04:05Z"), EventMetadata.empty());
    }

    @Test
    void the_event_alone_is_decoded_exactly_as_with_its_envelope_in_the_current_and_in_an_old_schema() {
        RecordedEvent current = recorded("Noted", 2, "{\"text\":\"hi\",\"stars\":4,\"extra\":true}");
        RecordedEvent old = recorded("Remarked", 1, "{\"body\":\"hi\",\"stars\":4}");

        for (RecordedEvent r : List.of(current, old)) {
            assertThat(notes.decodeEvent(r)).isEqualTo(new Noted("hi", 4)).isEqualTo(notes.decode(r).event());
        }
        assertThat(notes.decode(old).type()).isEqualTo("Noted");
        assertThat(notes.decode(old).storedType()).isEqualTo("Remarked");
    }

    @Test
    void bad_data_is_the_same_typed_error_on_the_direct_and_on_the_upcasting_path() {
        for (RecordedEvent r : List.of(recorded("Noted", 2, "{\"text\":\"x\",\"stars\":\"secret\"}"),
                recorded("Remarked", 1, "{\"body\":\"x\",\"stars\":\"secret\"}"))) {
            EventDecodingException alone = catchThrowableOfType(EventDecodingException.class,
                    () -> notes.decodeEvent(r));
            EventDecodingException enveloped = catchThrowableOfType(EventDecodingException.class,
                    () -> notes.decode(r));
            assertThat(alone.path()).isEqualTo("stars").isEqualTo(enveloped.path());
            assertThat(alone.type()).isEqualTo("Noted").isEqualTo(enveloped.type());
            assertThat(alone.getMessage()).isEqualTo(enveloped.getMessage()).doesNotContain("secret");
        }
        RecordedEvent notJson = recorded("Noted", 2, "{not json");
        assertThat(catchThrowableOfType(EventDecodingException.class, () -> notes.decodeEvent(notJson)).getMessage())
                .isEqualTo(catchThrowableOfType(EventDecodingException.class, () -> notes.decode(notJson)).getMessage())
                .contains("not JSON");
    }

    sealed interface CountedEvent permits Counted {
    }

    /** Deserializers of {@link Counted} built so far (Jackson builds one when a reader for the type is made). */
    static final java.util.concurrent.atomic.AtomicInteger DESERIALIZERS_BUILT =
            new java.util.concurrent.atomic.AtomicInteger();

    static final class CountingDeserializer extends com.fasterxml.jackson.databind.JsonDeserializer<Counted> {
        CountingDeserializer() {
            DESERIALIZERS_BUILT.incrementAndGet();
        }

        @Override
        public Counted deserialize(com.fasterxml.jackson.core.JsonParser p,
                                   com.fasterxml.jackson.databind.DeserializationContext ctxt)
                throws java.io.IOException {
            com.fasterxml.jackson.databind.JsonNode node = p.readValueAsTree();
            return new Counted(node.get("n").asInt());
        }
    }

    @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = CountingDeserializer.class)
    record Counted(int n) implements CountedEvent {
    }

    @Test
    void a_codec_builds_no_deserializer_until_it_reads_that_type_and_then_builds_it_once() {
        int before = DESERIALIZERS_BUILT.get();
        EventCodec<CountedEvent> counted = new EventCodec<>(
                EventTypes.<CountedEvent>builder().add("Counted", 1, Counted.class).build(), Upcasters.none());
        RecordedEvent stored = recorded("Counted", 1, "{\"n\":3}");

        assertThat(DESERIALIZERS_BUILT.get()).as("when the codec is made").isEqualTo(before);
        assertThat(counted.decodeEvent(stored)).isEqualTo(new Counted(3));
        assertThat(counted.decode(stored).event()).isEqualTo(new Counted(3));
        assertThat(DESERIALIZERS_BUILT.get()).as("after two reads").isEqualTo(before + 1);
    }

    @Test
    void an_event_of_a_plain_record_is_written_as_the_object_mapper_writes_it() throws Exception {
        PriceSet event = new PriceSet(new BigDecimal("-0.50"), Instant.parse("2026-01-02T03:04:05.000000001Z"));

        assertThat(EventCodec.writesWithoutObjectMapper(PriceSet.class)).isTrue();
        assertThat(codec.encode(UUID.randomUUID(), event).data())
                .isEqualTo(dev.nosqles.internal.Json.mapper().writeValueAsString(event))
                .isEqualTo("{\"amount\":-0.50,\"at\":\"2026-01-02T03:04:05.000000001Z\"}");
    }
}
