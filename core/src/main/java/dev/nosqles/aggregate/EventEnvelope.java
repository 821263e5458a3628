package dev.nosqles.aggregate;

import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.StreamId;
import java.time.Instant;
import java.util.UUID;

/**
 * A decoded, upcast event with its envelope: the audit trail entry.
 *
 * @param type the current type name (after upcasting)
 * @param storedType the type name it was stored under
 * @param storedSchemaVersion the schema version it was stored with
 */
public record EventEnvelope<E>(UUID eventId, StreamId streamId, long version, String type, String storedType,
                               int storedSchemaVersion, Instant timestamp, EventMetadata metadata, E event) {
}
