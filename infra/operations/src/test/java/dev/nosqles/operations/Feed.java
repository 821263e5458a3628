package dev.nosqles.operations;

import dev.nosqles.dynamodb.DynamoDbStreamImages;
import dev.nosqles.store.EventStore;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.subscription.EventDispatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A stand-in for the events table's stream: the new events of the watched streams, as items, to a dispatcher. */
final class Feed {
    private final EventStore store;
    private final EventDispatcher dispatcher;
    private final Map<StreamId, Long> seen = new HashMap<>();

    Feed(EventStore store, EventDispatcher dispatcher) {
        this.store = store;
        this.dispatcher = dispatcher;
    }

    /** Dispatches the events written since the last call; returns how many. */
    int pump(List<StreamId> streams) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (StreamId id : streams) {
            long from = seen.getOrDefault(id, 0L) + 1;
            for (RecordedEvent e : store.read(id, ReadRequest.from(from)).events()) {
                items.add(DynamoDbStreamImages.encode(id, e.version(),
                        List.of(new NewEvent(e.eventId(), e.type(), e.schemaVersion(), e.data())), e.metadata(),
                        e.timestamp()));
                seen.put(id, e.version());
            }
        }
        EventDispatcher.Result result = dispatcher.dispatch(items);
        if (!result.succeeded()) {
            throw new AssertionError("dispatch failed", result.failure());
        }
        return items.size();
    }
}
