package dev.nosqles.store;

import java.time.Instant;
import java.util.UUID;

/**
 * An event as stored: its envelope and its serialised data, in the schema it was written with.
 *
 * @param eventId unique id of the event
 * @param streamId the stream it belongs to
 * @param version its position in the stream, from 1
 * @param type stable type name
 * @param schemaVersion schema version of {@code data}
 * @param data the JSON object
 * @param timestamp when the commit holding it was written
 * @param metadata the commit's metadata
 */
public record RecordedEvent(UUID eventId, StreamId streamId, long version, String type, int schemaVersion,
                            String data, Instant timestamp, EventMetadata metadata) {
}
