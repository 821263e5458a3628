package dev.nosqles.operations;

import java.time.Instant;

/**
 * One event of a stream with its metadata, as stored.
 *
 * @param version its position in the stream, from 1
 * @param type the stable type name
 * @param schemaVersion the schema version of {@code data}
 * @param recordedAt when the commit holding it was written
 * @param eventId the event's id
 * @param correlationId the commit's correlation id
 * @param causationId the commit's causation id
 * @param messageId the id of the message (command) that produced the commit
 * @param principal who asked for it
 * @param pseudo true for a pseudo event (a reply request or another framework marker, not part of the state)
 * @param data the stored JSON (personal data stays as its encrypted token)
 */
public record HistoryEntry(long version, String type, int schemaVersion, Instant recordedAt, String eventId,
                           String correlationId, String causationId, String messageId, String principal,
                           boolean pseudo, String data) {
}
