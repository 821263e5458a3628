package dev.nosqles.saga;

import dev.nosqles.dynamodb.internal.CommitItems;
import dev.nosqles.store.NewEvent;
import dev.nosqles.store.ReadRequest;
import dev.nosqles.store.RecordedEvent;
import dev.nosqles.store.StreamId;
import dev.nosqles.memory.InMemoryEventStore;
import dev.nosqles.subscription.EventDispatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A stand-in for the events table's stream over the in-memory store: new events of watched streams, as items. */
final class Feed {
    private final InMemoryEventStore store;
    private final EventDispatcher dispatcher;
    private final Map<StreamId, Long> seen = new HashMap<>();

    Feed(InMemoryEventStore store, EventDispatcher dispatcher) {
        this.store = store;
        this.dispatcher = dispatcher;
    }

    /** Dispatches the events written since the last call; returns how many. */
    int pump(List<StreamId> streams) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (StreamId id : streams) {
            long from = seen.getOrDefault(id, 0L) + 1;
            for (RecordedEvent e : store.read(id, ReadRequest.from(from)).events()) {
                items.add(CommitItems.toItem(id, e.version(),
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

    /**
     * Stream, command queues and reply queue until nothing moves: commands for which {@code lose} holds are dropped
     * (a dead letter), the others handled by {@code participant}; the replies on {@code sender} go to {@code sagas}.
     */
    void settle(List<StreamId> streams, RecordingSender sender, SagaParticipant<?, ?, ?> participant,
                SagaManager<?> sagas, java.util.function.Predicate<SagaMessage.CommandMessage> lose) {
        while (pump(streams) > 0 || !sender.commands.isEmpty() || !sender.replies.isEmpty()) {
            List<SagaMessage.CommandMessage> commands = List.copyOf(sender.commands);
            sender.commands.clear();
            commands.stream().filter(lose.negate()).forEach(participant::handle);
            List<SagaMessage.ReplyMessage> replies = List.copyOf(sender.replies);
            sender.replies.clear();
            replies.forEach(sagas::handle);
        }
    }
}
