package dev.nosqles.internal;

import dev.nosqles.json.JsonReader;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.InvalidAppendException;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.StreamId;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** The checks every store makes before it writes anything. */
public final class AppendValidation {
    /** Stable event type names: a letter, then letters, digits, '.', '_' or '-'; at most 100 characters. */
    public static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._\\-]{0,99}");
    static final int MAX_METADATA_LENGTH = 1024;

    private AppendValidation() {
    }

    public static void validate(StreamId streamId, List<NewEvent> events, EventMetadata metadata) {
        Objects.requireNonNull(streamId, "streamId");
        if (events == null || events.isEmpty()) {
            throw new InvalidAppendException(streamId, "an append needs at least one event");
        }
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = events.get(i);
            if (event == null) {
                throw new InvalidAppendException(streamId, "event " + i + " is null");
            }
            if (!ids.add(event.eventId())) {
                throw new InvalidAppendException(streamId, "event " + i + " repeats event id " + event.eventId());
            }
            if (!TYPE_NAME.matcher(event.type()).matches()) {
                throw new InvalidAppendException(streamId, "event " + i + " has an invalid type name; it must match "
                        + TYPE_NAME.pattern());
            }
            if (event.schemaVersion() < 1) {
                throw new InvalidAppendException(streamId, "event " + i + " (" + event.type()
                        + ") has schema version " + event.schemaVersion() + "; versions start at 1");
            }
            if (!JsonReader.isObject(event.data())) {
                throw new InvalidAppendException(streamId, "event " + i + " (" + event.type()
                        + ") has data that is not one JSON object");
            }
        }
        if (metadata != null) {
            check(streamId, "correlationId", metadata.correlationId());
            check(streamId, "causationId", metadata.causationId());
            check(streamId, "messageId", metadata.messageId());
            check(streamId, "principal", metadata.principal());
            check(streamId, "traceHeader", metadata.traceHeader());
        }
    }

    private static void check(StreamId streamId, String name, String value) {
        if (value != null && (value.isEmpty() || value.length() > MAX_METADATA_LENGTH)) {
            throw new InvalidAppendException(streamId, "metadata " + name + " must be 1 to " + MAX_METADATA_LENGTH
                    + " characters");
        }
    }
}
