package dev.nosqles.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.internal.Json;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import java.util.HashMap;
import java.util.Map;
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
    /** Per stored type name in its current schema that no upcaster touches: a reader bound to its class. */
    private final Map<String, Current<E>> current;

    /** A registered type read straight into its record when stored in its current schema. */
    private record Current<E>(EventTypes.EventType<E> type, ObjectReader reader) {
    }

    public EventCodec(EventTypes<E> types, Upcasters upcasters) {
        this.types = types;
        this.upcasters = upcasters;
        Map<String, Current<E>> direct = new HashMap<>();
        for (EventTypes.EventType<E> type : types.all()) {
            if (!upcasters.appliesTo(type.name(), type.schemaVersion())) {
                direct.put(type.name(), new Current<>(type, mapper.readerFor(type.javaClass())));
            }
        }
        this.current = Map.copyOf(direct);
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

    /**
     * The event with its envelope: its ids, version, time and metadata, the type name it has now and the one it
     * was stored under.
     */
    public EventEnvelope<E> decode(RecordedEvent recorded) {
        // the common case, an event in its current schema: read straight from the stored text into the record
        Current<E> direct = current.get(recorded.type());
        if (direct != null && direct.type().schemaVersion() == recorded.schemaVersion()) {
            return envelope(recorded, direct.type(), readCurrent(recorded, direct));
        }
        Upcasters.JsonEvent upcast = upcast(recorded);
        EventTypes.EventType<E> type = registered(recorded, upcast);
        return envelope(recorded, type, readTree(recorded, type, upcast));
    }

    /**
     * The event alone, as {@link #decode} reads it (the same upcasting, the same exceptions), without the envelope:
     * what a fold into state needs.
     */
    public E decodeEvent(RecordedEvent recorded) {
        Current<E> direct = current.get(recorded.type());
        if (direct != null && direct.type().schemaVersion() == recorded.schemaVersion()) {
            return readCurrent(recorded, direct);
        }
        Upcasters.JsonEvent upcast = upcast(recorded);
        return readTree(recorded, registered(recorded, upcast), upcast);
    }

    private E readCurrent(RecordedEvent recorded, Current<E> direct) {
        try {
            return direct.reader().readValue(recorded.data());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw decodingFailure(recorded, direct.type(), e);
        }
    }

    private E readTree(RecordedEvent recorded, EventTypes.EventType<E> type, Upcasters.JsonEvent upcast) {
        try {
            return mapper.treeToValue(upcast.data(), type.javaClass());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw decodingFailure(recorded, type, e);
        }
    }

    /** The stored JSON as a tree, upcast to the current form of its type. */
    private Upcasters.JsonEvent upcast(RecordedEvent recorded) {
        StreamId streamId = recorded.streamId();
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
        return upcasters.upcast(new Upcasters.JsonEvent(recorded.type(), recorded.schemaVersion(), object));
    }

    private EventTypes.EventType<E> registered(RecordedEvent recorded, Upcasters.JsonEvent current) {
        StreamId streamId = recorded.streamId();
        EventTypes.EventType<E> type = types.named(current.type()).orElseThrow(() -> new UnknownEventTypeException(
                streamId, recorded.version(), current.type(), current.schemaVersion(), "is not registered"));
        if (type.schemaVersion() != current.schemaVersion()) {
            throw new UnknownEventTypeException(streamId, recorded.version(), current.type(), current.schemaVersion(),
                    "has no upcaster to the current schema version " + type.schemaVersion());
        }
        return type;
    }

    private static EventDecodingException decodingFailure(RecordedEvent recorded, EventTypes.EventType<?> type,
                                                          Exception e) {
        if (e instanceof com.fasterxml.jackson.core.JsonParseException) {
            return new EventDecodingException(recorded.streamId(), recorded.version(), type.name(), "",
                    "the stored data is not JSON");
        }
        if (e instanceof JsonMappingException mapping) {
            String path = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return new EventDecodingException(recorded.streamId(), recorded.version(), type.name(), path,
                    e.getClass().getSimpleName());
        }
        return new EventDecodingException(recorded.streamId(), recorded.version(), type.name(), "",
                e.getClass().getSimpleName());
    }

    private EventEnvelope<E> envelope(RecordedEvent recorded, EventTypes.EventType<E> type, E event) {
        return new EventEnvelope<>(recorded.eventId(), recorded.streamId(), recorded.version(), type.name(),
                recorded.type(), recorded.schemaVersion(), recorded.timestamp(), recorded.metadata(), event);
    }
}
