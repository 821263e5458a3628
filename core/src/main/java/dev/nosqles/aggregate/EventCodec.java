package dev.nosqles.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nosqles.internal.Json;
import dev.nosqles.internal.RecordJson;
import dev.nosqles.privacy.KeyServiceUnavailableException;
import dev.nosqles.privacy.MissingSubjectKeysException;
import dev.nosqles.privacy.PersonalData;
import dev.nosqles.privacy.SubjectForgottenException;
import dev.nosqles.privacy.SubjectKeys;
import dev.nosqles.privacy.internal.FieldCipher;
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
 *
 * <p><b>Personal data</b> (ADR 0008). On encode, each field a type declares personal ({@link PersonalData}) is
 * replaced by an encrypted token, {@code {"$pd":1,"s":"<subject>","c":"<base64>"}}, with the subject's key. On
 * decode, before upcasting, every top-level field holding such a token is decrypted, declared or not (old schemas
 * too); a forgotten subject's field becomes the placeholder declared for that stored type and field. Without
 * {@link SubjectKeys} a codec refuses to encode a type that declares personal data and to decode a token
 * ({@link MissingSubjectKeysException}).
 */
public final class EventCodec<E> {
    private final EventTypes<E> types;
    private final Upcasters upcasters;
    /**
     * Per stored type name in its current schema that no upcaster touches: a reader bound to its class, built on
     * the first read of that type (a codec is built at a function's start; most types are never read there).
     */
    private final Map<String, Current<E>> current;
    /** Null: none configured. */
    private final SubjectKeys keys;

    /**
     * A registered type read straight into its record when stored in its current schema. Its reader is built on
     * first use: Jackson builds a type's deserializer when a reader for it is made, and building them all when the
     * codec is made cost a function's cold start one deserializer per registered type (ADR 0020). Two threads may
     * both build it once; either reader is the same.
     */
    private static final class Current<E> {
        private final EventTypes.EventType<E> type;
        private volatile ObjectReader reader;

        Current(EventTypes.EventType<E> type) {
            this.type = type;
        }

        EventTypes.EventType<E> type() {
            return type;
        }

        ObjectReader reader() {
            ObjectReader r = reader;
            if (r == null) {
                r = Json.mapper().readerFor(type.javaClass());
                reader = r;
            }
            return r;
        }
    }

    public EventCodec(EventTypes<E> types, Upcasters upcasters) {
        this(types, upcasters, null);
    }

    /**
     * @param keys the subject keys personal fields are encrypted with; null for none (then a type that declares
     *             personal data cannot be encoded, nor an encrypted field decoded)
     */
    public EventCodec(EventTypes<E> types, Upcasters upcasters, SubjectKeys keys) {
        this.types = types;
        this.upcasters = upcasters;
        this.keys = keys;
        Map<String, Current<E>> direct = new HashMap<>();
        for (EventTypes.EventType<E> type : types.all()) {
            if (!upcasters.appliesTo(type.name(), type.schemaVersion())) {
                direct.put(type.name(), new Current<>(type));
            }
        }
        this.current = Map.copyOf(direct);
    }

    public static <E> EventCodec<E> of(Aggregate<?, ?, E> aggregate) {
        return new EventCodec<>(aggregate.eventTypes(), aggregate.upcasters());
    }

    /** A codec that encrypts and decrypts personal fields with {@code keys} (null: none). */
    public static <E> EventCodec<E> of(Aggregate<?, ?, E> aggregate, SubjectKeys keys) {
        return new EventCodec<>(aggregate.eventTypes(), aggregate.upcasters(), keys);
    }

    /**
     * Whether events of this type are written without Jackson's ObjectMapper (ADR 0020): a record of strings,
     * numbers, instants, UUIDs, enums, records and collections of them, without Jackson annotations other than
     * {@code @JsonFormat(shape = STRING)} on a {@code BigDecimal}, {@code @JsonInclude(NON_NULL)} and
     * {@code @JsonCreator}. A command that creates an aggregate with such events is answered without building the
     * mapper (reading stored events still builds it); assert it in a test of your own event types to keep them
     * there. Either way the stored JSON is the same. (A type that declares personal data and holds a double or
     * float is written through the mapper's tree, as it always was.)
     */
    public static boolean writesWithoutObjectMapper(Class<?> eventType) {
        return RecordJson.supports(eventType);
    }

    /**
     * Encodes an event of a type without personal data.
     *
     * @throws IllegalStateException its type declares personal data: use {@link #encode(StreamId, UUID, Object)}
     */
    public NewEvent encode(UUID eventId, E event) {
        EventTypes.EventType<E> type = types.of(event);
        if (types.personalData(type.name()).isPresent()) {
            throw new IllegalStateException(type.name() + " declares personal data: encode it with its stream id");
        }
        // most events are plain records: written without the ObjectMapper, the same text (ADR 0020)
        String data = RecordJson.write(event);
        if (data != null) {
            return new NewEvent(eventId, type.name(), type.schemaVersion(), data);
        }
        return new NewEvent(eventId, type.name(), type.schemaVersion(), Mapped.write(type.name(), event));
    }

    /**
     * Encodes an event of the stream, its personal fields (if its type declares any) encrypted with the subject's
     * key.
     *
     * @throws SubjectForgottenException the subject was forgotten: nothing of it is to be written
     * @throws KeyServiceUnavailableException the key service could not be reached
     * @throws MissingSubjectKeysException the type declares personal data and the codec has no keys
     */
    public NewEvent encode(StreamId streamId, UUID eventId, E event) {
        return encode(streamId, eventId, event, false);
    }

    /**
     * {@link #encode(StreamId, UUID, Object)}; {@code creating}: the event is in the commit that creates the stream, so
     * a subject that is the stream's own aggregate ({@code SubjectOf.stream()}) is expected to have no key yet
     * ({@link SubjectKeys#encryptForNewSubject}: its key is put without a read first).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    NewEvent encode(StreamId streamId, UUID eventId, E event, boolean creating) {
        EventTypes.EventType<E> type = types.of(event);
        java.util.Optional<PersonalData<?>> personal = types.personalData(type.name());
        if (personal.isEmpty()) {
            return encode(eventId, event);
        }
        if (keys == null) {
            throw new MissingSubjectKeysException(type.name());
        }
        PersonalData pd = personal.get();
        String subject = pd.subjectOf().subject(streamId, event);
        SubjectKeys sealing = creating && streamId.id().equals(subject) ? new NewSubjectKeys(keys) : keys;
        java.util.List<String> fields = (java.util.List<String>) pd.fields();
        // a plain record: each personal field holding a string written as its token, without the ObjectMapper
        String data = RecordJson.write(event, java.util.Set.copyOf(fields),
                (g, field, value) -> FieldCipher.writeToken(g, sealing, subject, field, value));
        if (data != null) {
            return new NewEvent(eventId, type.name(), type.schemaVersion(), data);
        }
        return new NewEvent(eventId, type.name(), type.schemaVersion(),
                Mapped.writeEncrypted(sealing, type.name(), event, subject, fields));
    }

    /**
     * The event with its envelope: its ids, version, time and metadata, the type name it has now and the one it
     * was stored under.
     */
    public EventEnvelope<E> decode(RecordedEvent recorded) {
        // the common case, an event in its current schema: read straight from the stored text into the record
        Current<E> direct = current.get(recorded.type());
        if (direct != null && direct.type().schemaVersion() == recorded.schemaVersion() && plain(recorded)) {
            return envelope(recorded, direct.type(), Mapped.readCurrent(recorded, direct));
        }
        Upcasters.JsonEvent upcast = Mapped.upcast(this, recorded);
        EventTypes.EventType<E> type = registered(recorded, upcast);
        return envelope(recorded, type, Mapped.readTree(recorded, type, upcast));
    }

    /**
     * The event alone, as {@link #decode} reads it (the same upcasting, the same exceptions), without the envelope:
     * what a fold into state needs.
     */
    public E decodeEvent(RecordedEvent recorded) {
        Current<E> direct = current.get(recorded.type());
        if (direct != null && direct.type().schemaVersion() == recorded.schemaVersion() && plain(recorded)) {
            return Mapped.readCurrent(recorded, direct);
        }
        Upcasters.JsonEvent upcast = Mapped.upcast(this, recorded);
        return Mapped.readTree(recorded, registered(recorded, upcast), upcast);
    }

    /** Whether the stored text cannot hold an encrypted field (most events: one scan for the marker). */
    private static boolean plain(RecordedEvent recorded) {
        return !recorded.data().contains(FieldCipher.MARKER_TEXT);
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

    private EventEnvelope<E> envelope(RecordedEvent recorded, EventTypes.EventType<E> type, E event) {
        return new EventEnvelope<>(recorded.eventId(), recorded.streamId(), recorded.version(), type.name(),
                recorded.type(), recorded.schemaVersion(), recorded.timestamp(), recorded.metadata(), event);
    }

    /** Keys whose {@code encrypt} expects a new subject ({@link SubjectKeys#encryptForNewSubject}). */
    private record NewSubjectKeys(SubjectKeys keys) implements SubjectKeys {
        @Override
        public byte[] encrypt(String subject, byte[] plaintext, byte[] aad) {
            return keys.encryptForNewSubject(subject, plaintext, aad);
        }

        @Override
        public java.util.Optional<byte[]> decrypt(String subject, byte[] ciphertext, byte[] aad) {
            return keys.decrypt(subject, ciphertext, aad);
        }

        @Override
        public ForgetOutcome forget(String subject) {
            return keys.forget(subject);
        }

        @Override
        public boolean isForgotten(String subject) {
            return keys.isForgotten(subject);
        }

        @Override
        public java.time.Duration cacheTtl() {
            return keys.cacheTtl();
        }
    }

    /**
     * Everything that goes through Jackson's ObjectMapper or its trees: events it writes (types {@code RecordJson}
     * declines), reads, upcasts and decryption of stored tokens. A class of its own so that the codec's class names
     * no Jackson type: a new function that only appends plain records loads none of them (the JVM's verifier loads
     * the types a class's methods catch and assign, ADR 0020).
     */
    private static final class Mapped {
        private Mapped() {
        }

        static String write(String typeName, Object event) {
            try {
                return Json.mapper().writeValueAsString(event);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("cannot serialise " + typeName + ": " + e.getOriginalMessage());
            }
        }

        /** An event through the mapper's tree, each personal field holding a string replaced by its token. */
        static String writeEncrypted(SubjectKeys keys, String typeName, Object event, String subject,
                                     java.util.List<String> fields) {
            ObjectNode tree;
            try {
                tree = Json.mapper().valueToTree(event);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot serialise " + typeName + ": " + e.getClass().getSimpleName());
            }
            for (String field : fields) {
                JsonNode value = tree.get(field);
                if (value != null && value.isTextual()) {
                    tree.set(field, FieldCipher.encrypt(keys, subject, field, value.asText()));
                }
            }
            try {
                return Json.mapper().writeValueAsString(tree);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("cannot serialise " + typeName + ": " + e.getOriginalMessage());
            }
        }

        /**
         * Replaces every top-level field holding an encrypted token by its plaintext, or by the placeholder the
         * stored type declares for it when the subject was forgotten.
         */
        static void decryptFields(EventCodec<?> codec, RecordedEvent recorded, ObjectNode object) {
            java.util.Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            java.util.List<Map.Entry<String, JsonNode>> tokens = new java.util.ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (FieldCipher.isToken(f.getValue())) {
                    tokens.add(f);
                }
            }
            for (Map.Entry<String, JsonNode> f : tokens) {
                if (codec.keys == null) {
                    throw new MissingSubjectKeysException(recorded.type());
                }
                String field = f.getKey();
                java.util.Optional<String> plaintext;
                try {
                    plaintext = FieldCipher.decrypt(codec.keys, field, f.getValue());
                } catch (KeyServiceUnavailableException unavailable) {
                    throw unavailable;
                } catch (IllegalArgumentException e) {
                    throw new EventDecodingException(recorded.streamId(), recorded.version(), recorded.type(), field,
                            e instanceof FieldCipher.MalformedTokenException ? "malformed encrypted value"
                                    : "the encrypted value does not authenticate");
                }
                object.put(field, plaintext.orElseGet(() -> codec.types.personalData(recorded.type())
                        .map(pd -> pd.placeholder(field)).orElse(PersonalData.DEFAULT_PLACEHOLDER)));
            }
        }

        static <E> E readCurrent(RecordedEvent recorded, Current<E> direct) {
            try {
                return direct.reader().readValue(recorded.data());
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw decodingFailure(recorded, direct.type(), e);
            }
        }

        static <E> E readTree(RecordedEvent recorded, EventTypes.EventType<E> type, Upcasters.JsonEvent upcast) {
            try {
                return Json.mapper().treeToValue(upcast.data(), type.javaClass());
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw decodingFailure(recorded, type, e);
            }
        }

        /** The stored JSON as a tree, upcast to the current form of its type. */
        static Upcasters.JsonEvent upcast(EventCodec<?> codec, RecordedEvent recorded) {
            StreamId streamId = recorded.streamId();
            JsonNode tree;
            try {
                tree = Json.mapper().readTree(recorded.data());
            } catch (JsonProcessingException e) {
                throw new EventDecodingException(streamId, recorded.version(), recorded.type(), "",
                        "the stored data is not JSON");
            }
            if (!(tree instanceof ObjectNode object)) {
                throw new EventDecodingException(streamId, recorded.version(), recorded.type(), "",
                        "the stored data is not a JSON object");
            }
            decryptFields(codec, recorded, object);
            return codec.upcasters.upcast(new Upcasters.JsonEvent(recorded.type(), recorded.schemaVersion(), object));
        }

        static EventDecodingException decodingFailure(RecordedEvent recorded, EventTypes.EventType<?> type,
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
    }
}
