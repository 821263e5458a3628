package dev.nosqles.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.internal.Json;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Turns events into stored JSON and back: encode with the registered name and current schema version; decode by
 * upcasting the stored JSON to the current form and reading it into the registered class.
 */
public final class EventCodec<E> {
    private final EventTypes<E> types;
    private final Upcasters upcasters;
    private final ObjectMapper mapper = Json.mapper();

    public EventCodec(EventTypes<E> types, Upcasters upcasters) {
        this.types = types;
        this.upcasters = upcasters;
    }

    public static <E> EventCodec<E> of(Aggregate<?, ?, E> aggregate) {
        return new EventCodec<>(aggregate.eventTypes(), aggregate.upcasters());
    }

    public NewEvent encode(UUID eventId, E event) {
        EventTypes.EventType<E> type = types.of(event);
        try {
            return new NewEvent(eventId, type.name(), type.schemaVersion(), mapper.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + type.name() + ": " + e.getOriginalMessage());
        }
    }

    public EventEnvelope<E> decode(RecordedEvent recorded) {
        StreamId streamId = recorded.streamId();
        // the common case, an event in its current schema: read straight into the record, no JSON tree
        var stored = types.named(recorded.type());
        if (stored.isPresent() && stored.get().schemaVersion() == recorded.schemaVersion()
                && !upcasters.appliesTo(recorded.type(), recorded.schemaVersion())) {
            E event = read(recorded, stored.get(), () -> mapper.readValue(recorded.data(), stored.get().javaClass()));
            return envelope(recorded, stored.get(), event);
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(recorded.data());
        } catch (JsonProcessingException e) {
            throw new EventDecodingException(streamId, recorded.version(), recorded.type(), "",
                    "the stored data is not JSON");
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new EventDecodingException(streamId, recorded.version(), recorded.type(), "",
                    "the stored data is not a JSON object");
        }
        Upcasters.JsonEvent current = upcasters.upcast(
                new Upcasters.JsonEvent(recorded.type(), recorded.schemaVersion(), object));
        EventTypes.EventType<E> type = types.named(current.type()).orElseThrow(() -> new UnknownEventTypeException(
                streamId, recorded.version(), current.type(), current.schemaVersion(), "is not registered"));
        if (type.schemaVersion() != current.schemaVersion()) {
            throw new UnknownEventTypeException(streamId, recorded.version(), current.type(), current.schemaVersion(),
                    "has no upcaster to the current schema version " + type.schemaVersion());
        }
        return envelope(recorded, type, read(recorded, type, () -> mapper.treeToValue(current.data(), type.javaClass())));
    }

    @FunctionalInterface
    private interface JsonRead<T> {
        T read() throws JsonProcessingException;
    }

    private E read(RecordedEvent recorded, EventTypes.EventType<E> type, JsonRead<? extends E> reading) {
        try {
            return reading.read();
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            throw new EventDecodingException(recorded.streamId(), recorded.version(), type.name(), "",
                    "the stored data is not JSON");
        } catch (JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new EventDecodingException(recorded.streamId(), recorded.version(), type.name(), path,
                    e.getClass().getSimpleName());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new EventDecodingException(recorded.streamId(), recorded.version(), type.name(), "",
                    e.getClass().getSimpleName());
        }
    }

    private EventEnvelope<E> envelope(RecordedEvent recorded, EventTypes.EventType<E> type, E event) {
        return new EventEnvelope<>(recorded.eventId(), recorded.streamId(), recorded.version(), type.name(),
                recorded.type(), recorded.schemaVersion(), recorded.timestamp(), recorded.metadata(), event);
    }
}
