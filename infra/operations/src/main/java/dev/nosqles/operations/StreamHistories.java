package dev.nosqles.operations;

import dev.nosqles.aggregate.PseudoEvent;
import dev.nosqles.store.EventMetadata;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.store.StreamNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stream's history with the metadata of every commit, read through the {@link EventStore} (on DynamoDB one
 * Query, paged; at a version or as of an instant the store stops reading there). Events are shown as stored: the
 * data is the stored JSON, personal fields stay encrypted tokens; pseudo events (reply requests, processed-message
 * markers) are included and flagged.
 */
public final class StreamHistories {
    private final EventStore store;

    /** @param store the application's event store (a {@code DynamoDbEventStore} on its events table) */
    public StreamHistories(EventStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The history of stream {@code <aggregateType>-<aggregateId>}, or the part the query asks for. A stream that
     * exists but had no event yet at the instant (or version) asked for gives an empty history.
     *
     * @throws StreamNotFoundException the stream has no events at all
     * @throws dev.nosqles.store.InvalidStreamIdException the type or id is not a valid stream id
     */
    public StreamHistory history(String aggregateType, String aggregateId, HistoryQuery query) {
        Objects.requireNonNull(query, "query");
        StreamId stream = StreamId.of(aggregateType, aggregateId);
        ReadRequest request = query.atVersion() != null ? ReadRequest.upTo(query.atVersion())
                : query.asOf() != null ? ReadRequest.asOf(query.asOf()) : ReadRequest.all();
        List<RecordedEvent> events = store.read(stream, request).events();
        if (events.isEmpty() && (request.readsToEnd() || store.read(stream, ReadRequest.upTo(1)).isEmpty())) {
            throw new StreamNotFoundException(stream);
        }
        List<HistoryEntry> entries = new ArrayList<>(events.size());
        for (RecordedEvent e : events) {
            entries.add(entry(e));
        }
        long last = events.isEmpty() ? 0 : events.get(events.size() - 1).version();
        return new StreamHistory(aggregateType, aggregateId, last, entries);
    }

    static HistoryEntry entry(RecordedEvent e) {
        EventMetadata m = e.metadata() == null ? EventMetadata.empty() : e.metadata();
        return new HistoryEntry(e.version(), e.type(), e.schemaVersion(), e.timestamp(),
                e.eventId() == null ? null : e.eventId().toString(), m.correlationId(), m.causationId(),
                m.messageId(), m.principal(), PseudoEvent.isPseudo(e.type()), e.data());
    }
}
